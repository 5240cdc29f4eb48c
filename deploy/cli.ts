/**
 * `npm run deploy -- --network <file>`: deploys and wires the system on the chains the network
 * file names (deploy/networkFile.ts; an example in deploy/networks/testnet.example.json) and
 * writes the manifest the relayer reads. Signs with the key in DEPLOYER_KEY, never one on the
 * command line. Run it again after a failure to resume, or after success to check: it then
 * sends nothing.
 */
import { basename, join, resolve } from 'node:path';
import { Command } from 'commander';
import { DEPLOYED_SOURCES, runForge } from '../scripts/forge.mjs';
import { repoRoot } from './artifacts.js';
import { deployNetwork } from './deployNetwork.js';
import { loadNetworkFile } from './networkFile.js';

const opts = new Command()
  .name('npm run deploy --')
  .description(
    'Deploy the omnichain collateral system to the chains a network file names, and wire it. Signs with DEPLOYER_KEY.',
  )
  .requiredOption('--network <file>', 'the network file (JSON; see deploy/networkFile.ts)')
  .option('--manifest <file>', 'where progress and the manifest go (default: deployments/<network name>.json)')
  .option('--no-build', 'use the contracts already in out/ instead of building them first')
  .parse(process.argv)
  .opts<{ network: string; manifest?: string; build: boolean }>();

try {
  const key = process.env.DEPLOYER_KEY;
  if (!key || !/^0x[0-9a-fA-F]{64}$/.test(key))
    throw new Error('set DEPLOYER_KEY to the 0x-prefixed private key that deploys and administers the contracts');
  const file = loadNetworkFile(resolve(opts.network));
  const manifestPath = resolve(opts.manifest ?? join(repoRoot, 'deployments', `${file.name}.json`));
  if (opts.build && runForge(['build', ...DEPLOYED_SOURCES]) !== 0) throw new Error('contract build failed');
  process.stdout.write(
    `Deploying "${file.name}" from ${basename(opts.network)} to ${file.chains.map((c) => c.name).join(', ')}...\n`,
  );
  const result = await deployNetwork(file, key, { manifestPath, log: (line) => process.stdout.write(`  ${line}\n`) });
  const m = result.manifest;
  process.stdout.write(
    [
      '',
      result.transactions === 0
        ? 'Nothing to do: every chain matches the network file.'
        : `Done: ${result.transactions} transactions.`,
      `  MarginHub   ${m.hub} (${file.hub}, endpoint id ${m.hubEid})`,
      `  RiskEngine  ${m.riskEngine}`,
      ...m.chains.map((c) => `  vault       ${c.vault} (${c.name}, endpoint id ${c.eid})`),
      `  Manifest    ${manifestPath}`,
      `Run the relayer on it: npm run relayer -- --config <file with "manifest": "${manifestPath}">`,
      '',
    ].join('\n'),
  );
} catch (err) {
  process.stderr.write(`deploy: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
