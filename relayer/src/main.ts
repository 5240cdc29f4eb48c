/**
 * `npm run relayer -- --config relayer.json`: the relayer on its own, against chains someone else
 * runs (a testnet, mainnet, or a devnet started elsewhere). On public networks set
 * `devnetWorker: false`: LayerZero's DVNs and executors deliver, and the relayer indexes,
 * reconciles and serves the API. The config is validated before anything connects.
 */
import { Command } from 'commander';
import { loadRelayerConfig } from './config.js';
import { createLogger } from './log.js';
import { Relayer } from './relayer.js';

async function main(): Promise<void> {
  const opts = new Command()
    .name('npm run relayer --')
    .requiredOption('--config <file>', 'relayer config JSON (see relayer/src/config.ts for the fields)')
    .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
    .parse(process.argv)
    .opts<{ config: string; logLevel: string }>();
  const log = createLogger(opts.logLevel);
  const config = loadRelayerConfig(opts.config);
  // LayerZero's own DVNs and executors deliver on real networks; the devnet's stand-in runs from `npm start`.
  if (config.devnetWorker) throw new Error('devnetWorker is for local devnets (npm start, or tsx relayer/src/devnet/relayerMain.ts); set it to false here');
  const relayer = await Relayer.create(config, log);
  const url = await relayer.start();
  log.info({ api: url }, 'relayer started');
  const stop = () => void relayer.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`relayer: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
