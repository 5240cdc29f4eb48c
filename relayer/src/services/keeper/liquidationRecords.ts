/**
 * The keeper's liquidation records as a state machine: `planned → submitted → seized → settled`,
 * or `dropped`/`failed` with the hub's named reason. Records are the store's own objects, changed
 * in place: every change is put, which marks the store for its next flush. A submitted record
 * settles when its SEIZE is delivered on the collateral chain, as that chain's indexer reports it.
 */
import { MessageType } from '@omnichain-collateral/sdk/messageCodec';
import type { ChainClient } from '../../chain/clients.js';
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

export class LiquidationRecords {
  constructor(
    private readonly store: RelayerStore,
    private readonly chains: Map<number, ChainClient>,
    private readonly log: Logger,
    private readonly metrics: RelayerMetrics,
  ) {}

  put(record: LiquidationRecord): void {
    this.store.putLiquidation(record);
  }

  transition(record: LiquidationRecord, status: LiquidationStatus): void {
    record.status = status;
    this.put(record);
    this.metrics.liquidations.inc({ status });
  }

  finish(record: LiquidationRecord, status: 'dropped' | 'failed', reason: string): void {
    record.reason = reason;
    this.transition(record, status);
    this.log.info({ id: record.id, account: record.account, status, reason }, `liquidation ${status}`);
  }

  /** The indexer saw packets move: a delivered SEIZE of a submitted liquidation has paid the keeper on its chain. */
  onPackets(messages: readonly StoredMessage[]): void {
    for (const m of messages) {
      if (m.msgType !== MessageType.SEIZE || !isFinished(m.status)) continue;
      // A batch liquidation's records share one SEIZE: its delivery settles them all.
      for (const record of this.store.liquidationsBySeize(m.guid)) {
        if (record.status === 'submitted') this.seizeArrived(record, m);
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
  settleDelivered(): void {
    const delivered: StoredMessage[] = [];
    for (const l of this.store.unfinishedLiquidations()) {
      if (l.status !== 'submitted' || !l.guid) continue;
      const m = this.store.message(l.guid);
      if (m && isFinished(m.status)) delivered.push(m);
    }
    if (delivered.length > 0) this.onPackets(delivered);
  }

  /** A submitted record's SEIZE is known (delivered or dropped), if the store has it. */
  settleIfKnown(record: LiquidationRecord): void {
    const message = record.guid ? this.store.message(record.guid) : undefined;
    if (message) this.onPackets([message]);
  }

  private seizeArrived(record: LiquidationRecord, m: StoredMessage): void {
    if (isDropped(m.status)) {
      // The hub already moved the collateral to the keeper's account; its chain will never pay it out.
      record.reason = `the SEIZE was ${m.status} by the vault's delegate: the keeper is never paid the ${record.seized ?? ''} seized on endpoint ${m.dstEid}`;
      this.transition(record, 'failed');
      this.log.error(
        { id: record.id, guid: m.guid, status: m.status },
        'liquidation failed: its SEIZE was dropped by the delegate',
      );
      return;
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
