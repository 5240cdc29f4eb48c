#!/usr/bin/env node
// `npm run test:forge`: builds the contracts and runs every forge test through `forge snapshot
// --check`, so one run both tests and fails on any gas change against the committed
// .gas-snapshot (whole tests) and snapshots/*.json (per operation, via FORGE_SNAPSHOT_CHECK).
// After an intended gas change, `npm run snapshot` rewrites both; commit them.
import { runForge } from './forge.mjs';

process.exit(runForge(['snapshot', '--check'], { FORGE_SNAPSHOT_CHECK: 'true' }));
