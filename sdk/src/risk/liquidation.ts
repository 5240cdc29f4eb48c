/**
 * Liquidation sizing, the twin of the hub's:
 * - `urgencyBonus` (docs/risk-model.md section 8.1), bit-exact with `MarginMath.urgencyBonus`: a
 *   share `minShare` of the asset's bonus at health 1, rising linearly as health falls to the
 *   whole bonus at `fullHealth` and below, so a barely unhealthy account pays a small incentive
 *   and one sinking fast pays enough to be liquidated at once;
 * - `liquidationAmounts` (section 8), `LiquidationSizer.size`: the debt repaid, the tokens seized
 *   and the bonus paid, which `RiskEngine.liquidationAmounts` returns for the hub.
 */
import { mulDiv, pow10, WAD } from './fixedPoint.js';
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

/** `IRiskConfig.MIN_LIQUIDATION_GAIN`: the least share of each unit repaid a liquidation leaves as equity (WAD). */
export const MIN_LIQUIDATION_GAIN = WAD / 100n;

/**
 * Whether an asset's whole bonus and maintenance haircut (WAD) leave each unit a collateral
 * liquidation repays `minGain` of equity, as `LiquidationGain.holds` (docs/risk-model.md section
 * 8.2): the engine refuses an asset for which this is false.
 */
export function liquidationGainHolds(
  maintenanceHaircut: bigint,
  bonus: bigint,
  minGain = MIN_LIQUIDATION_GAIN,
): boolean {
  return (WAD + bonus) * (WAD - maintenanceHaircut) <= (WAD - minGain) * WAD;
}

/** The hub's liquidation parameters (RiskConfig.LiquidationParams), WAD. */
export interface LiquidationParams extends BonusParams {
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

/** One collateral liquidation's inputs, as `LiquidationSizer.Inputs`. */
export interface SizingInputs {
  /** the account's maintenance equity and requirement (USD WAD) */
  equity: bigint;
  requirement: bigint;
  /** its negative cash (USD WAD) */
  debt: bigint;
  /** its holding of the asset (token units) */
  held: bigint;
  /** the most the keeper repays (USD WAD), and the unit repayments are rounded up to */
  maxRepay: bigint;
  step: bigint;
  /** the asset's guarded price (USD WAD per whole token), decimals and terms */
  price: bigint;
  decimals: number;
  maintenanceHaircut: bigint;
  /** the asset's liquidation bonus: paid whole at and below `fullBonusHealth` */
  maxBonus: bigint;
  params: LiquidationParams;
}

/**
 * `LiquidationSizer.size` (docs/risk-model.md section 8), which the hub's
 * `RiskEngine.liquidationAmounts` calls: the debt a keeper repays (at most `maxRepay`, whole
 * `step`s), the tokens it receives for it, and the urgency-scaled bonus paid. Same operations and
 * roundings, equal on the shared vectors.
 */
export function liquidationAmounts(x: SizingInputs): { repay: bigint; seized: bigint; bonus: bigint } {
  const lp = x.params;
  const h = health(x.equity, x.requirement);
  const bonus = urgencyBonus(h, x.maxBonus, lp.minBonusShare, lp.fullBonusHealth);
  let limit = mulDiv(x.debt, h < lp.fullCloseHealth ? WAD : lp.closeFactor, WAD);
  // Each unit repaid raises equity by 1 - keep: the debt goes, (1 + bonus) of haircut collateral with it.
  const keep = mulDiv(WAD + bonus, WAD - x.maintenanceHaircut, WAD);
  if (keep < WAD) {
    const gap = mulDiv(x.requirement, lp.targetHealth, WAD, true) - x.equity;
    if (gap > 0n) limit = min(limit, mulDiv(gap, WAD, WAD - keep, true));
  }
  let repay = min(x.maxRepay, ceilDiv(limit, x.step) * x.step);
  const scale = pow10(x.decimals);
  let seized = mulDiv(mulDiv(repay, WAD + bonus, WAD), scale, x.price);
  if (seized > x.held) {
    // Not enough collateral for the full reward: all of it, and only what it is worth is repaid.
    seized = x.held;
    const worth = mulDiv(mulDiv(x.held, x.price, scale), WAD, WAD + bonus, true);
    repay = min(x.maxRepay, ceilDiv(worth, x.step) * x.step);
  }
  return { repay, seized, bonus };
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
const ceilDiv = (a: bigint, b: bigint) => (a === 0n ? 0n : (a - 1n) / b + 1n);
