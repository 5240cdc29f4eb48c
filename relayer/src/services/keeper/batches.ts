/**
 * How a pass's liquidations become hub transactions. The hub takes many accounts in one call
 * (`liquidateBatch` for one asset: one repayment pull and one SEIZE for all; `liquidatePositions`:
 * the keeper's margin checked once), so the keeper groups the collateral liquidations by asset
 * and the position takeovers together, and cuts each group into batches that fit a gas budget
 * and the hub's account limit. Fewer transactions and fewer LayerZero packets is what lets a
 * crash with thousands of liquidatable accounts clear in fewer blocks.
 */
import type { MaintenanceRisk } from '@omnichain-collateral/sdk/risk/accountRisk';
import type { LiquidationRecord } from '../../store/store.js';

/** A liquidation planned this pass, with the account's risk it was planned on. */
export interface Planned {
  record: LiquidationRecord;
  risk: MaintenanceRisk;
  /**
   * Its place among its account's liquidations of this pass (0 first): a later one is planned on
   * the holdings the earlier ones leave, so the hub must run it after them.
   */
  round: number;
}

/** Liquidations for one hub transaction, and the gas it is given. */
export interface Batch {
  planned: Planned[];
  gas: bigint;
}

/** The hub's MAX_LIQUIDATION_BATCH: the most accounts one batch lists. */
export const MAX_BATCH = 64;

/**
 * Gas for a liquidation transaction is a base (the repayment and the LayerZero send; a position
 * takeover also checks the keeper's own margin on both grids) plus each account's share: its
 * maintenance check, about 100k per position (snapshots/hub-margin.json, the `health` figures),
 * a few thousand per collateral line, and its writes. Generous on purpose: only gas used is paid, and a transaction that runs out fails every
 * liquidation in it. Not more generous than that: an overcount per line cuts batches short of
 * the hub's 64 accounts, and each extra transaction pays the send and the repayment again.
 */
export function baseGas(kind: LiquidationRecord['kind']): bigint {
  return kind === 'position' ? 3_600_000n : 600_000n;
}

export function accountGas(risk: MaintenanceRisk): bigint {
  return 150_000n + 150_000n * BigInt(risk.positions.length) + 25_000n * BigInt(risk.collateral.length);
}

/** What one liquidation transaction may spend. */
export interface BatchLimits {
  /** gas one transaction is given */
  gas: bigint;
  /**
   * USD WAD of debt one transaction may repay (the keeper's repayment budget): the accounts of a
   * collateral batch share it, so a batch lists no more debt than it can repay, and an account
   * the hub passes over as having nothing to take is so for its own sake, not for want of budget.
   */
  repayUsd: bigint;
}

/**
 * Groups `planned` by what the hub can batch (collateral of one asset; position takeovers) and
 * by round, and cuts each group, in order, into batches of at most MAX_BATCH accounts within
 * `limits` (a lone account beyond them still gets its own transaction). The batches of a round
 * come before those of the next: sent with consecutive nonces, the hub runs them in that order.
 */
export function batchLiquidations(planned: readonly Planned[], limits: BatchLimits): Batch[] {
  const groups = new Map<string, Planned[]>();
  for (const p of [...planned].sort((a, b) => a.round - b.round)) {
    const key = `${p.round}|${p.record.kind === 'collateral' ? `asset:${p.record.assetId}` : 'positions'}`;
    const group = groups.get(key);
    if (group) group.push(p);
    else groups.set(key, [p]);
  }
  const out: Batch[] = [];
  for (const group of groups.values()) {
    const base = baseGas(group[0]!.record.kind);
    let current: Batch = { planned: [], gas: base };
    let debt = 0n;
    for (const p of group) {
      const more = accountGas(p.risk);
      const owed = p.record.kind === 'collateral' && p.risk.cash < 0n ? -p.risk.cash : 0n;
      const full =
        current.planned.length >= MAX_BATCH || current.gas + more > limits.gas || debt + owed > limits.repayUsd;
      if (current.planned.length > 0 && full) {
        out.push(current);
        current = { planned: [], gas: base };
        debt = 0n;
      }
      current.planned.push(p);
      current.gas += more;
      debt += owed;
    }
    if (current.planned.length > 0) out.push(current);
  }
  return out;
}
