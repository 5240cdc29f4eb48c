/**
 * The liquidation keeper. Each relayer pass it reads every feed the book depends on (refusing
 * untrusted ones and holding sudden jumps, see OracleWatch), screens the whole book with the
 * float64 path, confirms each candidate with the exact model at the latest block, and liquidates
 * the most urgent first: repay debt against collateral (chosen by seizeChoice), or take over a
 * position when there is no debt. Every liquidation is a persisted state machine in the store
 * (see LiquidationRecord), flushed before each irreversible step, so a keeper killed anywhere
 * resumes after restart without liquidating twice or losing track; the SEIZE itself is carried by
 * the relayer's worker (devnet) or LayerZero's executor, and the keeper confirms it arrived.
 */
import { Contract, JsonRpcProvider, NonceManager, Wallet, type ContractTransactionResponse, type TransactionReceipt } from 'ethers';
import { WAD } from '../../../sdk/src/risk/fixedPoint.js';
import { abis, latestBlock, revertReason, type ChainClient } from '../chains.js';
import type { KeeperConfig } from '../config.js';
import type { AccountRisk, HubReader } from '../hubReader.js';
import type { Logger } from '../log.js';
import type { RelayerMetrics } from '../metrics.js';
import type { LiquidationRecord, LiquidationStatus, RelayerStore } from '../store.js';
import { OracleWatch } from './oracleWatch.js';
import { screenCandidates } from './screen.js';
import { chooseCollateral, choosePosition } from './seizeChoice.js';

const SEIZE = 3;

export class Keeper {
  readonly address: string;
  private readonly hub: Contract;
  private readonly watch: OracleWatch;
  private settlementScale = 0n;
  /** The hub's settlement token, read by `prepare`: what the keeper repays debt with. */
  private settlementToken!: Contract;
  private sequence = 0;

  constructor(
    private readonly config: KeeperConfig,
    private readonly reader: HubReader,
    private readonly store: RelayerStore,
    private readonly chains: Map<number, ChainClient>,
    private readonly hubEid: number,
    private readonly log: Logger,
    private readonly metrics: RelayerMetrics,
  ) {
    // Its own connection, polling receipts every 50 ms: a liquidation's latency is what it is for.
    const hub = chains.get(hubEid)!;
    const hubProvider = new JsonRpcProvider(hub.config.rpcUrl, hub.config.chainId, { staticNetwork: true, pollingInterval: 50 });
    const signer = new NonceManager(new Wallet(config.key, hubProvider));
    this.address = new Wallet(config.key).address;
    this.hub = new Contract(reader.hub.target as string, abis.hub(), signer);
    this.watch = new OracleWatch({ maxJump: config.maxJump, confirmations: config.jumpConfirmations });
  }

  private get hubProvider(): JsonRpcProvider {
    return this.hub.runner!.provider as JsonRpcProvider;
  }

  close(): void {
    this.hubProvider.destroy();
  }

  /** Lets the hub pull the keeper's settlement tokens for repayments (once). */
  async prepare(): Promise<void> {
    this.settlementScale = (await this.hub.getFunction('settlementScale')()) as bigint;
    this.settlementToken = new Contract((await this.hub.getFunction('settlementToken')()) as string, abis.erc20(), this.hub.runner);
    const token = this.settlementToken;
    if (((await token.getFunction('allowance')(this.address, this.hub.target)) as bigint) < 2n ** 128n) {
      await ((await token.getFunction('approve')(this.hub.target, 2n ** 256n - 1n)) as ContractTransactionResponse).wait();
    }
  }

  async runOnce(risks: readonly AccountRisk[]): Promise<void> {
    await this.advance();
    const block = await latestBlock(this.hubProvider);
    const header = await this.hubProvider.getBlock(block);
    const { spots, blocked } = await this.readFeeds(block);
    // An account with a liquidation not yet accepted by the hub is not planned again.
    const active = new Set(this.store.liquidations().filter((l) => l.status === 'planned').map((l) => l.account));
    const candidates = screenCandidates(this.reader, risks, spots, BigInt(header!.timestamp)).filter((c) => !active.has(c.accountId));
    // Confirm every candidate exactly at once (reads only), then act on them most urgent first.
    const confirmed = await Promise.all(candidates.map((c) => this.reader.accountRisk(c.accountId, block)));
    const planned: LiquidationRecord[] = [];
    for (const risk of confirmed) {
      if (risk.priceErrors.length > 0 || risk.health === undefined || risk.health >= WAD) continue;
      const held = risk.feeds.filter((f) => blocked.has(f));
      if (held.length > 0) {
        this.log.info({ account: risk.accountId, feeds: held }, 'liquidation held: a price it depends on jumped and awaits confirmation');
        continue;
      }
      const record = this.plan(risk, block);
      if (record) planned.push(record);
    }
    if (planned.length > 0) {
      // Persisted before anything is sent; then sent together (the nonce manager orders them).
      await this.store.flush();
      await Promise.all(planned.map((r) => this.submit(r)));
    }
    await this.updateGauges();
  }

