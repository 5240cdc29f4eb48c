/** The relayer as a devnet runs it: with the devnet's DVN and executor when the config asks for them. */
import type { RelayerConfig } from '../config.js';
import type { Logger } from '../log.js';
import { Relayer } from '../relayer.js';
import { DevnetWorker } from './worker.js';

export function createDevnetRelayer(config: RelayerConfig, log: Logger): Promise<Relayer> {
  return Relayer.create(config, log, config.devnetWorker ? [new DevnetWorker(config.relayerKey!)] : []);
}
