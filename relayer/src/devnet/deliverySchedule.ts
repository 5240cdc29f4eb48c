/**
 * When the devnet worker tries a packet again: after a failed attempt it waits `backoffMs`,
 * doubling with each further failure (500 ms, 1 s, 2 s, ... by default), and gives up after
 * `maxAttempts`. Pure functions of the stored messages and the clock, so the schedule is tested
 * without a chain (test/unit/deliverySchedule.test.ts).
 */
import type { StoredMessage } from '../store/store.js';

export interface RetryPolicy {
  maxAttempts: number;
  backoffMs: number;
}

type Attempted = Pick<StoredMessage, 'attempts' | 'lastAttemptAt'>;

/** When `m` may be tried next (ms since the epoch): now if never tried, else its backoff after the last try. */
export function nextAttemptAt(m: Attempted, policy: RetryPolicy): number {
  if (m.lastAttemptAt === undefined) return -Infinity;
  return m.lastAttemptAt + policy.backoffMs * 2 ** Math.max(0, m.attempts - 1);
}

/** Whether the worker has given up on `m`. */
export function exhausted(m: Attempted, policy: RetryPolicy): boolean {
  return m.attempts >= policy.maxAttempts;
}

/**
 * The packets to `dstEid` due for an attempt at `now`, in the order the destination's endpoint
 * accepts them: by source chain, then by nonce (decimal strings compared as numbers).
 */
export function duePackets(
  inFlight: readonly StoredMessage[],
  dstEid: number,
  now: number,
  policy: RetryPolicy,
): StoredMessage[] {
  return inFlight
    .filter((m) => m.dstEid === dstEid && !exhausted(m, policy) && nextAttemptAt(m, policy) <= now)
    .sort(
      (a, b) =>
        a.srcEid - b.srcEid || a.nonce.length - b.nonce.length || (a.nonce < b.nonce ? -1 : a.nonce > b.nonce ? 1 : 0),
    );
}

/**
 * The earliest moment after `now` a packet to `dstEid` waiting out its backoff becomes due, so the
 * worker can wake for it even if no block comes (automine); undefined when none is waiting.
 */
export function nextRetryAt(
  inFlight: readonly StoredMessage[],
  dstEid: number,
  now: number,
  policy: RetryPolicy,
): number | undefined {
  let due = Infinity;
  for (const m of inFlight) {
    if (m.dstEid !== dstEid || exhausted(m, policy) || m.lastAttemptAt === undefined) continue;
    const at = nextAttemptAt(m, policy);
    if (at > now) due = Math.min(due, at);
  }
  return due === Infinity ? undefined : due;
}
