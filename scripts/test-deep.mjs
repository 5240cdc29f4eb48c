#!/usr/bin/env node
// `npm run test:deep`: a million handler calls of PropertiesTest.invariant_all (the `deep`
// profile in foundry.toml), then how often each handler action succeeded over the campaign.
// `afterInvariant` fails the run when one never did, and writes the counts to ACTIONS_FILE.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { runForge } from './forge.mjs';

const ACTIONS_FILE = 'cache-tests/invariant-actions.tsv';
mkdirSync('cache-tests', { recursive: true });
writeFileSync(ACTIONS_FILE, ''); // forge allows writing only to a path that exists
const status = runForge(
  ['test', '--match-contract', 'PropertiesTest', '--match-test', 'invariant_all', '--show-progress'],
  { FOUNDRY_PROFILE: 'deep', PROPERTIES_ACTIONS_FILE: ACTIONS_FILE },
);
const written = readFileSync(ACTIONS_FILE, 'utf8').trim();
if (written) {
  const rows = written.split('\n').map((line) => line.split('\t'));
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log('\nSuccessful calls of each handler action over the campaign:');
  for (const [name, count] of rows) console.log(`  ${name.padEnd(width)}  ${Number(count).toLocaleString('en-US')}`);
}
process.exit(status);
