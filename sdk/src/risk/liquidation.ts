/**
 * Liquidation sizing, the twin of the hub's:
 * - `urgencyBonus` (docs/risk-model.md section 8.1), bit-exact with `MarginMath.urgencyBonus`: a
 *   share `minShare` of the asset's bonus at health 1, rising linearly as health falls to the
 *   whole bonus at `fullHealth` and below, so a barely unhealthy account pays a small incentive
 *   and one sinking fast pays enough to be liquidated at once;
 * - `liquidationAmounts` (section 8), the engine's repay and seize figures for a given bonus.
 */
import { mulDiv, WAD } from './fixedPoint.js';
import { health } from './marginModel.js';

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

/** The hub's liquidation parameters (RiskConfig.LiquidationParams), WAD. */
export interface LiquidationParams {
  /** share of the debt (or a position) one liquidation may take while health is above fullCloseHealth */
  closeFactor: bigint;
  fullCloseHealth: bigint;
  /** the health a collateral liquidation aims to restore */
  targetHealth: bigint;
  /** share of a taken-over position's notional the account pays */
  positionPenalty: bigint;
  /** share of that penalty the insurance fund keeps */
  insuranceShare: bigint;
}

/** The collateral a liquidation seizes, as `RiskEngine.liquidationAmounts` reads it. */
export interface SeizedAsset {
  decimals: number;
  maintenanceHaircut: bigint;
  /** the bonus this liquidation pays (the asset's flat bonus, or `urgencyBonus` of it), WAD */
  bonus: bigint;
}

/**
 * `RiskEngine.liquidationAmounts` (docs/risk-model.md section 8) with the bonus as an argument:
 * the debt a keeper repays (at most `maxRepay`, whole `step`s) and the tokens it receives for it,
 * from the account's maintenance `equity` and `requirement`, its `debt` and the `held` amount of
 * the asset priced at `price`. Same operations and roundings as the engine.
 */
export function liquidationAmounts(
  equity: bigint,
  requirement: bigint,
  debt: bigint,
  asset: SeizedAsset,
  price: bigint,
  held: bigint,
  maxRepay: bigint,
  step: bigint,
  lp: LiquidationParams,
): { repay: bigint; seized: bigint } {
  const h = health(equity, requirement);
  let limit = mulDiv(debt, h < lp.fullCloseHealth ? WAD : lp.closeFactor, WAD);
  const keep = mulDiv(WAD + asset.bonus, WAD - asset.maintenanceHaircut, WAD);
  if (keep < WAD) {
    const gap = mulDiv(requirement, lp.targetHealth, WAD, true) - equity;
    if (gap > 0n) limit = min(limit, mulDiv(gap, WAD, WAD - keep, true));
  }
  let repay = min(maxRepay, ceilDiv(limit, step) * step);
  const scale = 10n ** BigInt(asset.decimals);
  let seized = mulDiv(mulDiv(repay, WAD + asset.bonus, WAD), scale, price);
  if (seized > held) {
    // Not enough collateral for the full reward: all of it, and only what it is worth is repaid.
    seized = held;
    const worth = mulDiv(mulDiv(held, price, scale), WAD, WAD + asset.bonus, true);
    repay = min(maxRepay, ceilDiv(worth, step) * step);
  }
  return { repay, seized };
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
const ceilDiv = (a: bigint, b: bigint) => (a === 0n ? 0n : (a - 1n) / b + 1n);
