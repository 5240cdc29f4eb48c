/**
 * Whether a collateral liquidation takes all of the asset, and the account's holdings after it.
 * When the asset an account is liquidated against is worth less than what restoring its health
 * needs, the hub seizes all of it and the account is still unhealthy. Waiting for that receipt
 * and the pass after it before liquidating another asset would cost the account several blocks
 * in a crash; with the holdings the first one leaves, the keeper plans the next in the same pass,
 * and the hub runs them in order (see batches.ts).
 *
 * Sized as the hub sizes it (`liquidationAmounts`, the twin of `LiquidationSizer`), on the
 * account's maintenance figures at the pass's block.
 */
import type { MaintenanceRisk, Holdings } from '@omnichain-collateral/sdk/risk/accountRisk';
import { liquidationAmounts, type LiquidationParams } from '@omnichain-collateral/sdk/risk/liquidation';

export interface SeizeTerms {
  params: LiquidationParams;
  /** the most the keeper repays (USD WAD), and the unit repayments are rounded up to (USD WAD) */
  maxRepayUsd: bigint;
  stepUsd: bigint;
}

/**
 * The holdings after the hub liquidates `assetId` of this account, if it seizes all of the asset;
 * undefined if it takes only part (the account is restored, or the close factor limits it: what
 * follows depends on the hub's answer).
 */
export function afterSeizingWhole(
  risk: MaintenanceRisk,
  holdings: Holdings,
  assetId: number,
  terms: SeizeTerms,
): Holdings | undefined {
  const line = risk.collateral.find((c) => c.asset.assetId === assetId);
  if (!risk.figures || !line || line.amount === 0n || holdings.cash >= 0n) return undefined;
  const { repay, seized } = liquidationAmounts({
    equity: risk.figures.maintenanceEquity,
    requirement: risk.figures.maintenanceRequirement,
    debt: -holdings.cash,
    held: line.amount,
    maxRepay: terms.maxRepayUsd,
    step: terms.stepUsd,
    price: line.price,
    decimals: line.asset.decimals,
    maintenanceHaircut: line.asset.maintenanceHaircut,
    maxBonus: line.asset.liquidationBonus,
    params: terms.params,
  });
  if (seized < line.amount || repay === 0n) return undefined;
  return {
    cash: holdings.cash + repay,
    collateral: holdings.collateral.filter((c) => c.assetId !== assetId),
    positions: holdings.positions,
  };
}
