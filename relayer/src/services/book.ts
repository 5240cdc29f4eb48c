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
/** The longest a slice of the recompute waits for a keeper pass to end (passes can follow one another for seconds). */
const MAX_DEFER_MS = 1_000;

export interface BookEntry {
  accountId: string;
  holdings: Holdings;
  /** the hub block the holdings were read at */
  block: number;
}

export class AccountBook {
  /** reads the holdings events touched, at each hub head */
  readonly loop: Loop;
  /**
   * recomputes figures (CPU only), apart from the reads: a price move recomputes every account,
   * about a second of the relayer's thread for 10,000, and the reads the keeper relies on
   * (knownHoldings) must not wait behind it
   */
  readonly figuresLoop: Loop;
  private readonly entries = new Map<string, BookEntry>();
  private readonly risks = new Map<string, AccountRisk>();
  private readonly dirty = new Set<string>();
  /** accounts a refresh is reading: their entries are about to change */
  private readonly reading = new Set<string>();
  private lastPrices = '';
  /** the latest market state read, and the accounts whose figures are to be recomputed at it */
  private latest?: MarketState;
  private readonly toRecompute = new Set<string>();
  private recomputeAll = false;
  /**
   * While this returns a promise (the relayer sets it to a keeper pass under way), recomputing
   * figures waits for it between slices, up to MAX_DEFER_MS: liquidations come first, and the
   * API's figures catch up after.
   */
  deferTo: () => Promise<void> | undefined = () => undefined;
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
    this.figuresLoop = new Loop('book-figures', () => this.recomputeFigures(), log);
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

  /** Accounts whose cash the book holds as positive: a socialised loss changes each of them. */
  withPositiveCash(): string[] {
    return [...this.entries.values()].filter((e) => e.holdings.cash > 0n).map((e) => e.accountId);
  }

  /** Forgets the fingerprint so every account is recomputed (after a risk configuration change). */
  repriceAll(): void {
    this.lastPrices = '';
    this.loop.trigger();
  }

  private async refresh(): Promise<void> {
    // Before the first head (at start) the head is asked for; after, the block and the accounts
    // to read are taken together, with no wait between: every event that touched them is at or
    // before the head, so what is read at it reflects them all. (Taken after a wait, an account
    // touched in a newer block was read at the older one, and its entry stayed stale until the
    // next event touched it.)
    const asked = this.hub.heads.head < 0 ? await this.hub.provider.head() : -1;
    const block = Math.max(this.hub.heads.head, asked);
    const touched = [...this.dirty];
    this.dirty.clear();
    for (const id of touched) this.reading.add(id);
    let state: MarketState;
    try {
      const [read, holdings] = await Promise.all([
        this.reader.marketState(block),
        this.reader.holdings(touched, block),
      ]);
      state = read;
      touched.forEach((accountId, i) => this.entries.set(accountId, { accountId, holdings: holdings[i]!, block }));
    } catch (err) {
      for (const id of touched) this.dirty.add(id);
      throw err;
    } finally {
      for (const id of touched) this.reading.delete(id);
    }
    const fingerprint = priceFingerprint(state);
    if (fingerprint !== this.lastPrices) this.recomputeAll = true;
    this.lastPrices = fingerprint;
    for (const id of touched) this.toRecompute.add(id);
    this.latest = state;
    this.figuresLoop.trigger();
  }

  /** Figures of the accounts read since the last run (every account when a price moved), at the latest state. */
  private async recomputeFigures(): Promise<void> {
    const state = this.latest;
    if (!state) return;
    const ids = this.recomputeAll ? [...this.entries.keys()] : [...this.toRecompute];
    this.recomputeAll = false;
    this.toRecompute.clear();
    let sliceStart = performance.now();
    for (const id of ids) {
      const entry = this.entries.get(id);
      if (entry) this.risks.set(id, this.reader.risk(id, entry.holdings, state));
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise((r) => setImmediate(r));
        await this.keeperFirst();
        // Prices moved again meanwhile: the next run recomputes every account at the new ones.
        if (this.recomputeAll) return this.figuresLoop.trigger();
        sliceStart = performance.now();
      }
    }
    if (this.coldStartMs === undefined && this.dirty.size === 0 && this.reading.size === 0 && this.caughtUp())
      this.coldStartMs = Date.now() - this.startedAt;
  }

  /** Waits while a keeper pass is under way, up to MAX_DEFER_MS. */
  private async keeperFirst(): Promise<void> {
    const pass = this.deferTo();
    if (!pass) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([pass, new Promise((r) => (timer = setTimeout(r, MAX_DEFER_MS)))]);
    clearTimeout(timer);
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

  /**
   * The account's holdings at hub block `block` when the book knows them without reading the
   * chain: read at or before `block`, and no event has touched the account since, up to
   * `indexedTo` (the hub indexer's checkpoint), which must reach `block`. Holdings change only
   * by hub transactions, each of which emits an event naming the account, so these are what
   * `holdingsOf` would return at `block`.
   */
  knownHoldings(accountId: string, block: number, indexedTo: number): Holdings | undefined {
    if (indexedTo < block || this.dirty.has(accountId) || this.reading.has(accountId)) return undefined;
    const entry = this.entries.get(accountId);
    return entry && entry.block <= block ? entry.holdings : undefined;
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
