/**
 * The urgency-scaled liquidation bonus (docs/risk-model.md section 8.1), the bit-exact twin of
 * `MarginMath.urgencyBonus`: a share `minShare` of the asset's bonus at health 1, rising linearly
 * as health falls to the whole bonus at `fullHealth` and below, so a barely unhealthy account
 * pays a small incentive and one sinking fast pays enough to be liquidated at once.
 */
import { mulDiv, WAD } from './fixedPoint.js';

/** The hub's liquidation parameters this rule reads (RiskConfig.LiquidationParams). */
export interface BonusParams {
  /** share of the asset's bonus paid at health 1, WAD (WAD: a flat bonus) */
  minBonusShare: bigint;
  /** health at and below which the whole bonus is paid, WAD, below WAD */
  fullBonusHealth: bigint;
}

/** The bonus (WAD) an account at `health` pays on an asset whose bonus is `maxBonus`; each step rounds down. */
export function urgencyBonus(health: bigint, maxBonus: bigint, minShare: bigint, fullHealth: bigint): bigint {
  if (health <= fullHealth) return maxBonus;
  if (health >= WAD) return mulDiv(maxBonus, minShare, WAD);
  const urgency = mulDiv(WAD - health, WAD, WAD - fullHealth);
  const share = minShare + mulDiv(WAD - minShare, urgency, WAD);
  return mulDiv(maxBonus, share, WAD);
}
