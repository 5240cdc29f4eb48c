/**
 * The liquidation keeper, driven by hub heads. Each pass, at the new block: it reads every feed
 * the book depends on (one batched call, shared with the book; refusing untrusted feeds and
 * holding sudden jumps, see OracleWatch), screens every holding in the book with the float64
 * path, confirms each candidate with the exact model's maintenance figures on its holdings at
 * that block (candidateHoldings.ts), plans what each unhealthy account needs (planner.ts), and
 * sends it in as few transactions as fit, chunk by chunk: each is encoded and signed on another
 * thread while the next is confirmed (sender.ts).
 *
 * A pass never waits for a transaction to be mined or accepted by the node, for another chain,
 * or for the book's store: broadcasts and receipts are handled when they are answered
 * (outcomes.ts), and the SEIZE's arrival on the collateral chain is reported by that chain's
 * indexer (`onPackets`). Every liquidation is a persisted state machine (liquidationRecords.ts)
 * in the keeper's own store file, its transaction hash on disk (journaled) before each broadcast,
 * so a keeper killed anywhere resumes after restart without liquidating twice (resume.ts).
 *
 * Each pass also hands the block's time to SettlementPrices, which fixes the settlement price of
 * every option that expired, in its own loop (settlementPrices.ts).
 */
import { Wallet } from 'ethers';
import { erc20Abi, marginHubAbi } from '@omnichain-collateral/sdk/abi';
import { Multicall } from '@omnichain-collateral/sdk/contracts/multicall';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { WAD } from '@omnichain-collateral/sdk/risk/fixedPoint';
import type { Holdings, MarketState, PriceReading } from '@omnichain-collateral/sdk/risk/accountRisk';
import type { ChainClient } from '../../chain/clients.js';
import type { HubReader } from '../../chain/hubReader.js';
import { Nonces } from '../../chain/nonces.js';
import { ReceiptWatcher, waitForReceipt } from '../../chain/receipts.js';
import { RpcProvider } from '../../chain/rpc.js';
import { SigningWorker } from '../../chain/signingWorker.js';
import type { KeeperConfig } from '../../config.js';
import type { Logger } from '../../log.js';
import type { RelayerMetrics } from '../../metrics.js';
import type { LiquidationRecord, RelayerStore, StoredMessage } from '../../store/store.js';
import type { AccountBook } from '../book.js';
import { BlockSignal } from '../blockSignal.js';
import { Loop } from '../loop.js';
import type { Planned } from './batches.js';
import { candidateHoldings, type HeldBy } from './candidateHoldings.js';
import { LiquidationsInFlight } from './inFlight.js';
import { LiquidationRecords } from './liquidationRecords.js';
import { OracleWatch } from './oracleWatch.js';
import { LiquidationOutcomes } from './outcomes.js';
import { KeeperStats, type BroadcastStats, type PassStats } from './passStats.js';
import { LiquidationPlanner } from './planner.js';
import { resumeLiquidations } from './resume.js';
import { screenCandidates, type ScreenCandidate } from './screen.js';
import { LiquidationSender, type PassPhases } from './sender.js';
import { SendQuotes } from './sendQuotes.js';
import { SettlementPrices } from './settlementPrices.js';
import { PriceRecords } from './priceRecords.js';
import { holdersOf, positionUnderlyings } from './bookPositions.js';

export type { PassStats } from './passStats.js';

/** The longest a pass waits for the hub's indexer to reach its block before reading every candidate's holdings. */
const INDEXER_WAIT_MS = 300;
/**
 * The least it still waits once the block's prices are read: a node slow to answer the prices is
 * slow to answer the indexer too, and reading every candidate instead costs seconds.
 */
const INDEXER_GRACE_MS = 100;

/** What one pass knows while it confirms its candidates. */
interface PassState {
  state: MarketState;
  /** feeds whose latest move awaits confirmation */
  blocked: ReadonlySet<number>;
  /** records left unsent by a failed attempt, by account: sent again if the account still qualifies */
  retry: Map<string, LiquidationRecord[]>;
  block: number;
}

