/**
 * The per-account concentration add-on (docs/dynamic-parameters.md section 5), the twin of
 * contracts/src/risk/Concentration.sol: an account holding collateral worth `Q` of an asset with
 * market depth `D` has both its haircuts on it raised by `min(cap, impact × √(Q / D))`, the
 * square-root-law cost of selling its own holding. The same integer steps, rounding down.
 */
import { mulDiv, pow10, sqrtWad, WAD } from './fixedPoint.js';

/** `RiskConfig.ConcentrationTerms`: depth in USD WAD, impact and cap WAD; depth 0 turns it off. */
export interface ConcentrationTerms {
  depthUsd: bigint;
  impact: bigint;
  cap: bigint;
}

const MAX_UINT256 = (1n << 256n) - 1n;

/** `Concentration.addOn`: `min(cap, impact × √(valueUsd / depthUsd))`, 0 without depth, impact or value. */
export function concentrationAddOn(valueUsd: bigint, terms: ConcentrationTerms): bigint {
  const { depthUsd, impact, cap } = terms;
  if (depthUsd === 0n || impact === 0n || valueUsd === 0n) return 0n;
  // A holding over 1e41 times the depth: the root exceeds 3e20, any nonzero impact reaches the cap.
  if (valueUsd / depthUsd >= MAX_UINT256 / WAD / WAD) return cap;
  const a = (sqrtWad(mulDiv(valueUsd, WAD, depthUsd)) * impact) / WAD;
  return a < cap ? a : cap;
}

/** `Concentration.raise`: a haircut plus an add-on, at most 100%. */
export function raiseHaircut(haircut: bigint, extra: bigint): bigint {
  const h = haircut + extra;
  return h < WAD ? h : WAD;
}

/**
 * The haircuts an account's holding of `amount` (model units, `decimals`) is counted at, as
 * `RiskEngine._compute` sets them: the asset's, raised by the add-on of its value at `price`.
 */
export function concentratedHaircuts(
  asset: { initialHaircut: bigint; maintenanceHaircut: bigint; concentration?: ConcentrationTerms | undefined },
  amount: bigint,
  decimals: number,
  price: bigint,
): { initialHaircut: bigint; maintenanceHaircut: bigint; addOn: bigint } {
  const terms = asset.concentration;
  const addOn =
    terms === undefined || terms.depthUsd === 0n
      ? 0n
      : concentrationAddOn(mulDiv(amount, price, pow10(decimals)), terms);
  return {
    initialHaircut: raiseHaircut(asset.initialHaircut, addOn),
    maintenanceHaircut: raiseHaircut(asset.maintenanceHaircut, addOn),
    addOn,
  };
}
