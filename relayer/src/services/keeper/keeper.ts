/**
 * The liquidation keeper, driven by hub heads. Each pass, at the new block: it reads every feed
 * the book depends on (one batched call, shared with the book; refusing untrusted feeds and
 * holding sudden jumps, see OracleWatch), screens every holding in the book with the float64
 * path, confirms each candidate with the exact model's maintenance figures on its holdings at
 * that block (the book's when no event has touched the account since the book read them, else
 * read, many per call), and sends the liquidations of the confirmed ones in as few transactions
 * as fit, chunk by chunk: each is encoded and signed on another thread (SigningWorker) while the
 * next is confirmed. A liquidation repays debt against collateral (chosen by seizeChoice), or
 * takes over a position when there is no debt.
 *
 * A pass never waits for a transaction to be mined or accepted by the node, for another chain,
 * or for the book's store: broadcasts and receipts are handled when they are answered, and the
 * SEIZE's arrival on the collateral chain is reported by that chain's indexer (`onPackets`).
 * Every liquidation is a persisted state machine (see LiquidationRecord) in the keeper's own
 * store file, its transaction hash on disk (journaled) before each broadcast, so a keeper killed
 * anywhere resumes after restart without liquidating twice.
 *
 * Each pass also hands the block's time to SettlementPrices, which fixes the settlement price of
 * every option that expired, in its own loop (settlementPrices.ts).
 */
import { Wallet, type TransactionReceipt } from 'ethers';
import { erc20Abi, marginHubAbi } from '@omnichain-collateral/sdk/abi';
import { Multicall } from '@omnichain-collateral/sdk/contracts/multicall';
import { revertReason } from '@omnichain-collateral/sdk/contracts/revert';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { WAD } from '@omnichain-collateral/sdk/risk/fixedPoint';
import { MessageType } from '@omnichain-collateral/sdk/messageCodec';
import type { ChainClient } from '../../chain/clients.js';
import type { Holdings, MaintenanceRisk, MarketState, PriceReading } from '@omnichain-collateral/sdk/risk/accountRisk';
import type { HubReader } from '../../chain/hubReader.js';
import { Nonces } from '../../chain/nonces.js';
import { ReceiptWatcher, waitForReceipt, type MinedReceipt } from '../../chain/receipts.js';
import { RpcProvider } from '../../chain/rpc.js';
import { SigningWorker, type ContractCall } from '../../chain/signingWorker.js';
import type { KeeperConfig } from '../../config.js';
import type { Logger } from '../../log.js';
import type { RelayerMetrics } from '../../metrics.js';
import {
  isDropped,
  isFinished,
  type LiquidationRecord,
  type LiquidationStatus,
  type RelayerStore,
  type StoredMessage,
} from '../../store/store.js';
import type { AccountBook } from '../book.js';
import { BlockSignal } from '../blockSignal.js';
import { Loop } from '../loop.js';
import { OracleWatch } from './oracleWatch.js';
import { screenCandidates, type ScreenCandidate } from './screen.js';
import { chooseCollateral, choosePosition } from './seizeChoice.js';
import { batchLiquidations, type Planned } from './batches.js';
import { LiquidationsInFlight } from './inFlight.js';
import {
  eventKey,
  hubEvents,
  type LiquidatedEvent,
  type LiquidationSkippedEvent,
  type PositionLiquidatedEvent,
} from './receiptEvents.js';
import { afterSeizingWhole } from './seizeWhole.js';
import { SettlementPrices } from './settlementPrices.js';
import { SendQuotes, type Quotes } from './sendQuotes.js';

/** The longest a pass waits for the hub's indexer to reach its block before reading every candidate's holdings. */
const INDEXER_WAIT_MS = 300;
/**
 * The least it still waits once the block's prices are read: a node slow to answer the prices is
 * slow to answer the indexer too, and reading every candidate instead costs seconds.
 */
const INDEXER_GRACE_MS = 100;
/**
 * Of the candidates whose holdings the book knows, this many of the most urgent are confirmed
 * first: a small first chunk starts the signing thread early, and its transactions are the first broadcast.
 */
const URGENT_FIRST = 200;
/**
 * The rest are confirmed in chunks of this many: each goes to the signing thread as soon as it is
 * confirmed, and is signed while the next is confirmed.
 */
const CONFIRM_CHUNK = 500;

/** One keeper pass, for the figures the demo prints. */
export interface PassStats {
  block: number;
  ms: number;
  /** JSON-RPC requests the pass sent */
  requests: number;
  screened: number;
  candidates: number;
  planned: number;
}