export class Keeper {
  readonly address: string;
  readonly loop: Loop;
  /** how far the hub's indexer has applied events: a pass waits briefly for it to reach its block */
  readonly hubIndexed = new BlockSignal();
  private readonly hub: TypedContract<typeof marginHubAbi>;
  private readonly provider: RpcProvider;
  private readonly reader: HubReader;
  private readonly wallet: Wallet;
  /** encodes and signs the liquidation transactions on another thread (see SigningWorker) */
  private readonly signer: SigningWorker<typeof marginHubAbi>;
  private readonly nonces: Nonces;
  private readonly watch: OracleWatch;
  private readonly settlementPrices: SettlementPrices;
  private readonly priceRecords: PriceRecords;
  private readonly quotes: SendQuotes;
  private readonly stats: KeeperStats;
  private readonly records: LiquidationRecords;
  private readonly planner: LiquidationPlanner;
  private readonly outcomes: LiquidationOutcomes;
  private readonly sender: LiquidationSender;
  /** accounts whose liquidation this pass's block may not reflect yet */
  private readonly inFlight = new LiquidationsInFlight();
  private settlementScale = 0n;
  /** settlement tokens the keeper can repay with in this pass */
  private budget = 0n;
  /**
   * The budget as last read, beside the passes at each hub block (budgetLoop); undefined until
   * the first read, which the first pass with candidates waits for.
   */
  private latestBudget?: bigint;
  private readonly budgetLoop: Loop;
  /** The hub's settlement token, read by `prepare`: what the keeper repays debt with. */
  private settlementToken!: TypedContract<typeof erc20Abi>;

  constructor(
    private readonly config: KeeperConfig,
    reader: HubReader,
    private readonly book: AccountBook,
    private readonly store: RelayerStore,
    private readonly chains: Map<number, ChainClient>,
    private readonly hubEid: number,
    private readonly log: Logger,
    private readonly metrics: RelayerMetrics,
  ) {
    // Its own connection, polling receipts every 50 ms: a liquidation's latency is what it is for.
    const hub = chains.get(hubEid)!;
    this.provider = new RpcProvider(hub.config.rpcUrl, {
      chainId: hub.config.chainId,
      pollingIntervalMs: 50,
      timeoutMs: hub.config.rpcTimeoutMs,
    });
    this.reader = reader.withProvider(this.provider, new Multicall(this.provider, hub.config.multicall));
    this.wallet = new Wallet(config.key, this.provider);
    this.signer = new SigningWorker(config.key, marginHubAbi);
    this.nonces = new Nonces(this.wallet);
    this.address = this.wallet.address;
    this.hub = new TypedContract(marginHubAbi, reader.hub.address, this.provider);
    this.watch = new OracleWatch({ maxJump: config.maxJump, confirmations: config.jumpConfirmations });
    this.quotes = new SendQuotes(this.provider, this.hub, BigInt(Math.round(config.maxGasPriceGwei * 1e9)), log);
    this.settlementPrices = new SettlementPrices(
      this.reader,
      this.provider,
      this.wallet,
      this.nonces,
      this.quotes,
      log,
      (markets) => holdersOf(book, markets),
    );
    this.priceRecords = new PriceRecords(this.reader, this.provider, this.wallet, this.nonces, this.quotes, log, () =>
      positionUnderlyings(book, this.reader.listedMarkets()),
    );
    this.stats = new KeeperStats(metrics);
    this.records = new LiquidationRecords(store, chains, log, metrics);
    this.planner = new LiquidationPlanner(this.reader, book, this.watch, this.records, hubEid, log);
    this.outcomes = new LiquidationOutcomes({
      config,
      provider: this.provider,
      receipts: new ReceiptWatcher(this.provider, hub.heads, 100),
      hub: this.hub,
      reader: this.reader,
      nonces: this.nonces,
      store,
      records: this.records,
      planner: this.planner,
      inFlight: this.inFlight,
      settlementScale: () => this.settlementScale,
      hubEid,
      log,
    });
    this.sender = new LiquidationSender({
      config,
      keeper: this.address,
      chainId: hub.config.chainId,
      provider: this.provider,
      hub: this.hub,
      signer: this.signer,
      nonces: this.nonces,
      quotes: this.quotes,
      store,
      outcomes: this.outcomes,
      stats: this.stats,
      log,
    });
    this.loop = new Loop('keeper', () => this.pass(), log, 250);
    this.budgetLoop = new Loop(
      'keeper-budget',
      async () => {
        this.latestBudget = await this.repayBudget();
      },
      log,
    );
    hub.heads.onHead(() => {
      this.loop.trigger();
      this.quotes.trigger();
      this.budgetLoop.trigger();
    });
  }

  /** the latest passes (at most 10,000), oldest first */
  get passes(): readonly PassStats[] {
    return this.stats.passes;
  }

  /** how long the node took to accept each broadcast (ms), with the pass's block: the latest 10,000 */
  get broadcasts(): readonly BroadcastStats[] {
    return this.stats.broadcasts;
  }

  /** Lets the hub pull the keeper's settlement tokens for repayments (once), then resumes unfinished records. */
  async prepare(): Promise<void> {
    this.signer.warm();
    this.settlementScale = await this.hub.read('settlementScale', []);
    this.settlementToken = new TypedContract(erc20Abi, await this.hub.read('settlementToken', []), this.provider);
    if ((await this.settlementToken.read('allowance', [this.address, this.hub.address])) < 2n ** 128n) {
      const tx = await this.settlementToken.connect(this.wallet).write('approve', [this.hub.address, 2n ** 256n - 1n]);
      await waitForReceipt(this.provider, tx.hash);
    }
    await resumeLiquidations({
      keeper: this.address,
      provider: this.provider,
      hub: this.hub,
      store: this.store,
      records: this.records,
      outcomes: this.outcomes,
    });
  }

