#!/usr/bin/env node
// Runs the forge binary that npm installed (@foundry-rs/forge), so nobody needs Foundry on PATH.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const arch = process.arch === 'x64' ? 'amd64' : process.arch;

/**
 * Where the forge tests build: apart from out/ and cache/, which hold the contracts the devnet, the
 * deploy tool and the e2e tests deploy (`npm run build`). Building the
 * tests rewrites every artifact it compiles, the deployed contracts' too; apart, `npm test` can
 * build and run them while the mocha tests read their artifacts.
 */
export const TEST_BUILD = { FOUNDRY_OUT: 'out-tests', FOUNDRY_CACHE_PATH: 'cache-tests' };

/**
 * What `npm start`, `npm run demo` and `npm run deploy` build: the contracts they deploy, nothing of
 * the tests. `npm run build` builds these and the test harnesses the e2e tests deploy, so that
 * after it their builds find everything cached.
 */
export const DEPLOYED_SOURCES = ['contracts/src'];

/** Selects the tests whose gas is the same on every run (not fuzz, not invariant). */
export const DETERMINISTIC_ONLY = ['--no-match-test', '^(testFuzz|invariant)_'];

function forgeBinary() {
  return require.resolve(`@foundry-rs/forge-${process.platform}-${arch}/bin/forge`);
}

export function runForge(args, env = {}) {
  const result = spawnSync(forgeBinary(), args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

/** Runs forge and returns its exit status and what it printed (stdout, then stderr). */
export function forgeOutput(args) {
  const result = spawnSync(forgeBinary(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exit(runForge(process.argv.slice(2)));
}
