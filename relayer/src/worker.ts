/**
 * The devnet worker: delivers every packet the indexer recorded and the destination has not yet
 * executed, retrying a reverted delivery with exponential backoff and recording its reason.
 * Whether a packet is done is asked of the destination endpoint each time (see DevnetDeliverer),
 * so a crash at any point, including between verify and execute, never delivers twice.
 */
import { decodePacket } from '../../sdk/src/packet.js';
import type { DevnetDeliverer } from './devnet/deliverer.js';
import type { Logger } from './log.js';
import type { RelayerMetrics } from './metrics.js';
import type { RelayerStore, StoredMessage } from './store.js';

export interface WorkerOptions {
  maxAttempts: number;
  backoffMs: number;
}

export class DevnetWorker {
  constructor(
    private readonly deliverer: DevnetDeliverer,
    private readonly store: RelayerStore,
    private readonly log: Logger,
    private readonly metrics: RelayerMetrics,
    private readonly options: WorkerOptions = { maxAttempts: 8, backoffMs: 500 },
  ) {}

  /** @returns how many packets it delivered in this round */
  async runOnce(now = Date.now()): Promise<number> {
    let delivered = 0;
    for (const m of this.pending(now)) {
      const outcome = await this.deliverer.deliver(decodePacket(m.encodedPacket));
      if (outcome.status === 'failed') {
        this.store.recordAttempt(m.guid, outcome.reason);
        this.metrics.deliveryFailures.inc();
        this.log.warn({ guid: m.guid, attempt: m.attempts, reason: outcome.reason }, 'delivery reverted');
        if (m.attempts >= this.options.maxAttempts) {
          this.store.addAlert({ at: now, kind: 'delivery-failed', detail: `${m.guid}: ${outcome.reason} after ${m.attempts} attempts` });
        }
        continue;
      }
      if (outcome.status === 'delivered') {
        this.store.recordAttempt(m.guid);
        this.metrics.deliveries.inc();
        delivered++;
        this.log.info({ guid: m.guid, from: m.srcEid, to: m.dstEid, msgType: m.msgType, id: m.id }, 'packet delivered');
      }
      this.store.advance(m.guid, 'delivered');
    }
    return delivered;
  }

  private pending(now: number): StoredMessage[] {
    return this.store
      .messages()
      .filter((m) => m.status !== 'delivered' && m.attempts < this.options.maxAttempts)
      .filter((m) => m.lastAttemptAt === undefined || now - m.lastAttemptAt >= this.options.backoffMs * 2 ** (m.attempts - 1))
      .sort((a, b) => a.srcEid - b.srcEid || Number(BigInt(a.nonce) - BigInt(b.nonce)));
  }
}