  // ---------------------------------------------------------------------------------- oracle

  private async readFeeds(block: number): Promise<{ spots: Map<number, bigint>; blocked: Set<number> }> {
    const spots = new Map<number, bigint>();
    const blocked = new Set<number>();
    for (const [feed, reading] of await this.reader.prices(block)) {
      const state = this.watch.observe(feed, reading, block, Date.now());
      if (state.status === 'ok') spots.set(feed, state.price);
      else blocked.add(feed);
      if (state.status === 'held') this.log.warn({ feed, price: state.price.toString(), seen: state.seen }, 'price jump held for confirmation');
    }
    return { spots, blocked };
  }

  // ---------------------------------------------------------------------------------- planning

  private plan(risk: AccountRisk, block: number): LiquidationRecord | undefined {
    const seen = this.watch.lastChange(risk.feeds);
    const base = {
      id: `${risk.accountId}:${block}:${this.sequence++}`,
      account: risk.accountId,
      status: 'planned' as const,
      attempts: 0,
      healthAtPlan: risk.health!.toString(),
      priceSeenAt: seen.at,
      priceSeenBlock: seen.block,
      plannedAt: Date.now(),
      plannedBlock: block,
    };
    const collateral = risk.cash < 0n ? chooseCollateral(risk, this.hubEid) : undefined;
    const position = collateral ? undefined : choosePosition(risk);
    let record: LiquidationRecord;
    if (collateral) record = { ...base, kind: 'collateral', assetId: collateral.asset.assetId, dstEid: collateral.asset.eid };
    else if (position) record = { ...base, kind: 'position', marketId: position.market.marketId };
    else return undefined;
    this.put(record);
    this.log.info({ id: record.id, account: record.account, kind: record.kind, health: record.healthAtPlan }, 'liquidation planned');
    return record;
  }