export class Keeper {
  readonly address: string;
  readonly loop: Loop;
  /** the latest passes (at most 10,000), oldest first */
  readonly passes: PassStats[] = [];
  private readonly hub: TypedContract<typeof marginHubAbi>;
  private readonly provider: RpcProvider;
  private readonly reader: HubReader;
  private readonly wallet: Wallet;
  /** encodes and signs the liquidation transactions on another thread (see SigningWorker) */
  private readonly signer: SigningWorker<typeof marginHubAbi>;
  private readonly receipts: ReceiptWatcher;
  private readonly nonces: Nonces;
  private readonly watch: OracleWatch;
  private readonly settlementPrices: SettlementPrices;
  private readonly quotes: SendQuotes;
  private settlementScale = 0n;
  /** settlement tokens the keeper can repay with in this pass */
  private budget = 0n;
  /**
   * The budget as last read, beside the passes at each hub block (budgetLoop); undefined until
   * the first read, which the first pass with candidates waits for.
   */
  private latestBudget?: bigint;
  private readonly budgetLoop: Loop;
  /**
   * Broadcasts the node has not answered yet. A pass does not wait for them: a node busy
   * executing a block (anvil holds every send until it is done) would hold the next pass back.
   */
  private readonly broadcasting = new Set<Promise<void>>();
  /** how long the node took to accept each broadcast (ms), with the pass's block: the latest 10,000 */
  readonly broadcasts: Array<{ block: number; ms: number }> = [];
  /** The hub's settlement token, read by `prepare`: what the keeper repays debt with. */
  private settlementToken!: TypedContract<typeof erc20Abi>;
  private sequence = 0;
  /**
   * What the hub refused as nothing to take (dust collateral, a closed position), by account, then
   * `asset:id` or `market:id`, with the book's block for the account then: not tried again until
   * an event changes the account, so the keeper moves on to what it can take.
   */
  private readonly refused = new Map<string, Map<string, number>>();
  /** accounts whose liquidation this pass's block may not reflect yet */
  private readonly inFlight = new LiquidationsInFlight();
  /** receipts being waited for, by record id */
  private readonly waiting = new Map<string, Promise<void>>();
  private stopped = false;
  /** how far the hub's indexer has applied events: a pass waits briefly for it to reach its block */
  readonly hubIndexed = new BlockSignal();

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
    this.receipts = new ReceiptWatcher(this.provider, hub.heads, 100);
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
    );
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

  /** Lets the hub pull the keeper's settlement tokens for repayments (once), then resumes unfinished records. */
  async prepare(): Promise<void> {
    this.signer.warm();
    this.settlementScale = await this.hub.read('settlementScale', []);
    this.settlementToken = new TypedContract(erc20Abi, await this.hub.read('settlementToken', []), this.provider);
    if ((await this.settlementToken.read('allowance', [this.address, this.hub.address])) < 2n ** 128n) {
      const tx = await this.settlementToken.connect(this.wallet).write('approve', [this.hub.address, 2n ** 256n - 1n]);
      await waitForReceipt(this.provider, tx.hash);
    }
    await this.resume();
  }

  /** Resolves once the node has answered every broadcast sent so far (for stepping the services one pass at a time). */
  async broadcastsAnswered(): Promise<void> {
    await Promise.allSettled(this.broadcasting);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.loop.stop(), this.settlementPrices.stop(), this.quotes.stop(), this.budgetLoop.stop()]);
    await this.broadcastsAnswered();
    await this.signer.close();
    this.receipts.stop();
    await Promise.allSettled(this.waiting.values());
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
    this.settleDelivered();
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
    const state = await this.reader.marketState(block);
    this.settlementPrices.check(state.timestamp);
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
      const context = this.knownSendContext(assets) ?? (await this.sendContext(assets));
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
          if (planned.length > 0) sends.push(this.sendAll(planned, context, block, { phase, signedByThread }));
        };
        const { known, reads } = this.holdingsAt(candidates, block, confirmed);
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
      this.finish(record, 'dropped', 'account no longer liquidatable when retried');
    phases.done = Math.round(performance.now() - started);
    if (performance.now() - started > 250)
      this.log.info(
        { block, afterHeadMs, phases, candidates: candidates.length, ...confirmed, sent },
        'slow keeper pass (ms at the first end of each phase)',
      );
    this.recordPass({
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
   * else what planAccount plans. A record retried is taken out of `retry`.
   */
  private confirm(
    accountId: string,
    holdings: Holdings,
    pass: { state: MarketState; blocked: ReadonlySet<number>; retry: Map<string, LiquidationRecord[]>; block: number },
  ): Planned[] {
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
      this.planAccount(risk, holdings, pass.state, pass.block)
    );
  }

  /**
   * The candidates' holdings at `block`, in their order: those the book knows without a read (no
   * event since it read them, see AccountBook.knownHoldings) in chunks, the URGENT_FIRST most
   * urgent first, then CONFIRM_CHUNK at a time; the others read, a batch of
   * `HubReader.holdingsBatches` each, every read started now.
   */
  private holdingsAt(
    candidates: readonly ScreenCandidate[],
    block: number,
    count: { known: number; read: number },
  ): { known: HeldBy[][]; reads: Array<Promise<HeldBy[]>> } {
    const indexedTo = this.store.checkpoint(this.hubEid)?.block ?? -1;
    const known: HeldBy[] = [];
    const unknown: string[] = [];
    for (const { accountId } of candidates) {
      const holdings = this.book.knownHoldings(accountId, block, indexedTo);
      if (holdings) known.push({ accountId, holdings });
      else unknown.push(accountId);
    }
    count.known = known.length;
    count.read = unknown.length;
    const reads = this.reader
      .holdingsBatches(unknown, block)
      .map(({ accountIds, holdings }) =>
        holdings.then((rows) => accountIds.map((accountId, j) => ({ accountId, holdings: rows[j]! }))),
      );
    // Every read is awaited by the pass unless a send fails first: none may reject unobserved.
    void Promise.allSettled(reads);
    const chunks = known.length > 0 ? [known.slice(0, URGENT_FIRST)] : [];
    for (let start = URGENT_FIRST; start < known.length; start += CONFIRM_CHUNK)
      chunks.push(known.slice(start, start + CONFIRM_CHUNK));
    return { known: chunks, reads };
  }

  private recordBroadcast(block: number, ms: number): void {
    this.broadcasts.push({ block, ms });
    if (this.broadcasts.length > 10_000) this.broadcasts.shift();
    this.metrics.keeperBroadcastMs.observe(ms);
  }

  private recordPass(stats: PassStats): void {
    this.passes.push(stats);
    if (this.passes.length > 10_000) this.passes.shift();
    this.metrics.keeperPassMs.observe(stats.ms);
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

  // ---------------------------------------------------------------------------------- planning

  /**
   * The liquidations an unhealthy account needs this pass, in the order the hub is to run them
   * (`round`): collateral ones (seizeChoice), each after the one before on the holdings it leaves
   * while that one seizes all of its asset and leaves the account unhealthy (seizeWhole.ts), then
   * at most one position takeover, when there is no debt to repay or nothing left to repay it
   * against.
   */
  private planAccount(risk: MaintenanceRisk, holdings: Holdings, state: MarketState, block: number): Planned[] {
    const skipAssets = this.refusedOf(risk.accountId, 'asset');
    const skipMarkets = this.refusedOf(risk.accountId, 'market');
    const terms = {
      params: this.reader.liquidationParams(),
      maxRepayUsd: this.budget * this.settlementScale,
      stepUsd: this.settlementScale,
    };
    const out: Planned[] = [];
    // Each round seizes an asset not seized before: at most one per asset it holds now, then the
    // takeover. (The bound is taken before `risk` becomes the holdings a round leaves, which hold
    // one asset fewer each.)
    const rounds = risk.collateral.length + 1;
    for (let round = 0; round < rounds; round++) {
      const collateral =
        risk.cash < 0n && this.budget > 0n ? chooseCollateral(risk, this.hubEid, skipAssets) : undefined;
      if (!collateral) {
        const position = choosePosition(risk, skipMarkets);
        const marketId = position?.market.marketId;
        if (marketId !== undefined)
          out.push({ record: this.plan(risk, block, { kind: 'position', marketId }), risk, round });
        break;
      }
      const { assetId, eid } = collateral.asset;
      out.push({ record: this.plan(risk, block, { kind: 'collateral', assetId, dstEid: eid }), risk, round });
      const after = afterSeizingWhole(risk, holdings, assetId, terms);
      if (!after) break;
      skipAssets.add(assetId);
      holdings = after;
      risk = this.reader.maintenanceRisk(risk.accountId, holdings, state);
      if (risk.health === undefined || risk.health >= WAD) break;
    }
    return out;
  }

  /** Assets or markets of this account the hub refused as nothing to take, since the book last read it. */
  private refusedOf(account: string, kind: 'asset' | 'market'): Set<number> {
    const since = this.book.entry(account)?.block ?? 0;
    const out = new Set<number>();
    for (const [what, block] of this.refused.get(account) ?? []) {
      const [k, id] = what.split(':') as [string, string];
      if (k === kind && since <= block) out.add(Number(id));
    }
    return out;
  }

  private plan(
    risk: MaintenanceRisk,
    block: number,
    what: Pick<LiquidationRecord, 'kind' | 'assetId' | 'dstEid' | 'marketId'>,
  ): LiquidationRecord {
    const seen = this.watch.lastChange(risk.feeds);
    const record: LiquidationRecord = {
      id: `${risk.accountId}:${block}:${this.sequence++}`,
      account: risk.accountId,
      status: 'planned',
      attempts: 0,
      healthAtPlan: risk.health!.toString(),
      priceSeenAt: seen.at,
      priceSeenBlock: seen.block,
      plannedAt: Date.now(),
      plannedBlock: block,
      ...what,
    };
    this.put(record);
    this.log.info(
      { id: record.id, account: record.account, kind: record.kind, health: record.healthAtPlan },
      'liquidation planned',
    );
    return record;
  }

  /**
   * Sends a chunk of the pass's liquidations in as few transactions as fit: the collateral ones
   * of one asset in `liquidateBatch` calls (one repayment and one SEIZE for all), the position
   * takeovers in `liquidatePositions` calls (the keeper's margin checked once), each batch up to
   * the gas and account limits; a lone liquidation uses the single call, whose refusal names its
   * reason. Every transaction is signed on the signing thread with consecutive nonces, and its hash
   * recorded on each of its records and journaled before they are broadcast together: a keeper
   * killed at any point finds each by its hash after restart. No gas estimate (a round trip, and a search over many
   * executions on the node): the limit comes from the accounts' sizes, and the hub refusing is
   * seen in the receipt.
   */
  private async sendAll(
    toSend: readonly Planned[],
    context: SendContext,
    block: number,
    { phase, signedByThread }: { phase: (name: string) => void; signedByThread: (at: number) => void },
  ): Promise<void> {
    // Numbered and handed to the signing thread before the first await (unless a fee was never
    // read): the pass confirms the next chunk while this one is signed, and the chunks' nonces
    // follow their order.
    const unquoted = [
      ...new Set(toSend.filter(({ record }) => record.kind === 'collateral').map(({ record }) => record.assetId!)),
    ].filter((asset) => !context.seizeFee.has(asset));
    if (unquoted.length > 0) await this.addSeizeFees(unquoted, context);
    const txs = this.transactions(toSend, context);
    const nonce = this.nonces.takeKnown(txs.length) ?? (await this.nonces.take(txs.length));
    const chainId = this.chains.get(this.hubEid)!.config.chainId;
    const { transactions: signed, finishedAt } = await this.signer
      .sign(
        txs.map(({ call, value, gasLimit }, i) => ({
          chainId,
          nonce: nonce + i,
          to: this.hub.address,
          call,
          value,
          gasLimit,
          ...context.fees,
        })),
      )
      .catch((err: unknown) => {
        // Nothing was sent: the nonces taken are free again, and the records are retried next pass.
        this.nonces.reset();
        throw err;
      });
    signedByThread(finishedAt);
    const raws = signed.map(({ raw }) => raw);
    txs.forEach((tx, i) => {
      for (const record of tx.records) {
        record.attempts++;
        record.txHash = signed[i]!.hash;
      }
    });
    phase('signed');
    // Put and on disk, with their hashes, before any is broadcast.
    this.store.journalLiquidations(txs.flatMap((tx) => tx.records));
    phase('journaled');
    // Broadcast without waiting: the records carry their hashes, so the next pass already counts
    // them as in flight, and a refused one comes back as a record to retry (see broadcast).
    const sending = this.broadcast(txs, raws, block).catch((err: unknown) =>
      this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'keeper broadcast failed'),
    );
    this.broadcasting.add(sending);
    void sending.finally(() => this.broadcasting.delete(sending));
  }

  /** Sends signed transactions together; each the node accepts is tracked to its receipt, each it refuses fails its records. */
  private async broadcast(txs: readonly LiquidationTx[], raws: readonly string[], block: number): Promise<void> {
    const started = performance.now();
    await Promise.all(
      txs.map(async ({ records }, i) => {
        const hash = records[0]!.txHash!;
        try {
          await this.provider.send('eth_sendRawTransaction', [raws[i]]);
          this.recordBroadcast(block, performance.now() - started);
          this.log.debug({ ids: records.map((r) => r.id), tx: hash }, 'liquidation sent');
          this.track(records, hash);
        } catch (err) {
          // An answer lost on the way (a timeout) does not mean the node refused it: ask.
          if (await this.provider.getTransaction(hash).catch(() => null)) return this.track(records, hash);
          // Refused: the nonces after it are not usable either; read them afresh next time. A
          // nonce another sender of this key took is not the liquidation failing: not an attempt.
          this.nonces.reset();
          const nonceTaken = /nonce/i.test(err instanceof Error ? err.message : String(err));
          for (const record of records) {
            delete record.txHash;
            if (nonceTaken) record.attempts--;
          }
          await this.failed(records, err);
        }
      }),
    );
  }

  /** The pass's liquidations as hub transactions: batches by asset, and of position takeovers (see batches.ts). */
  private transactions(toSend: readonly Planned[], context: SendContext): LiquidationTx[] {
    const limits = { gas: BigInt(this.config.batchGas), repayUsd: context.budget * this.settlementScale };
    return batchLiquidations(toSend, limits).map((b) => this.transaction(b.planned, b.gas, context));
  }

  private transaction(batch: readonly Planned[], gasLimit: bigint, context: SendContext): LiquidationTx {
    const records = batch.map((p) => p.record);
    const first = records[0]!;
    if (first.kind === 'collateral') {
      const asset = first.assetId!;
      const call: HubCall =
        batch.length === 1
          ? { name: 'liquidate', args: [first.account, asset, context.budget, this.address, '0x'] }
          : {
              name: 'liquidateBatch',
              args: [records.map((r) => r.account), asset, context.budget, this.address, '0x'],
            };
      return { records, call, value: context.seizeFee.get(asset) ?? 0n, gasLimit };
    }
    const takeovers = batch.map(({ record, risk }) => {
      const size = risk.positions.find((p) => p.market.marketId === record.marketId)?.size ?? 0n;
      return { account: record.account, marketId: record.marketId!, maxSize: size < 0n ? -size : size };
    });
    const call: HubCall =
      batch.length === 1
        ? {
            name: 'liquidatePosition',
            args: [takeovers[0]!.account, takeovers[0]!.marketId, takeovers[0]!.maxSize, this.config.subAccount],
          }
        : { name: 'liquidatePositions', args: [takeovers, this.config.subAccount] };
    return { records, call, value: 0n, gasLimit };
  }

  /** The collateral assets the candidates hold, as the book last read them. */
  private collateralAssets(candidates: readonly ScreenCandidate[]): number[] {
    const assets = new Set<number>();
    for (const { accountId } of candidates)
      for (const { assetId } of this.book.entry(accountId)?.holdings.collateral ?? []) assets.add(assetId);
    return [...assets];
  }

  /**
   * What every liquidation sent in one pass shares: fees, the SEIZE fee of each of `assets`, the
   * repayment budget, once the next nonce is known. As last read, beside the passes: a pass
   * waits only for what was never read.
   */
  private async sendContext(assets: readonly number[]): Promise<SendContext> {
    const [quotes] = await Promise.all([this.quotes.current(assets), this.nonces.known()]);
    return { budget: this.budget, ...quotes };
  }

  /** The same without waiting, when everything it needs was read before (the passes after the first). */
  private knownSendContext(assets: readonly number[]): SendContext | undefined {
    const quotes = this.quotes.known(assets);
    return quotes && this.nonces.isKnown() ? { budget: this.budget, ...quotes } : undefined;
  }

  /**
   * Reads into the pass's context the SEIZE fees it lacks (an account read during the pass holds
   * an asset the book did not show).
   */
  private async addSeizeFees(assets: readonly number[], context: SendContext): Promise<void> {
    for (const [asset, fee] of (await this.quotes.current(assets)).seizeFee) context.seizeFee.set(asset, fee);
  }

  /** Waits for the receipt beside the passes; a reverted one is explained by replaying it. */
  private track(records: readonly LiquidationRecord[], txHash: string): void {
    const done = (async () => {
      try {
        const receipt = await this.mined(txHash);
        if (receipt.status === 1) this.applyReceipt(records, receipt);
        else await this.failed(records, { code: 'CALL_EXCEPTION', message: 'reverted on-chain', receipt }, txHash);
      } catch (err) {
        if (!this.stopped) await this.failed(records, err, txHash);
      }
      // Not flushed here: a record left planned with its hash finds this receipt again after a
      // restart (resumeSent), and the store's timer writes it meanwhile.
    })();
    for (const record of records) {
      this.waiting.set(record.id, done);
      void done.finally(() => this.waiting.delete(record.id));
    }
  }

  /**
   * The receipt, however long the node takes while it still has the transaction: giving up on one
   * the node may yet mine, and sending the liquidation again, could liquidate twice.
   */
  private async mined(txHash: string): Promise<MinedReceipt> {
    for (;;) {
      try {
        return await this.receipts.wait(txHash, 60_000);
      } catch (err) {
        if (this.stopped) throw err;
        const known = await this.provider.getTransaction(txHash).catch(() => undefined);
        if (known === null) throw new Error(`transaction ${txHash} left the node's pool without being mined`);
      }
    }
  }

  /** A transaction that failed, for each of its records: `txHash` is the one it was sent as, if it was. */
  private async failed(records: readonly LiquidationRecord[], err: unknown, txHash?: string): Promise<void> {
    const reason = txHash ? await this.replayReason(txHash, err) : revertReason(err, this.errorInterfaces());
    const code = (err as { code?: string }).code;
    // The hub refusing (a named error: AccountHealthy, StalePrice...) is final; a revert without
    // one (out of gas) or a transport error is retried, up to maxAttempts.
    const refused = code === 'CALL_EXCEPTION' && /^[A-Z]\w*\(/.test(reason);
    // Another sender used this key: forget the local nonce and let the retry read it.
    if (code === 'NONCE_EXPIRED' || code === 'REPLACEMENT_UNDERPRICED') this.nonces.reset();
    for (const record of records) {
      if (refused) this.refuse(record, reason);
      else if (record.attempts >= this.config.maxAttempts) this.finish(record, 'failed', reason);
      else {
        // Forget the failed transaction: the next pass re-checks the account and sends this record again.
        delete record.txHash;
        record.reason = reason;
        this.put(record);
        this.log.warn(
          { id: record.id, attempt: record.attempts, reason },
          'liquidation attempt failed; the next pass re-checks the account',
        );
      }
    }
    await this.store.flushLiquidations();
  }

  /**
   * The hub refused this liquidation (`reason`, a named error). Nothing to take of an asset or
   * market is remembered, so the keeper moves on to what it can take until the account changes.
   */
  private refuse(record: LiquidationRecord, reason: string): void {
    if (/^(NothingToLiquidate|NoCollateral|NoPosition|NoDebtToRepay)\(/.test(reason)) {
      const what = record.kind === 'collateral' ? `asset:${record.assetId}` : `market:${record.marketId}`;
      const account = this.refused.get(record.account) ?? new Map<string, number>();
      this.refused.set(record.account, account.set(what, this.book.entry(record.account)?.block ?? 0));
    }
    this.finish(record, 'dropped', reason);
  }

  /** Why a mined transaction reverted: the named error it gives when replayed on the state before it. */
  private async replayReason(txHash: string, err: unknown): Promise<string> {
    const interfaces = this.errorInterfaces();
    try {
      const [tx, receipt] = await Promise.all([
        this.provider.getTransaction(txHash),
        this.provider.getTransactionReceipt(txHash),
      ]);
      if (!tx || !receipt) return revertReason(err, interfaces);
      await this.provider.call({
        from: tx.from,
        to: tx.to,
        data: tx.data,
        value: tx.value,
        blockTag: receipt.blockNumber - 1,
      });
      return revertReason(err, interfaces);
    } catch (replayed) {
      return revertReason(replayed, interfaces);
    }
  }

  private errorInterfaces() {
    return [this.hub.interface, this.reader.engine.interface];
  }

  /** Everything the keeper holds in settlement tokens, up to a configured cap (token units). */
  private async repayBudget(): Promise<bigint> {
    const balance = await this.settlementToken.read('balanceOf', [this.address]);
    const cap = BigInt(Math.floor(this.config.maxRepayUsd)) * (WAD / this.settlementScale);
    return balance < cap ? balance : cap;
  }

  /**
   * What the hub did with each record of a mined transaction, single or batch: its own events, by
   * account. The receipt's logs are decoded once for all its records (a batch's receipt has a few
   * logs per account, and decoding them again for each of its records cost the keeper most of its
   * time in a 10,000-account crash).
   */
  private applyReceipt(
    records: readonly LiquidationRecord[],
    receipt: Pick<MinedReceipt, 'blockNumber' | 'logs'>,
  ): void {
    const events = hubEvents(receipt.logs, this.hub.address);
    for (const record of records) {
      const key = eventKey(record.account, record.kind === 'collateral' ? record.assetId! : record.marketId!);
      this.applyEvents(record, receipt.blockNumber, {
        liquidated: events.liquidated.get(key),
        taken: events.taken.get(key),
        skipped: events.skipped.get(key),
      });
    }
  }

  private applyEvents(record: LiquidationRecord, hubBlock: number, { liquidated, taken, skipped }: RecordEvents): void {
    record.hubBlock = hubBlock;
    record.submittedAt = Date.now();
    if (liquidated) {
      record.repaidUsd = (liquidated.repaidTokens * this.settlementScale).toString();
      record.seized = liquidated.seized.toString();
      record.guid = liquidated.guid;
      record.orderId = liquidated.orderId.toString();
    }
    if (taken) record.sizeTaken = (taken.sizeTaken < 0n ? -taken.sizeTaken : taken.sizeTaken).toString();
    // A batch passed the account over (another keeper was first, or it is healthy by now).
    if (skipped) return this.refuse(record, revertReason({ data: skipped.reason }, this.errorInterfaces()));
    this.inFlight.mined(record.account, hubBlock);
    this.log.info(
      { id: record.id, account: record.account, tx: record.txHash, seized: record.seized, guid: record.guid },
      'liquidation accepted by the hub',
    );
    // A position takeover is complete in the hub transaction; so is a seize of collateral on the
    // hub chain (the hub pays its own vault directly); any other waits for its SEIZE to arrive.
    if (record.kind === 'position') {
      record.settledAt = record.submittedAt;
      this.transition(record, 'settled');
    } else if (record.dstEid === this.hubEid) {
      record.seizedAt = record.settledAt = record.submittedAt;
      record.seizedBlock = hubBlock;
      this.transition(record, 'settled');
    } else {
      this.transition(record, 'submitted');
      // The SEIZE may already have been delivered and indexed.
      const message = record.guid ? this.store.message(record.guid) : undefined;
      if (message) this.onPackets([message]);
    }
  }

  // ---------------------------------------------------------------------------------- progress

  /** The indexer saw packets move: a delivered SEIZE of a submitted liquidation has paid the keeper on its chain. */
  onPackets(messages: readonly StoredMessage[]): void {
    for (const m of messages) {
      if (m.msgType !== MessageType.SEIZE || !isFinished(m.status)) continue;
      // A batch liquidation's records share one SEIZE: its delivery settles them all.
      for (const record of this.store.liquidationsBySeize(m.guid)) {
        if (record.status !== 'submitted') continue;
        if (isDropped(m.status)) {
          // The hub already moved the collateral to the keeper's account; its chain will never pay it out.
          record.reason = `the SEIZE was ${m.status} by the vault's delegate: the keeper is never paid the ${record.seized ?? ''} seized on endpoint ${m.dstEid}`;
          this.transition(record, 'failed');
          this.log.error(
            { id: record.id, guid: m.guid, status: m.status },
            'liquidation failed: its SEIZE was dropped by the delegate',
          );
          continue;
        }
        // The endpoint emits PacketDelivered only after the vault's lzReceive, which pays the
        // receiver in the same call, returned: delivered is paid.
        record.seizedAt = m.deliveredAt ?? Date.now();
        this.transition(record, 'seized');
        if (record.priceSeenAt > 0) this.metrics.liquidationLatencyMs.observe(record.seizedAt - record.priceSeenAt);
        record.settledAt = record.seizedAt;
        this.transition(record, 'settled');
        const chain = this.chains.get(record.dstEid!)?.config.name;
        this.log.info(
          { id: record.id, account: record.account, chain, seized: record.seized },
          'liquidation settled: SEIZE executed on the collateral chain',
        );
      }
    }
    // Not flushed here: the store's timer writes it, and a record left submitted after a restart
    // finds its delivered SEIZE in the store again (resume).
  }

  /**
   * Submitted records whose SEIZE the store already knows as delivered (by the indexer, or by a
   * devnet worker's receipt): settled here too, so a notification missed on the way never
   * leaves a record unfinished.
   */
  private settleDelivered(): void {
    const delivered: StoredMessage[] = [];
    for (const l of this.store.unfinishedLiquidations()) {
      if (l.status !== 'submitted' || !l.guid) continue;
      const m = this.store.message(l.guid);
      if (m && isFinished(m.status)) delivered.push(m);
    }
    if (delivered.length > 0) this.onPackets(delivered);
  }

  /** After a restart: finds out what became of every record left planned, and whether submitted SEIZEs arrived. */
  private async resume(): Promise<void> {
    const unfinished = this.store.unfinishedLiquidations();
    // The records of one transaction (a batch) resume together: one receipt read, one replay.
    const sent = new Map<string, LiquidationRecord[]>();
    for (const record of unfinished) {
      if (record.status !== 'planned') continue;
      if (record.txHash) sent.set(record.txHash, [...(sent.get(record.txHash) ?? []), record]);
      else await this.resumeUnsent(record);
    }
    for (const [txHash, records] of sent) await this.resumeSent(records, txHash);
    for (const record of unfinished) {
      if (record.status === 'submitted' && record.guid) {
        const message = this.store.message(record.guid);
        if (message) this.onPackets([message]);
      }
    }
    await this.store.flushLiquidations();
  }

  /** Records left planned with the transaction they were signed into: mined, pending, or never sent. */
  private async resumeSent(records: readonly LiquidationRecord[], txHash: string): Promise<void> {
    const receipt = await this.provider.getTransactionReceipt(txHash);
    if (receipt?.status === 1) {
      return this.applyReceipt(records, receipt);
    }
    if (receipt) return this.failed(records, { code: 'CALL_EXCEPTION', message: 'reverted on-chain', receipt }, txHash);
    if (await this.provider.getTransaction(txHash)) return this.track(records, txHash); // still pending
    for (const record of records) {
      delete record.txHash;
      await this.resumeUnsent(record);
    }
  }

  private async resumeUnsent(record: LiquidationRecord): Promise<void> {
    // Interrupted before the transaction was known to be sent: adopt it if the hub has it.
    const adopted = await this.findOnHub(record);
    if (adopted) return this.applyReceipt([record], adopted);
    // Never sent: left planned without a transaction, the next pass sends it again if the account is still
    // liquidatable.
    this.put(record);
  }

  private async findOnHub(record: LiquidationRecord): Promise<TransactionReceipt | null> {
    const logs = await this.hub.queryEvent(
      record.kind === 'collateral' ? 'Liquidated' : 'PositionLiquidated',
      record.account,
      record.plannedBlock,
    );
    const known = new Set(this.store.liquidations().map((l) => l.txHash));
    for (const log of logs) {
      const tx = await this.provider.getTransaction(log.transactionHash);
      if (tx?.from === this.address && !known.has(log.transactionHash)) {
        record.txHash = log.transactionHash;
        this.put(record);
        return this.provider.getTransactionReceipt(log.transactionHash);
      }
    }
    return null;
  }

  private finish(record: LiquidationRecord, status: 'dropped' | 'failed', reason: string): void {
    record.reason = reason;
    this.transition(record, status);
    this.log.info({ id: record.id, account: record.account, status, reason }, `liquidation ${status}`);
  }

  private transition(record: LiquidationRecord, status: LiquidationStatus): void {
    record.status = status;
    this.put(record);
    this.metrics.liquidations.inc({ status });
  }

  /**
   * Records are the store's own objects, changed in place: every change is put, which marks the store for the next
   * flush.
   */
  private put(record: LiquidationRecord): void {
    this.store.putLiquidation(record);
  }

  private async updateGauges(): Promise<void> {
    const [badDebt, insurance] = await Promise.all([this.hub.read('badDebt', []), this.hub.read('insuranceFund', [])]);
    this.metrics.badDebtUsd.set(Number(badDebt) / 1e18);
    this.metrics.insuranceFundUsd.set(Number(insurance) / 1e18);
  }
}

/** The events of one record's account in a receipt. */
interface RecordEvents {
  liquidated: LiquidatedEvent | undefined;
  taken: PositionLiquidatedEvent | undefined;
  skipped: LiquidationSkippedEvent | undefined;
}

interface SendContext extends Quotes {
  budget: bigint;
}

/** A candidate and its holdings at the pass's block. */
interface HeldBy {
  accountId: string;
  holdings: Holdings;
}

type HubCall = ContractCall<typeof marginHubAbi>;

/** One hub transaction: a single liquidation or a batch. */
interface LiquidationTx {
  records: LiquidationRecord[];
  /** what it calls on the hub, encoded with the signature on the signing thread */
  call: HubCall;
  value: bigint;
  gasLimit: bigint;
}
