#!/usr/bin/env node
// Runs the forge binary that npm installed (@foundry-rs/forge), so nobody needs Foundry on PATH.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const arch = process.arch === 'x64' ? 'amd64' : process.arch;

export function runForge(args, env = {}) {
  const bin = require.resolve(`@foundry-rs/forge-${process.platform}-${arch}/bin/forge`);
  const result = spawnSync(bin, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exit(runForge(process.argv.slice(2)));
}