  /** Sends the hub call for a planned record; a revert is the hub refusing, and drops it. */
  private async submit(record: LiquidationRecord): Promise<void> {
    record.attempts++;
    this.put(record);
    try {
      const overrides = await this.gasOverrides();
      let tx: ContractTransactionResponse;
      if (record.kind === 'collateral') {
        record.receiverBalanceBefore = (await this.receiverBalance(record)).toString();
        const fee = (await this.hub.getFunction('quoteOrder')(record.assetId, SEIZE, '0x')) as bigint;
        tx = await this.send('liquidate', [record.account, record.assetId, await this.repayBudget(), this.address, '0x'], { value: fee, ...overrides });
      } else {
        const size = (await this.hub.getFunction('positionOf')(record.account, record.marketId)) as bigint;
        tx = await this.send('liquidatePosition', [record.account, record.marketId, size < 0n ? -size : size, this.config.subAccount], overrides);
      }
      record.txHash = tx.hash;
      this.put(record);
      await this.store.flush();
      this.log.debug({ id: record.id, tx: tx.hash }, 'liquidation sent');
      const receipt = await tx.wait();
      if (receipt) this.applyReceipt(record, receipt);
    } catch (err) {
      const reason = record.txHash ? await this.replayReason(record.txHash, err) : revertReason(err, [this.hub.interface, this.reader.engine.interface]);
      const code = (err as { code?: string }).code;
      // The hub refusing (a named error: AccountHealthy, StalePrice...) is final; a revert without
      // one (out of gas) or a transport error is retried, up to maxAttempts.
      const refused = code === 'CALL_EXCEPTION' && /^[A-Z]\w*\(/.test(reason);
      // Another sender used this key: forget the cached nonce and let the retry fetch it.
      if (code === 'NONCE_EXPIRED' || code === 'REPLACEMENT_UNDERPRICED') (this.hub.runner as NonceManager).reset();
      if (refused) this.finish(record, 'dropped', reason);
      else if (record.attempts >= this.config.maxAttempts) this.finish(record, 'failed', reason);
      else {
        // Forget the failed transaction: the next pass re-checks the account and sends anew.
        delete record.txHash;
        record.reason = reason;
        this.put(record);
        this.log.warn({ id: record.id, attempt: record.attempts, reason }, 'liquidation attempt failed; will retry');
      }
    }
    await this.store.flush();
  }

  /**
   * Sends a hub call with half again its estimated gas: liquidations sent together are estimated
   * on the state before any of them lands, and a margin check costs more once the keeper's own
   * account holds the positions an earlier one took over.
   */
  private async send(method: string, args: unknown[], overrides: Record<string, bigint>): Promise<ContractTransactionResponse> {
    const fn = this.hub.getFunction(method);
    const gas = await fn.estimateGas(...args, overrides);
    return (await fn(...args, { ...overrides, gasLimit: (gas * 3n) / 2n })) as ContractTransactionResponse;
  }

  /** Why a mined transaction reverted: the named error it gives when replayed on the state before it. */
  private async replayReason(txHash: string, err: unknown): Promise<string> {
    const interfaces = [this.hub.interface, this.reader.engine.interface];
    const [tx, receipt] = await Promise.all([this.hubProvider.getTransaction(txHash), this.hubProvider.getTransactionReceipt(txHash)]);
    if (!tx || !receipt) return revertReason(err, interfaces);
    try {
      await this.hubProvider.call({ from: tx.from, to: tx.to, data: tx.data, value: tx.value, blockTag: receipt.blockNumber - 1 });
      return revertReason(err, interfaces);
    } catch (replayed) {
      return revertReason(replayed, interfaces);
    }
  }

  /** Everything the keeper holds in settlement tokens, up to a configured cap (token units). */
  private async repayBudget(): Promise<bigint> {
    const balance = (await this.settlementToken.getFunction('balanceOf')(this.address)) as bigint;
    const cap = BigInt(Math.floor(this.config.maxRepayUsd)) * (WAD / this.settlementScale);
    return balance < cap ? balance : cap;
  }

  private async gasOverrides(): Promise<Record<string, bigint>> {
    const fees = await this.hubProvider.getFeeData();
    const cap = BigInt(Math.round(this.config.maxGasPriceGwei * 1e9));
    if (fees.maxFeePerGas === null) return {};
    const maxFee = fees.maxFeePerGas < cap ? fees.maxFeePerGas : cap;
    const tip = fees.maxPriorityFeePerGas ?? 0n;
    return { maxFeePerGas: maxFee, maxPriorityFeePerGas: tip < maxFee ? tip : maxFee };
  }

  private applyReceipt(record: LiquidationRecord, receipt: TransactionReceipt): void {
    if (receipt.status !== 1) {
      // Found after a restart, reverted: forget the transaction; the next pass re-checks the account.
      delete record.txHash;
      return this.finish(record, 'dropped', 'reverted on-chain');
    }
    record.hubBlock = receipt.blockNumber;
    record.submittedAt = Date.now();
    for (const log of receipt.logs) {
      const parsed = safeParse(this.hub, log);
      if (parsed?.name === 'Liquidated') {
        record.repaidUsd = ((parsed.args.repaidTokens as bigint) * this.settlementScale).toString();
        record.seized = (parsed.args.seized as bigint).toString();
        record.guid = parsed.args.guid as string;
      } else if (parsed?.name === 'PositionLiquidated') {
        const size = parsed.args[3] as bigint;
        record.sizeTaken = (size < 0n ? -size : size).toString();
      }
    }
    // A position takeover is complete in the hub transaction; so is a seize of collateral on the
    // hub chain (the hub pays its own vault directly); any other waits for its SEIZE to arrive.
    if (record.kind === 'position') {
      record.settledAt = record.submittedAt;
      this.transition(record, 'settled');
    } else if (record.dstEid === this.hubEid) {
      // The Liquidated event in this receipt is the hub vault's payout: seized and settled at once.
      record.seizedAt = record.settledAt = record.submittedAt;
      record.seizedBlock = receipt.blockNumber;
      this.transition(record, 'settled');
    } else this.transition(record, 'submitted');
    this.log.info({ id: record.id, account: record.account, tx: record.txHash, seized: record.seized, guid: record.guid }, 'liquidation accepted by the hub');
  }

  // ---------------------------------------------------------------------------------- progress

  /** Moves every unfinished record forward; this is also what resumes them after a restart. */
  private async advance(): Promise<void> {
    for (const record of this.store.liquidations()) {
      if (record.status === 'planned') await this.resumePlanned(record);
      if (record.status === 'submitted') this.checkSeized(record);
      if (record.status === 'seized') await this.checkArrived(record);
    }
    await this.store.flush();
  }

  private async resumePlanned(record: LiquidationRecord): Promise<void> {
    if (record.txHash) {
      const receipt = await this.hubProvider.getTransactionReceipt(record.txHash);
      if (receipt) return this.applyReceipt(record, receipt);
      if (await this.hubProvider.getTransaction(record.txHash)) return; // still pending
      delete record.txHash;
      this.put(record);
    }
    // Interrupted before the transaction was known to be sent: adopt it if the hub has it.
    const adopted = await this.findOnHub(record);
    if (adopted) return this.applyReceipt(record, adopted);
    const risk = await this.reader.accountRisk(record.account);
    if (risk.health === undefined || risk.health >= WAD) return this.finish(record, 'dropped', 'account recovered before the keeper resumed');
    await this.submit(record);
  }

  private async findOnHub(record: LiquidationRecord): Promise<TransactionReceipt | null> {
    const name = record.kind === 'collateral' ? 'Liquidated' : 'PositionLiquidated';
    const events = await this.hub.queryFilter(this.hub.filters[name]!(record.account), record.priceSeenBlock);
    const known = new Set(this.store.liquidations().map((l) => l.txHash));
    for (const e of events) {
      const tx = await this.hubProvider.getTransaction(e.transactionHash);
      if (tx?.from === this.address && !known.has(e.transactionHash)) {
        record.txHash = e.transactionHash;
        this.put(record);
        return this.hubProvider.getTransactionReceipt(e.transactionHash);
      }
    }
    return null;
  }

  /** The SEIZE executed on the collateral chain once the relayer saw it delivered. */
  private checkSeized(record: LiquidationRecord): void {
    const message = record.guid ? this.store.message(record.guid) : undefined;
    if (message?.status !== 'delivered') return;
    record.seizedAt = message.deliveredAt ?? Date.now();
    this.transition(record, 'seized');
    if (record.priceSeenAt > 0) this.metrics.liquidationLatencyMs.observe(record.seizedAt - record.priceSeenAt);
  }

  /** Settled once the keeper's tokens are on the collateral chain. */
  private async checkArrived(record: LiquidationRecord): Promise<void> {
    const balance = await this.receiverBalance(record);
    if (balance < BigInt(record.receiverBalanceBefore ?? '0') + BigInt(record.seized ?? '0')) return;
    record.settledAt = Date.now();
    this.transition(record, 'settled');
    const chain = this.chains.get(record.dstEid!)!.config.name;
    this.log.info({ id: record.id, account: record.account, chain, seized: record.seized }, 'liquidation settled: collateral arrived');
  }

  /** The keeper's balance, on the collateral chain, of the token a collateral liquidation seizes. */
  private async receiverBalance(record: LiquidationRecord): Promise<bigint> {
    const dst = this.chains.get(record.dstEid!)!;
    const asset = this.reader.listedAssets()[record.assetId!]!;
    return (await new Contract(asset.token, abis.erc20(), dst.provider).getFunction('balanceOf')(this.address)) as bigint;
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

  /** Records are the store's own objects, changed in place: every change is put, which marks the store for the next flush. */
  private put(record: LiquidationRecord): void {
    this.store.putLiquidation(record);
  }

  private async updateGauges(): Promise<void> {
    this.metrics.badDebtUsd.set(Number((await this.hub.getFunction('badDebt')()) as bigint) / 1e18);
    this.metrics.insuranceFundUsd.set(Number((await this.hub.getFunction('insuranceFund')()) as bigint) / 1e18);
  }
}

function safeParse(contract: Contract, log: { topics: readonly string[]; data: string }) {
  try {
    return contract.interface.parseLog(log);
  } catch {
    return null;
  }
}