  /** Resolves once the node has answered every broadcast sent so far (for stepping the services one pass at a time). */
  async broadcastsAnswered(): Promise<void> {
    await this.sender.answered();
  }

  /** The indexer saw packets move: a delivered SEIZE of a submitted liquidation has paid the keeper on its chain. */
  onPackets(messages: readonly StoredMessage[]): void {
    this.records.onPackets(messages);
  }

  async stop(): Promise<void> {
    this.outcomes.stopping();
    await Promise.all([
      this.loop.stop(),
      this.settlementPrices.stop(),
      this.priceRecords.stop(),
      this.quotes.stop(),
      this.budgetLoop.stop(),
    ]);
    await this.broadcastsAnswered();
    await this.signer.close();
    await this.outcomes.stop();
    await this.store.flushLiquidations();
    this.provider.destroy();
  }

  // ---------------------------------------------------------------------------------- the pass

  private async pass(): Promise<void> {
    const hubChain = this.chains.get(this.hubEid)!;
    const block = hubChain.heads.head;
    if (block < 0 || !this.book.loaded()) return;
    const started = performance.now();
    // How long the head waited for this pass (a pass under way, or the event loop busy).
    const afterHeadMs = Date.now() - hubChain.heads.seenAt;
    const requests = this.provider.requests + this.reader.multicall.requests;
    this.records.settleDelivered();
    const phases: Record<string, number> = {};
    // Each phase's first end: the sends repeat as the candidates' holdings arrive.
    const phase = (name: string) => (phases[name] ??= Math.round(performance.now() - started));
    // When the signing thread finished the pass's last chunk: what the pass waited for after it is
    // its own thread's backlog (answers, and the other services' work queued meanwhile).
    const signedByThread = (at: number) =>
      (phases['thread signed last'] = Math.max(
        phases['thread signed last'] ?? 0,
        Math.round(at - performance.timeOrigin - started),
      ));
    const marks: PassPhases = { phase, signedByThread };
    const state = await this.reader.marketState(block);
    this.settlementPrices.check(state.timestamp);
    this.priceRecords.check(state.timestamp, state.prices);
    phase('prices');
    const { spots, blocked } = this.observeFeeds(state.prices, block);
    // An account whose liquidation is on its way to the hub (or mined after this block, or after
    // the book read it) is not planned again; one whose attempt failed without a named refusal is
    // retried with the same records.
    const open = this.store.unfinishedLiquidations().filter((l) => l.status === 'planned');
    const inFlight = this.inFlight.notReflectedAt(
      block,
      open.filter((l) => l.txHash).map((l) => l.account),
      (account) => this.book.entry(account)?.block,
    );
    const retry = new Map<string, LiquidationRecord[]>();
    for (const l of open) if (!l.txHash) retry.set(l.account, [...(retry.get(l.account) ?? []), l]);
    const entries = [...this.book.holdings()];
    const candidates = screenCandidates(this.reader, entries, spots, state.timestamp).filter(
      (c) => !inFlight.has(c.accountId),
    );
    phase('screen');
    let sent = 0;
    const confirmed = { known: 0, read: 0 };
    if (candidates.length > 0) {
      // The budget as last read (beside the passes); only the first pass with candidates waits for it.
      this.budget = this.latestBudget ??= await this.repayBudget();
      if (this.budget === 0n)
        this.log.warn(
          { keeper: this.address },
          'the keeper has no settlement tokens left to repay debt with: only position takeovers',
        );
      // What every transaction of the pass shares (fees, SEIZE fees, the first nonce), known
      // before confirming: each chunk confirmed goes to the signing thread in the same step. No
      // await unless something was never read: an await lets the other services' queued work run first.
      const assets = this.collateralAssets(candidates);
      const context =
        this.sender.knownContext(assets, this.budget, this.settlementScale) ??
        (await this.sender.context(assets, this.budget, this.settlementScale));
      phase('send context');
      const sends: Array<Promise<void>> = [];
      // Confirm every candidate exactly at this block, most urgent first, and send what is
      // confirmed while the rest is confirmed and read.
      try {
        // The book's holdings stand for the chain's at this block once the hub's indexer has
        // applied it (a read or two behind the head): worth a short wait, against reading every candidate.
        const waited = performance.now() - started;
        if (this.hubIndexed.block < block)
          await this.hubIndexed.until(block, Math.max(INDEXER_GRACE_MS, INDEXER_WAIT_MS - waited));
        const confirmAndSend = (rows: readonly HeldBy[]) => {
          const planned = rows.flatMap(({ accountId, holdings }) =>
            this.confirm(accountId, holdings, { state, blocked, retry, block }),
          );
          sent += planned.length;
          if (planned.length > 0) sends.push(this.sender.send(planned, context, block, marks));
        };
        const indexedTo = this.store.checkpoint(this.hubEid)?.block ?? -1;
        const { known, reads, count } = candidateHoldings(this.book, this.reader, candidates, block, indexedTo);
        Object.assign(confirmed, count);
        // The known ones in one synchronous stretch: each chunk is posted to the signing thread as
        // it is confirmed, and nothing else runs in between.
        for (const chunk of known) confirmAndSend(chunk);
        phase('confirmed known');
        for (const read of reads) confirmAndSend(await read);
        phase('confirmed');
      } finally {
        // Every send is awaited, and the first failure (what it held is retried next pass) fails the pass.
        const failed = (await Promise.allSettled(sends)).find((s) => s.status === 'rejected');
        if (failed) throw failed.reason;
      }
    }
    for (const record of [...retry.values()].flat())
      this.records.finish(record, 'dropped', 'account no longer liquidatable when retried');
    phases.done = Math.round(performance.now() - started);
    if (performance.now() - started > 250)
      this.log.info(
        { block, afterHeadMs, phases, candidates: candidates.length, ...confirmed, sent },
        'slow keeper pass (ms at the first end of each phase)',
      );
    this.stats.recordPass({
      block,
      ms: performance.now() - started,
      requests: this.provider.requests + this.reader.multicall.requests - requests,
      screened: entries.length,
      candidates: candidates.length,
      planned: sent,
    });
    void this.updateGauges().catch(() => undefined);
  }

