/** The relayer as a devnet runs it: with the devnet's DVN and executor when the config asks for them. */
import type { RelayerConfig } from '../config.js';
import type { Logger } from '../log.js';
import { Relayer } from '../relayer.js';
import { DevnetReadResponder } from './readResponder.js';
import { DevnetWorker } from './worker.js';

export function createDevnetRelayer(config: RelayerConfig, log: Logger): Promise<Relayer> {
  if (!config.devnetWorker) return Relayer.create(config, log, []);
  const worker = new DevnetWorker(config.relayerKey!);
  // The read responder signs with the worker's key and nonces, so it comes second.
  return Relayer.create(
    config,
    log,
    config.chains.some((c) => c.read) ? [worker, new DevnetReadResponder(worker)] : [worker],
  );
}
