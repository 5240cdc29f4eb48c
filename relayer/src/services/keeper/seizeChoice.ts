/**
 * Which collateral a liquidation seizes. The account pays the liquidation bonus on whatever is
 * seized, so the lowest bonus first (the smallest penalty for the trader); among equal bonuses,
 * collateral on the hub chain first (no cross-chain hop: the keeper is paid in the same
 * transaction), then the largest holding (fewest liquidations to restore health, so fewest
 * cross-chain messages).
 */
import type { MaintenanceRisk } from '@omnichain-collateral/sdk/risk/accountRisk';

export function chooseCollateral(
  risk: MaintenanceRisk,
  hubEid: number,
  skip: ReadonlySet<number> = new Set(),
): MaintenanceRisk['collateral'][number] | undefined {
  return (
    [...risk.collateral]
      // A holding whose price is refused cannot be seized (the engine needs that price to size it).
      .filter((c) => c.amount > 0n && c.priceError === undefined && !skip.has(c.asset.assetId))
      .sort(
        (a, b) =>
          cmp(a.asset.liquidationBonus, b.asset.liquidationBonus) ||
          Number(b.asset.eid === hubEid) - Number(a.asset.eid === hubEid) ||
          cmp(b.valueUsd, a.valueUsd),
      )[0]
  );
}

/**
 * The position to take over when the account has no debt to repay (or no collateral left to seize): the largest by
 * value at mark.
 */
export function choosePosition(
  risk: MaintenanceRisk,
  skip: ReadonlySet<number> = new Set(),
): MaintenanceRisk['positions'][number] | undefined {
  const abs = (x: bigint) => (x < 0n ? -x : x);
  return [...risk.positions]
    .filter((p) => p.size !== 0n && !skip.has(p.market.marketId))
    .sort((a, b) => cmp(abs(b.valueUsd), abs(a.valueUsd)))[0];
}

const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