  /**
   * What to send for one candidate, on its holdings at the pass's block: nothing if it is healthy,
   * lacks a trusted price or depends on a held one; its records left unsent by a failed attempt;
   * else what the planner plans. A record retried is taken out of `retry`.
   */
  private confirm(accountId: string, holdings: Holdings, pass: PassState): Planned[] {
    const risk = this.reader.maintenanceRisk(accountId, holdings, pass.state);
    if (risk.priceErrors.length > 0 || risk.health === undefined || risk.health >= WAD) return [];
    const held = risk.feeds.filter((f) => pass.blocked.has(f));
    if (held.length > 0) {
      this.log.info(
        { account: accountId, feeds: held },
        'liquidation held: a price it depends on jumped and awaits confirmation',
      );
      return [];
    }
    const retried = pass.retry.get(accountId);
    pass.retry.delete(accountId);
    return (
      retried?.map((record, round) => ({ record, risk, round })) ??
      this.planner.planAccount(risk, holdings, pass.state, pass.block, {
        budget: this.budget,
        settlementScale: this.settlementScale,
      })
    );
  }

  private observeFeeds(
    prices: Map<number, PriceReading>,
    block: number,
  ): { spots: Map<number, bigint>; blocked: Set<number> } {
    const spots = new Map<number, bigint>();
    const blocked = new Set<number>();
    for (const [feed, reading] of prices) {
      const state = this.watch.observe(feed, reading, block, Date.now());
      if (state.status === 'ok') spots.set(feed, state.price);
      else blocked.add(feed);
      if (state.status === 'held')
        this.log.warn({ feed, price: state.price.toString(), seen: state.seen }, 'price jump held for confirmation');
    }
    return { spots, blocked };
  }

  /** The collateral assets the candidates hold, as the book last read them. */
  private collateralAssets(candidates: readonly ScreenCandidate[]): number[] {
    const assets = new Set<number>();
    for (const { accountId } of candidates)
      for (const { assetId } of this.book.entry(accountId)?.holdings.collateral ?? []) assets.add(assetId);
    return [...assets];
  }

  /** Everything the keeper holds in settlement tokens, up to a configured cap (token units). */
  private async repayBudget(): Promise<bigint> {
    const balance = await this.settlementToken.read('balanceOf', [this.address]);
    const cap = BigInt(Math.floor(this.config.maxRepayUsd)) * (WAD / this.settlementScale);
    return balance < cap ? balance : cap;
  }

  private async updateGauges(): Promise<void> {
    const [socialised, unowned, index, insurance] = await Promise.all([
      this.hub.read('socialisedLoss', []),
      this.hub.read('unownedLoss', []),
      this.hub.read('cashIndex', []),
      this.hub.read('insuranceFund', []),
    ]);
    this.metrics.socialisedLossUsd.set(Number(socialised) / 1e18);
    this.metrics.unownedLossUsd.set(Number(unowned) / 1e18);
    this.metrics.cashIndex.set(Number(index) / 1e18);
    this.metrics.insuranceFundUsd.set(Number(insurance) / 1e18);
  }
}
