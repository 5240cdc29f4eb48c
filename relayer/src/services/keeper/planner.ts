/**
 * What the keeper plans for an unhealthy account: the liquidations it needs this pass, in the
 * order the hub is to run them, each a new persisted record. What the hub refused as nothing to
 * take (dust collateral, a closed position) or as a takeover that lowers health (a position that
 * hedged collateral, docs/risk-model.md section 8.2) is remembered until an event changes the
 * account, so the keeper moves on to what it can take.
 */
import { WAD } from '@omnichain-collateral/sdk/risk/fixedPoint';
import type { Holdings, MaintenanceRisk, MarketState } from '@omnichain-collateral/sdk/risk/accountRisk';
import type { HubReader } from '../../chain/hubReader.js';
import type { Logger } from '../../log.js';
import type { LiquidationRecord } from '../../store/store.js';
import type { AccountBook } from '../book.js';
import type { Planned } from './batches.js';
import type { LiquidationRecords } from './liquidationRecords.js';
import type { OracleWatch } from './oracleWatch.js';
import { chooseCollateral, choosePosition } from './seizeChoice.js';
import { afterSeizingWhole } from './seizeWhole.js';

/** What the keeper can repay with in this pass. */
export interface RepayTerms {
  /** settlement tokens */
  budget: bigint;
  /** WAD per settlement token unit */
  settlementScale: bigint;
}

export class LiquidationPlanner {
  private sequence = 0;
  /**
   * What the hub refused as nothing to take, by account, then `asset:id` or `market:id`, with the
   * book's block for the account then.
   */
  private readonly refused = new Map<string, Map<string, number>>();

  constructor(
    private readonly reader: HubReader,
    private readonly book: AccountBook,
    private readonly watch: OracleWatch,
    private readonly records: LiquidationRecords,
    private readonly hubEid: number,
    private readonly log: Logger,
  ) {}

  /**
   * The liquidations an unhealthy account needs this pass, in the order the hub is to run them
   * (`round`): collateral ones (seizeChoice), each after the one before on the holdings it leaves
   * while that one seizes all of its asset and leaves the account unhealthy (seizeWhole.ts), then
   * at most one position takeover, when there is no debt to repay or nothing left to repay it
   * against.
   */
  planAccount(
    risk: MaintenanceRisk,
    holdings: Holdings,
    state: MarketState,
    block: number,
    repay: RepayTerms,
  ): Planned[] {
    const skipAssets = this.refusedOf(risk.accountId, 'asset');
    const skipMarkets = this.refusedOf(risk.accountId, 'market');
    const terms = {
      params: this.reader.liquidationParams(),
      maxRepayUsd: repay.budget * repay.settlementScale,
      stepUsd: repay.settlementScale,
    };
    const out: Planned[] = [];
    // Each round seizes an asset not seized before: at most one per asset it holds now, then the
    // takeover. (The bound is taken before `risk` becomes the holdings a round leaves, which hold
    // one asset fewer each.)
    const rounds = risk.collateral.length + 1;
    for (let round = 0; round < rounds; round++) {
      const collateral =
        risk.cash < 0n && repay.budget > 0n ? chooseCollateral(risk, this.hubEid, skipAssets) : undefined;
      if (!collateral) {
        const marketId = choosePosition(risk, skipMarkets)?.market.marketId;
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

  /**
   * The hub refused this liquidation (`reason`, a named error). Nothing to take of an asset or
   * market, or a takeover that would lower the account's health even as a slice of the book (a
   * position that hedged collateral, docs/risk-model.md section 8.2), is remembered, so the
   * keeper moves on to what it can take until the account changes.
   */
  refuse(record: LiquidationRecord, reason: string): void {
    if (/^(NothingToLiquidate|NoCollateral|NoPosition|NoDebtToRepay|TakeoverLowersHealth)\(/.test(reason)) {
      const what = record.kind === 'collateral' ? `asset:${record.assetId}` : `market:${record.marketId}`;
      const account = this.refused.get(record.account) ?? new Map<string, number>();
      this.refused.set(record.account, account.set(what, this.book.entry(record.account)?.block ?? 0));
    }
    this.records.finish(record, 'dropped', reason);
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
    this.records.put(record);
    this.log.info(
      { id: record.id, account: record.account, kind: record.kind, health: record.healthAtPlan },
      'liquidation planned',
    );
    return record;
  }
}
