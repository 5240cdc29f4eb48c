/**
 * Messages that stopped moving, and why: a send no DVN verified within `afterBlocks` source
 * blocks (a wrong DVN configuration, a DVN down), a verified message not executed within
 * `afterBlocks` destination blocks (no executor came), or an execution that failed (the
 * executor's LzReceiveAlert, or the devnet worker's own attempt, with the decoded reason). Each
 * becomes a log line and an alert the first time it is seen stuck, a `relayer_messages_stuck`
 * gauge by reason, and `GET /v1/messages?status=stuck`. `npm run ops` acts on them.
 */
import type { ChainClient } from '../chain/clients.js';
import type { Logger } from '../log.js';
import type { RelayerMetrics } from '../metrics.js';
import { isFinished, type RelayerStore, type StoredMessage } from '../store/store.js';
import { Loop } from './loop.js';

export const STUCK_REASONS = ['not-verified', 'not-executed', 'execution-failed'] as const;
export type StuckReason = (typeof STUCK_REASONS)[number];

/** Why a message in flight is stuck, given each chain's head, or undefined if it is not (yet). */
export function stuckReason(
  m: StoredMessage,
  head: (eid: number) => number | undefined,
  afterBlocks: number,
): StuckReason | undefined {
  if (isFinished(m.status)) return undefined;
  if (m.lastError !== undefined) return 'execution-failed';
  if (m.status === 'verified') {
    const dst = head(m.dstEid);
    return dst !== undefined && m.verifiedBlock !== undefined && dst - m.verifiedBlock >= afterBlocks
      ? 'not-executed'
      : undefined;
  }
  const src = head(m.srcEid);
  return src !== undefined && src - m.sentBlock >= afterBlocks ? 'not-verified' : undefined;
}

export class StuckMessages {
  readonly loop: Loop;
  /** guid -> why, as of the last check */
  private current = new Map<string, StuckReason>();

  constructor(
    private readonly chains: Map<number, ChainClient>,
    private readonly store: RelayerStore,
    private readonly afterBlocks: number,
    private readonly log: Logger,
    private readonly metrics: RelayerMetrics,
  ) {
    this.loop = new Loop('stuck-messages', async () => this.check(), log);
  }

  /** Classifies every message in flight; alerts on those newly stuck. */
  check(): void {
    const head = (eid: number) => {
      const h = this.chains.get(eid)?.heads.head;
      return h !== undefined && h >= 0 ? h : undefined;
    };
    const next = new Map<string, StuckReason>();
    for (const m of this.store.inFlight()) {
      const reason = stuckReason(m, head, this.afterBlocks);
      if (!reason) continue;
      next.set(m.guid, reason);
      if (this.current.get(m.guid) !== reason) {
        const detail = `${m.guid} (${m.srcEid} -> ${m.dstEid}, nonce ${m.nonce}): ${reason}${m.lastError ? `: ${m.lastError}` : ''}`;
        this.log.warn(
          { guid: m.guid, srcEid: m.srcEid, dstEid: m.dstEid, reason, lastError: m.lastError },
          'message stuck',
        );
        this.store.addAlert({ at: Date.now(), kind: 'message-stuck', detail });
      }
    }
    this.current = next;
    for (const reason of STUCK_REASONS)
      this.metrics.messagesStuck.set({ reason }, [...next.values()].filter((r) => r === reason).length);
  }

  /** Why `guid` is stuck, as of the last check. */
  reason(guid: string): StuckReason | undefined {
    return this.current.get(guid);
  }

  /** Every stuck message's guid, as of the last check. */
  guids(): string[] {
    return [...this.current.keys()];
  }
}
