/**
 * The relayer as its own process on a devnet, with the devnet's DVN and executor when the config
 * asks for them: `tsx relayer/src/devnet/relayerMain.ts --config relayer.json`. (`npm run
 * relayer` is the same for public networks, where LayerZero's workers deliver.) Used by the
 * fault test that kills the relayer mid-crash.
 */
import { Command } from 'commander';
import { loadRelayerConfig } from '../config.js';
import { createLogger } from '../log.js';
import { createDevnetRelayer } from './relayer.js';

const opts = new Command()
  .name('relayerMain')
  .requiredOption('--config <file>', 'relayer config JSON (see relayer/src/config.ts)')
  .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
  .parse(process.argv)
  .opts<{ config: string; logLevel: string }>();

const log = createLogger(opts.logLevel);
try {
  const relayer = await createDevnetRelayer(loadRelayerConfig(opts.config), log);
  const url = await relayer.start();
  log.info({ api: url }, 'relayer started');
  const stop = () => void relayer.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (err) {
  process.stderr.write(`relayer: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
