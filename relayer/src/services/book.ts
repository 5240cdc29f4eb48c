/**
 * Every account the relayer knows: its holdings as the hub's margin check reads them, and its
 * figures from the SDK model. Accounts enter the book from events. Driven by hub heads: each run
 * re-reads the holdings of the accounts an event touched (many per call, `holdingsOf`), and
 * recomputes figures for those, or for every account when a price moved. The recompute runs in
 * slices that yield to the event loop, so a keeper pass never waits behind it. The book answers
 * "which accounts are nearest liquidation" and hands the keeper every holding to screen, without
 * touching the chain.
 */
import type { ChainClient } from '../chain/clients.js';
import type { AccountRisk, Holdings, MarketState } from '@omnichain-collateral/sdk/risk/accountRisk';
import type { HubReader } from '../chain/hubReader.js';
import type { Logger } from '../log.js';
import type { RelayerStore } from '../store/store.js';
import { Loop } from './loop.js';

/** Work done between two yields to the event loop while recomputing the book. */
const SLICE_MS = 8;

export interface BookEntry {
  accountId: string;
  holdings: Holdings;
  /** the hub block the holdings were read at */
  block: number;
}

export class AccountBook {
  readonly loop: Loop;
  private readonly entries = new Map<string, BookEntry>();
  private readonly risks = new Map<string, AccountRisk>();
  private readonly dirty = new Set<string>();
  private lastPrices = '';
  /** ms from start until every chain was indexed to its head and every account found read (cold start) */
  coldStartMs?: number;
  private readonly startedAt = Date.now();
  /**
   * whether every chain's indexer has reached its head (the relayer sets it): until then accounts are still being found
   */
  caughtUp: () => boolean = () => true;

  constructor(
    private readonly reader: HubReader,
    private readonly hub: ChainClient,
    private readonly store: RelayerStore,
    log: Logger,
  ) {
    for (const id of store.accounts()) this.dirty.add(id);
    this.loop = new Loop('book', () => this.refresh(), log);
    hub.heads.onHead(() => this.loop.trigger());
  }

  /** Accounts whose holdings an event changed: read again on the next run. */
  touch(ids: Iterable<string>): void {
    for (const id of ids) {
      this.store.addAccount(id);
      this.dirty.add(id);
    }
    this.loop.trigger();
  }

  /** Forgets the fingerprint so every account is recomputed (after a risk configuration change). */
  repriceAll(): void {
    this.lastPrices = '';
    this.loop.trigger();
  }

  private async refresh(): Promise<void> {
    const block = this.hub.heads.head >= 0 ? this.hub.heads.head : await this.hub.provider.head();
    const state = await this.reader.marketState(block);
    const touched = [...this.dirty];
    this.dirty.clear();
    try {
      const holdings = await this.reader.holdings(touched, block);
      touched.forEach((accountId, i) => this.entries.set(accountId, { accountId, holdings: holdings[i]!, block }));
    } catch (err) {
      for (const id of touched) this.dirty.add(id);
      throw err;
    }
    const fingerprint = priceFingerprint(state);
    const all = fingerprint !== this.lastPrices;
    this.lastPrices = fingerprint;
    await this.recompute(all ? [...this.entries.keys()] : touched, state);
    if (this.coldStartMs === undefined && this.dirty.size === 0 && this.caughtUp())
      this.coldStartMs = Date.now() - this.startedAt;
  }

  private async recompute(ids: readonly string[], state: MarketState): Promise<void> {
    let sliceStart = performance.now();
    for (const id of ids) {
      const entry = this.entries.get(id);
      if (entry) this.risks.set(id, this.reader.risk(id, entry.holdings, state));
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise((r) => setImmediate(r));
        sliceStart = performance.now();
      }
    }
  }

  size(): number {
    return this.entries.size;
  }

  /** Every account's holdings, as last read (for the keeper's screen). */
  holdings(): IterableIterator<BookEntry> {
    return this.entries.values();
  }

  /** Whether every known account's holdings have been read (the book is warm). */
  loaded(): boolean {
    return this.coldStartMs !== undefined;
  }

  all(): AccountRisk[] {
    return [...this.risks.values()];
  }

  entry(accountId: string): BookEntry | undefined {
    return this.entries.get(accountId);
  }

  risk(accountId: string): AccountRisk | undefined {
    return this.risks.get(accountId);
  }

  /** Accounts with health at or below `maxHealth` (WAD), lowest first; accounts without a trusted price last. */
  nearestLiquidation(maxHealth: bigint): AccountRisk[] {
    return this.all()
      .filter((r) => r.health === undefined || r.health <= maxHealth)
      .sort((a, b) =>
        a.health === undefined
          ? 1
          : b.health === undefined
            ? -1
            : a.health < b.health
              ? -1
              : a.health > b.health
                ? 1
                : 0,
      );
  }
}

/**
 * The guarded prices: when one moves, every figure is recomputed. (Time decay alone does not
 * trigger a recompute: it moves figures by a hair per block, and the keeper confirms every
 * candidate exactly at its own block.)
 */
function priceFingerprint(state: MarketState): string {
  const parts: string[] = [];
  for (const p of state.prices.values()) parts.push(p.ok ? p.price.toString() : p.error);
  return parts.join(',');
}
