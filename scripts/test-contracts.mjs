#!/usr/bin/env node
// `npm run test:forge`: builds the contracts, runs every forge test, then checks gas.
//  1. `forge test` runs everything; with FORGE_SNAPSHOT_CHECK set, a per-operation gas figure
//     (snapshots/*.json, written by vm.snapshotGasLastCall) that differs fails the run.
//  2. `forge snapshot --check` compares every deterministic test with .gas-snapshot. Fuzz and
//     invariant tests are left out of the comparison: forge runs their cases in parallel, so
//     their mean gas differs from run to run; their behaviour is still tested in step 1.
// After an intended gas change, `npm run snapshot` rewrites both files; commit them.
// Both build into out-tests/ (TEST_BUILD), so that they can run beside the mocha tests.
import { runForge, DETERMINISTIC_ONLY, TEST_BUILD } from './forge.mjs';

const tested = runForge(['test'], { ...TEST_BUILD, FORGE_SNAPSHOT_CHECK: 'true' });
if (tested !== 0) process.exit(tested);
process.exit(runForge(['snapshot', '--check', ...DETERMINISTIC_ONLY], TEST_BUILD));
