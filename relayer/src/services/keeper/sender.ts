/**
 * Sends a pass's confirmed liquidations in as few transactions as fit: the collateral ones of one
 * asset in `liquidateBatch` calls (one repayment and one SEIZE for all), the position takeovers in
 * `liquidatePositions` calls (the keeper's margin checked once), each batch up to the gas and
 * account limits; a lone liquidation uses the single call, whose refusal names its reason. Every
 * transaction is signed on the signing thread with consecutive nonces, and its hash recorded on
 * each of its records and journaled before they are broadcast together: a keeper killed at any
 * point finds each by its hash after restart. No gas estimate (a round trip, and a search over
 * many executions on the node): the limit comes from the accounts' sizes, and the hub refusing is
 * seen in the receipt.
 */
import type { marginHubAbi } from '@omnichain-collateral/sdk/abi';
import type { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import type { Nonces } from '../../chain/nonces.js';
import type { RpcProvider } from '../../chain/rpc.js';
import type { ContractCall, SigningWorker } from '../../chain/signingWorker.js';
import type { KeeperConfig } from '../../config.js';
import type { Logger } from '../../log.js';
import type { LiquidationRecord, RelayerStore } from '../../store/store.js';
import { batchLiquidations, type Planned } from './batches.js';
import type { LiquidationOutcomes } from './outcomes.js';
import type { KeeperStats } from './passStats.js';
import type { Quotes, SendQuotes } from './sendQuotes.js';

/** What every liquidation sent in one pass shares. */
export interface SendContext extends Quotes {
  /** settlement tokens the keeper repays with */
  budget: bigint;
  /** WAD per settlement token unit */
  settlementScale: bigint;
}

/** Where a pass notes its phases (see Keeper.pass). */
export interface PassPhases {
  phase: (name: string) => void;
  signedByThread: (at: number) => void;
}

export interface SenderDeps {
  config: KeeperConfig;
  keeper: string;
  chainId: number;
  provider: RpcProvider;
  hub: TypedContract<typeof marginHubAbi>;
  signer: SigningWorker<typeof marginHubAbi>;
  nonces: Nonces;
  quotes: SendQuotes;
  store: RelayerStore;
  outcomes: LiquidationOutcomes;
  stats: KeeperStats;
  log: Logger;
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

export class LiquidationSender {
  /**
   * Broadcasts the node has not answered yet. A pass does not wait for them: a node busy
   * executing a block (anvil holds every send until it is done) would hold the next pass back.
   */
  private readonly broadcasting = new Set<Promise<void>>();

  constructor(private readonly deps: SenderDeps) {}

  /** Resolves once the node has answered every broadcast sent so far. */
  async answered(): Promise<void> {
    await Promise.allSettled(this.broadcasting);
  }

  /**
   * What every transaction of a pass shares: fees, the SEIZE fee of each of `assets`, the
   * repayment budget, once the next nonce is known. As last read, beside the passes: a pass
   * waits only for what was never read.
   */
  async context(assets: readonly number[], budget: bigint, settlementScale: bigint): Promise<SendContext> {
    const [quotes] = await Promise.all([this.deps.quotes.current(assets), this.deps.nonces.known()]);
    return { budget, settlementScale, ...quotes };
  }

  /** The same without waiting, when everything it needs was read before (the passes after the first). */
  knownContext(assets: readonly number[], budget: bigint, settlementScale: bigint): SendContext | undefined {
    const quotes = this.deps.quotes.known(assets);
    return quotes && this.deps.nonces.isKnown() ? { budget, settlementScale, ...quotes } : undefined;
  }

  /** Signs, journals and broadcasts a chunk of the pass's liquidations (see the file's comment). */
  async send(
    toSend: readonly Planned[],
    context: SendContext,
    block: number,
    { phase, signedByThread }: PassPhases,
  ): Promise<void> {
    const { nonces, signer, store, log } = this.deps;
    // Numbered and handed to the signing thread before the first await (unless a fee was never
    // read): the pass confirms the next chunk while this one is signed, and the chunks' nonces
    // follow their order.
    const unquoted = [
      ...new Set(toSend.filter(({ record }) => record.kind === 'collateral').map(({ record }) => record.assetId!)),
    ].filter((asset) => !context.seizeFee.has(asset));
    if (unquoted.length > 0) await this.addSeizeFees(unquoted, context);
    const txs = this.transactions(toSend, context);
    const nonce = nonces.takeKnown(txs.length) ?? (await nonces.take(txs.length));
    const { transactions: signed, finishedAt } = await signer
      .sign(
        txs.map(({ call, value, gasLimit }, i) => ({
          chainId: this.deps.chainId,
          nonce: nonce + i,
          to: this.deps.hub.address,
          call,
          value,
          gasLimit,
          ...context.fees,
        })),
      )
      .catch((err: unknown) => {
        // Nothing was sent: the nonces taken are free again, and the records are retried next pass.
        nonces.reset();
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
    store.journalLiquidations(txs.flatMap((tx) => tx.records));
    phase('journaled');
    // Broadcast without waiting: the records carry their hashes, so the next pass already counts
    // them as in flight, and a refused one comes back as a record to retry (see broadcast).
    const sending = this.broadcast(txs, raws, block).catch((err: unknown) =>
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'keeper broadcast failed'),
    );
    this.broadcasting.add(sending);
    void sending.finally(() => this.broadcasting.delete(sending));
  }

  /** Sends signed transactions together; each the node accepts is tracked to its receipt, each it refuses fails its records. */
  private async broadcast(txs: readonly LiquidationTx[], raws: readonly string[], block: number): Promise<void> {
    const { provider, nonces, outcomes, stats, log } = this.deps;
    const started = performance.now();
    await Promise.all(
      txs.map(async ({ records }, i) => {
        const hash = records[0]!.txHash!;
        try {
          await provider.send('eth_sendRawTransaction', [raws[i]]);
          stats.recordBroadcast(block, performance.now() - started);
          log.debug({ ids: records.map((r) => r.id), tx: hash }, 'liquidation sent');
          outcomes.track(records, hash);
        } catch (err) {
          // An answer lost on the way (a timeout) does not mean the node refused it: ask.
          if (await provider.getTransaction(hash).catch(() => null)) return outcomes.track(records, hash);
          // Refused: the nonces after it are not usable either; read them afresh next time. A
          // nonce another sender of this key took is not the liquidation failing: not an attempt.
          nonces.reset();
          const nonceTaken = /nonce/i.test(err instanceof Error ? err.message : String(err));
          for (const record of records) {
            delete record.txHash;
            if (nonceTaken) record.attempts--;
          }
          await outcomes.failed(records, err);
        }
      }),
    );
  }

  /** The pass's liquidations as hub transactions: batches by asset, and of position takeovers (see batches.ts). */
  private transactions(toSend: readonly Planned[], context: SendContext): LiquidationTx[] {
    const limits = { gas: BigInt(this.deps.config.batchGas), repayUsd: context.budget * context.settlementScale };
    return batchLiquidations(toSend, limits).map((b) => this.transaction(b.planned, b.gas, context));
  }

  private transaction(batch: readonly Planned[], gasLimit: bigint, context: SendContext): LiquidationTx {
    const { keeper, config } = this.deps;
    const records = batch.map((p) => p.record);
    const first = records[0]!;
    if (first.kind === 'collateral') {
      const asset = first.assetId!;
      const call: HubCall =
        batch.length === 1
          ? { name: 'liquidate', args: [first.account, asset, context.budget, keeper, '0x'] }
          : { name: 'liquidateBatch', args: [records.map((r) => r.account), asset, context.budget, keeper, '0x'] };
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
            args: [takeovers[0]!.account, takeovers[0]!.marketId, takeovers[0]!.maxSize, config.subAccount],
          }
        : { name: 'liquidatePositions', args: [takeovers, config.subAccount] };
    return { records, call, value: 0n, gasLimit };
  }

  /**
   * Reads into the pass's context the SEIZE fees it lacks (an account read during the pass holds
   * an asset the book did not show).
   */
  private async addSeizeFees(assets: readonly number[], context: SendContext): Promise<void> {
    for (const [asset, fee] of (await this.deps.quotes.current(assets)).seizeFee) context.seizeFee.set(asset, fee);
  }
}
