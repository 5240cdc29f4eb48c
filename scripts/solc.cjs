#!/usr/bin/env node
// Forge calls this file as its `solc`. It stands in for the native compiler with
// solc-js from npm (pinned in package.json), so the build needs no download.
// Forge only ever asks two things of a compiler: `--version`, and a standard-JSON
// compile with every source's content already inlined (so no import callback).
'use strict';
const solc = require('solc');

const args = process.argv.slice(2);
if (args.includes('--version')) {
  // forge parses the `Version: x.y.z` line; solc-js reports `0.8.34+commit.xxxx.Emscripten.clang`.
  const full = solc.version();
  process.stdout.write(
    `solc, the solidity compiler commandline interface\nVersion: ${full.replace('.Emscripten.clang', '.Linux.g++')}\n`,
  );
  process.exit(0);
}
if (!args.includes('--standard-json')) {
  process.stderr.write('scripts/solc.cjs: only --version and --standard-json are supported\n');
  process.exit(2);
}
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  process.stdout.write(solc.compile(Buffer.concat(chunks).toString('utf8')));
});
