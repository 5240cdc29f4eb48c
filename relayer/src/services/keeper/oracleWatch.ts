/**
 * Which prices the keeper may act on. A feed the hub would refuse (stale, out of band, sequencer
 * down) is untrusted; a price that jumped more than `maxJump` from the last accepted one is held
 * until it has been seen `confirmations` times in a row (each new reading within `maxJump` of the
 * previous one), so one bad print cannot trigger a wave of liquidations. Also remembers when each
 * feed last changed, which is where liquidation latency is measured from.
 */
import type { PriceReading } from '@omnichain-collateral/sdk/risk/accountRisk';

export interface OracleWatchOptions {
  /** largest accepted move between two readings, as a fraction (0.25 = 25%) */
  maxJump: number;
  /** readings in a row a jump must persist before it is accepted */
  confirmations: number;
}

export type FeedState =
  | { status: 'ok'; price: bigint }
  | { status: 'held'; price: bigint; seen: number }
  | { status: 'untrusted'; error: string };

interface Tracked {
  accepted?: bigint;
  pending?: { price: bigint; seen: number };
  changedAt: number;
  changedBlock: number;
}

export class OracleWatch {
  private readonly feeds = new Map<number, Tracked>();

  constructor(private readonly options: OracleWatchOptions) {}

  observe(feed: number, reading: PriceReading, block: number, now: number): FeedState {
    if (!reading.ok) return { status: 'untrusted', error: reading.error };
    const t = this.feeds.get(feed) ?? { changedAt: now, changedBlock: block };
    this.feeds.set(feed, t);
    const price = reading.price;
    if (t.accepted === undefined || price === t.accepted) {
      if (t.accepted === undefined) t.accepted = price;
      delete t.pending;
      return { status: 'ok', price };
    }
    if (!jumped(t.accepted, price, this.options.maxJump)) return this.accept(t, price, block, now);
    const seen = t.pending && !jumped(t.pending.price, price, this.options.maxJump) ? t.pending.seen + 1 : 1;
    t.pending = { price, seen };
    if (seen >= this.options.confirmations) return this.accept(t, price, block, now);
    return { status: 'held', price, seen };
  }

  /** When (ms, hub block) the latest accepted change of any of `feeds` was first seen. */
  lastChange(feeds: Iterable<number>): { at: number; block: number } {
    let at = 0;
    let block = 0;
    for (const f of feeds) {
      const t = this.feeds.get(f);
      if (t && t.changedAt > at) ({ changedAt: at, changedBlock: block } = t);
    }
    return { at, block };
  }

  private accept(t: Tracked, price: bigint, block: number, now: number): FeedState {
    t.accepted = price;
    delete t.pending;
    t.changedAt = now;
    t.changedBlock = block;
    return { status: 'ok', price };
  }
}

function jumped(from: bigint, to: bigint, maxJump: number): boolean {
  const move = Math.abs(Number(to - from) / Number(from));
  return move > maxJump;
}
