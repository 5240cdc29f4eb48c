import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountRisk, Holdings, MarketState } from '@omnichain-collateral/sdk/risk/accountRisk';
import type { ChainClient } from '../../relayer/src/chain/clients.js';
import type { HubReader } from '../../relayer/src/chain/hubReader.js';
import { createLogger } from '../../relayer/src/log.js';
import { AccountBook } from '../../relayer/src/services/book.js';
import { RelayerStore } from '../../relayer/src/store/store.js';

/**
 * The keeper confirms a candidate on the book's holdings instead of reading them when the book
 * knows them at the pass's block. A stand-in reader and hub (this is a unit test of the book's
 * rule); the e2e keeper and crash tests run it against real chains.
 */
describe('account book: holdings known without a read', function () {
  let dir: string;
  let store: RelayerStore;
  const head = { head: 10, onHead: () => undefined };
  const hub = { heads: head, provider: { head: async () => head.head } } as unknown as ChainClient;
  /** what the stand-in hub holds: each account's holdings from a block on */
  const history: Array<{ id: string; from: number; holdings: Holdings }> = [];
  const set = (id: string, from: number, holdings: Holdings) => history.unshift({ id, from, holdings });
  const at = (id: string, block: number) => history.find((h) => h.id === id && h.from <= block)!.holdings;
  let gate: Promise<void> = Promise.resolve();
  let stateGate: Promise<void> = Promise.resolve();
  const reader = {
    marketState: async (block: number): Promise<MarketState> => {
      await stateGate;
      return { block, timestamp: 0n, prices: new Map(), marks: new Map() };
    },
    holdings: async (ids: readonly string[], block: number) => {
      await gate;
      return ids.map((id) => at(id, block));
    },
    risk: (accountId: string) => ({ accountId }) as unknown as AccountRisk,
  } as unknown as HubReader;
  const holdings = (cash: bigint): Holdings => ({ cash, collateral: [], positions: [] });
  const [a, b] = ['0x' + 'a'.repeat(64), '0x' + 'b'.repeat(64)];

  beforeEach(async function () {
    dir = mkdtempSync(join(tmpdir(), 'book-'));
    store = await RelayerStore.open(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function refreshed(book: AccountBook): Promise<void> {
    book.loop.trigger();
    await book.loop.idle();
  }

  it('knows holdings read at or before the block while no event has touched the account up to it', async function () {
    const book = new AccountBook(reader, hub, store, createLogger('silent'));
    history.length = 0;
    set(a, 0, holdings(1n));
    set(b, 0, holdings(2n));
    head.head = 10;
    book.touch([a, b]);
    await refreshed(book);
    expect(book.knownHoldings(a, 10, 10)).to.deep.equal(holdings(1n));
    expect(book.knownHoldings(a, 12, 12), 'no event since: the same at a later block').to.deep.equal(holdings(1n));
    expect(book.knownHoldings(a, 9, 12), 'read after the block').to.equal(undefined);
    expect(book.knownHoldings(a, 12, 11), 'events up to the block not all seen').to.equal(undefined);

    set(a, 11, holdings(5n));
    book.touch([a]);
    expect(book.knownHoldings(a, 12, 12), 'an event touched it').to.equal(undefined);
    expect(book.knownHoldings(b, 12, 12)).to.deep.equal(holdings(2n));

    // While the refresh reads it, the entry is about to change: not known.
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    head.head = 13;
    book.loop.trigger();
    await new Promise((r) => setImmediate(r));
    expect(book.knownHoldings(a, 13, 13), 'being read').to.equal(undefined);
    open();
    await book.loop.idle();
    expect(book.knownHoldings(a, 13, 13)).to.deep.equal(holdings(5n));
    expect(book.knownHoldings(a, 12, 13), 'read at 13 now').to.equal(undefined);
    await book.loop.stop();
  });

  it('reads an account touched while a refresh waits at the block it was touched in, not the older one', async function () {
    const book = new AccountBook(reader, hub, store, createLogger('silent'));
    history.length = 0;
    set(a, 0, holdings(1n));
    head.head = 20;
    book.touch([a]);
    await refreshed(book);
    // A refresh starts at 21 and waits for the node; meanwhile block 22 changes the account.
    let open!: () => void;
    stateGate = new Promise((r) => (open = r));
    head.head = 21;
    book.loop.trigger();
    await new Promise((r) => setImmediate(r));
    head.head = 22;
    set(a, 22, holdings(7n));
    book.touch([a]);
    open();
    await book.loop.idle();
    stateGate = Promise.resolve();
    expect(book.entry(a)).to.deep.include({ block: 22, holdings: holdings(7n) });
    expect(book.knownHoldings(a, 22, 22)).to.deep.equal(holdings(7n));
    await book.loop.stop();
  });

  it('recomputes figures apart from the reads, giving way to a keeper pass under way', async function () {
    history.length = 0;
    const ids = Array.from({ length: 40 }, (_, i) => '0x' + i.toString(16).padStart(64, '0'));
    for (const id of ids) set(id, 0, holdings(1n));
    // Each figure costs a millisecond of the thread: the recompute yields every few of them.
    const busy = {
      ...reader,
      risk: (accountId: string) => {
        const until = performance.now() + 1;
        while (performance.now() < until);
        return { accountId } as unknown as AccountRisk;
      },
    } as unknown as HubReader;
    const book = new AccountBook(busy, hub, store, createLogger('silent'));
    let endPass!: () => void;
    const pass = new Promise<void>((r) => (endPass = r));
    book.deferTo = () => pass;
    head.head = 30;
    book.touch(ids);
    await refreshed(book);
    await new Promise((r) => setTimeout(r, 50));
    expect(book.size(), 'the holdings are read').to.equal(40);
    expect(book.all().length, 'figures wait for the keeper pass').to.be.greaterThan(0).and.lessThan(40);
    expect(book.loaded(), 'not warm before the figures are').to.equal(false);

    // A read does not wait behind the recompute.
    set(ids[0]!, 31, holdings(9n));
    head.head = 31;
    book.touch([ids[0]!]);
    await refreshed(book);
    expect(book.knownHoldings(ids[0]!, 31, 31)).to.deep.equal(holdings(9n));

    endPass();
    await book.figuresLoop.idle();
    expect(book.all()).to.have.length(40);
    expect(book.loaded()).to.equal(true);
    await Promise.all([book.loop.stop(), book.figuresLoop.stop()]);
  });
});
