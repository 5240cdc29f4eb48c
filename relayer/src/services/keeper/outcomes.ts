/**
 * What became of the keeper's transactions: each is waited for beside the passes, and the hub's
 * own events in its receipt say, per record, what the hub did (liquidated, took over, or passed
 * the account over with a reason). A transaction that failed is explained (a reverted one by
 * replaying it on the state before it) and its records refused, retried or failed.
 */
import type { marginHubAbi } from '@omnichain-collateral/sdk/abi';
import { revertReason } from '@omnichain-collateral/sdk/contracts/revert';
import type { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import type { HubReader } from '../../chain/hubReader.js';
import type { Nonces } from '../../chain/nonces.js';
import type { MinedReceipt, ReceiptWatcher } from '../../chain/receipts.js';
import type { RpcProvider } from '../../chain/rpc.js';
import type { KeeperConfig } from '../../config.js';
import type { Logger } from '../../log.js';
import type { LiquidationRecord, RelayerStore } from '../../store/store.js';
import type { LiquidationsInFlight } from './inFlight.js';
import type { LiquidationRecords } from './liquidationRecords.js';
import type { LiquidationPlanner } from './planner.js';
import {
  eventKey,
  hubEvents,
  type LiquidatedEvent,
  type LiquidationSkippedEvent,
  type PositionLiquidatedEvent,
} from './receiptEvents.js';

/** What the outcomes read and change, owned by the Keeper. */
export interface OutcomeDeps {
  config: KeeperConfig;
  provider: RpcProvider;
  receipts: ReceiptWatcher;
  hub: TypedContract<typeof marginHubAbi>;
  reader: HubReader;
  nonces: Nonces;
  store: RelayerStore;
  records: LiquidationRecords;
  planner: LiquidationPlanner;
  inFlight: LiquidationsInFlight;
  /** WAD per settlement token unit, known once the keeper is prepared */
  settlementScale: () => bigint;
  hubEid: number;
  log: Logger;
}

export class LiquidationOutcomes {
  /** receipts being waited for, by record id */
  private readonly waiting = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(private readonly deps: OutcomeDeps) {}

  /** From now on a receipt not found is the keeper stopping, not the transaction failing. */
  stopping(): void {
    this.stopped = true;
  }

  /** Stops waiting for receipts: the records left planned with their hashes find them after a restart. */
  async stop(): Promise<void> {
    this.stopping();
    this.deps.receipts.stop();
    await Promise.allSettled(this.waiting.values());
  }

  /** Waits for the receipt beside the passes; a reverted one is explained by replaying it. */
  track(records: readonly LiquidationRecord[], txHash: string): void {
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

  /** A transaction that failed, for each of its records: `txHash` is the one it was sent as, if it was. */
  async failed(records: readonly LiquidationRecord[], err: unknown, txHash?: string): Promise<void> {
    const { config, nonces, records: book, planner, log } = this.deps;
    const reason = txHash ? await this.replayReason(txHash, err) : revertReason(err, this.errorInterfaces());
    const code = (err as { code?: string }).code;
    // The hub refusing (a named error: AccountHealthy, StalePrice...) is final; a revert without
    // one (out of gas) or a transport error is retried, up to maxAttempts.
    const refused = code === 'CALL_EXCEPTION' && /^[A-Z]\w*\(/.test(reason);
    // Another sender used this key: forget the local nonce and let the retry read it.
    if (code === 'NONCE_EXPIRED' || code === 'REPLACEMENT_UNDERPRICED') nonces.reset();
    for (const record of records) {
      if (refused) planner.refuse(record, reason);
      else if (record.attempts >= config.maxAttempts) book.finish(record, 'failed', reason);
      else {
        // Forget the failed transaction: the next pass re-checks the account and sends this record again.
        delete record.txHash;
        record.reason = reason;
        book.put(record);
        log.warn(
          { id: record.id, attempt: record.attempts, reason },
          'liquidation attempt failed; the next pass re-checks the account',
        );
      }
    }
    await this.deps.store.flushLiquidations();
  }

  /**
   * What the hub did with each record of a mined transaction, single or batch: its own events, by
   * account. The receipt's logs are decoded once for all its records: a batch's receipt has a few
   * logs per account, and decoding them again for each record grows with the square of the batch.
   */
  applyReceipt(records: readonly LiquidationRecord[], receipt: Pick<MinedReceipt, 'blockNumber' | 'logs'>): void {
    const events = hubEvents(receipt.logs, this.deps.hub.address);
    for (const record of records) {
      const key = eventKey(record.account, record.kind === 'collateral' ? record.assetId! : record.marketId!);
      this.applyEvents(record, receipt.blockNumber, {
        liquidated: events.liquidated.get(key),
        taken: events.taken.get(key),
        skipped: events.skipped.get(key),
      });
    }
  }

  /**
   * The receipt, however long the node takes while it still has the transaction: giving up on one
   * the node may yet mine, and sending the liquidation again, could liquidate twice.
   */
  private async mined(txHash: string): Promise<MinedReceipt> {
    for (;;) {
      try {
        return await this.deps.receipts.wait(txHash, 60_000);
      } catch (err) {
        if (this.stopped) throw err;
        const known = await this.deps.provider.getTransaction(txHash).catch(() => undefined);
        if (known === null) throw new Error(`transaction ${txHash} left the node's pool without being mined`);
      }
    }
  }

  private applyEvents(record: LiquidationRecord, hubBlock: number, { liquidated, taken, skipped }: RecordEvents): void {
    const { records, planner, inFlight, hubEid, log } = this.deps;
    record.hubBlock = hubBlock;
    record.submittedAt = Date.now();
    if (liquidated) {
      record.repaidUsd = (liquidated.repaidTokens * this.deps.settlementScale()).toString();
      record.seized = liquidated.seized.toString();
      record.guid = liquidated.guid;
      record.orderId = liquidated.orderId.toString();
    }
    if (taken) record.sizeTaken = (taken.sizeTaken < 0n ? -taken.sizeTaken : taken.sizeTaken).toString();
    // A batch passed the account over (another keeper was first, or it is healthy by now).
    if (skipped) return planner.refuse(record, revertReason({ data: skipped.reason }, this.errorInterfaces()));
    inFlight.mined(record.account, hubBlock);
    log.info(
      { id: record.id, account: record.account, tx: record.txHash, seized: record.seized, guid: record.guid },
      'liquidation accepted by the hub',
    );
    // A position takeover is complete in the hub transaction; so is a seize of collateral on the
    // hub chain (the hub pays its own vault directly); any other waits for its SEIZE to arrive.
    if (record.kind === 'position') {
      record.settledAt = record.submittedAt;
      records.transition(record, 'settled');
    } else if (record.dstEid === hubEid) {
      record.seizedAt = record.settledAt = record.submittedAt;
      record.seizedBlock = hubBlock;
      records.transition(record, 'settled');
    } else {
      records.transition(record, 'submitted');
      // The SEIZE may already have been delivered and indexed.
      records.settleIfKnown(record);
    }
  }

  /** Why a mined transaction reverted: the named error it gives when replayed on the state before it. */
  private async replayReason(txHash: string, err: unknown): Promise<string> {
    const { provider } = this.deps;
    const interfaces = this.errorInterfaces();
    try {
      const [tx, receipt] = await Promise.all([
        provider.getTransaction(txHash),
        provider.getTransactionReceipt(txHash),
      ]);
      if (!tx || !receipt) return revertReason(err, interfaces);
      await provider.call({
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
    return [this.deps.hub.interface, this.deps.reader.engine.interface];
  }
}

/** The events of one record's account in a receipt. */
interface RecordEvents {
  liquidated: LiquidatedEvent | undefined;
  taken: PositionLiquidatedEvent | undefined;
  skipped: LiquidationSkippedEvent | undefined;
}
