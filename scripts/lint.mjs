#!/usr/bin/env node
// `npm run lint` (the first step of `npm test`): formatting and lint, for TypeScript and Solidity.
//  1. prettier --check: TypeScript and JavaScript (.prettierrc.json: 120 columns, single quotes).
//  2. forge fmt --check: Solidity (foundry.toml [fmt]: forge's defaults, 120 columns).
//  3. forge lint: Solidity (foundry.toml [lint]). forge exits 0 on findings, so any diagnostic it
//     prints fails the run here. `--deny warnings` is not used: it also fails on the compiler's
//     warnings about the LayerZero and OpenZeppelin sources this project does not own.
// `npm run format` rewrites what steps 1 and 2 would reject.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runForge, forgeOutput } from './forge.mjs';

const require = createRequire(import.meta.url);

function prettierCheck() {
  const bin = require.resolve('prettier/bin/prettier.cjs');
  const result = spawnSync(process.execPath, [bin, '--check', '--log-level', 'warn', '**/*.{ts,mjs,cjs,js}'], {
    stdio: 'inherit',
  });
  return result.status ?? 1;
}

function forgeLint() {
  // forge lint compiles some sources and writes their artifacts (ABI only, no bytecode): kept in
  // a scratch folder so they never overwrite the build's in out/.
  const scratch = mkdtempSync(join(tmpdir(), 'forge-lint-'));
  const { status, output } = forgeOutput([
    'lint',
    '--out',
    join(scratch, 'out'),
    '--cache-path',
    join(scratch, 'cache'),
  ]);
  rmSync(scratch, { recursive: true, force: true });
  const findings = output.split('\n').filter((line) => /^(error|warning|note)\[/.test(line));
  if (status === 0 && findings.length === 0) return 0;
  process.stderr.write(output);
  process.stderr.write(`forge lint: ${findings.length} finding(s)\n`);
  return 1;
}

const steps = [
  ['prettier --check', prettierCheck],
  ['forge fmt --check', () => runForge(['fmt', '--check'])],
  ['forge lint', forgeLint],
];
let failed = 0;
for (const [name, step] of steps) {
  if (step() !== 0) {
    console.error(`lint: ${name} failed`);
    failed = 1;
  }
}
process.exit(failed);
