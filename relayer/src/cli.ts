/**
 * The relayer's command line, shared by `npm run relayer` (main.ts, public networks) and the
 * devnet's relayer process (devnet/relayerMain.ts, which adds the devnet's DVN and executor):
 * `--config <file>` and `--log-level`; the config is validated before anything connects; SIGINT
 * and SIGTERM stop every service and flush the store.
 */
import { Command } from 'commander';
import { loadRelayerConfig, type RelayerConfig } from './config.js';
import { createLogger, type Logger } from './log.js';
import type { Relayer } from './relayer.js';

export async function runRelayerCli(
  name: string,
  create: (config: RelayerConfig, log: Logger) => Promise<Relayer>,
): Promise<void> {
  const opts = new Command()
    .name(name)
    .requiredOption('--config <file>', 'relayer config JSON (see relayer/src/config.ts for the fields)')
    .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
    .parse(process.argv)
    .opts<{ config: string; logLevel: string }>();
  const log = createLogger(opts.logLevel);
  try {
    const relayer = await create(loadRelayerConfig(opts.config), log);
    const url = await relayer.start();
    log.info({ api: url }, 'relayer started');
    const stop = () => void relayer.stop().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (err) {
    process.stderr.write(`relayer: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
