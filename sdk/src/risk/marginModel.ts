/**
 * The figures and health the hub reports (`MarginMath.sol`), exact integer arithmetic: health from
 * figures, token values, formatting. The margin model that produces the figures is
 * `portfolioMargin.ts` (the twin of `PortfolioMargin.sol`).
 */
import { mulDiv, pow10, WAD } from './fixedPoint.js';

// Re-exported for existing importers; fixedPoint.ts is their one definition.
export { mulDiv, WAD };

/** Health of an account with nothing to maintain and no negative equity (type(uint256).max). */
export const MAX_HEALTH = (1n << 256n) - 1n;

export interface MarginFigures {
  initialEquity: bigint;
  maintenanceEquity: bigint;
  initialRequirement: bigint;
  maintenanceRequirement: bigint;
}

/** The maintenance half of the figures: what liquidation is decided and sized on. */
export type MaintenanceFigures = Pick<MarginFigures, 'maintenanceEquity' | 'maintenanceRequirement'>;

export const abs = (x: bigint): bigint => (x < 0n ? -x : x);

export function tokenValue(amount: bigint, decimals: number, price: bigint): bigint {
  return mulDiv(amount, price, pow10(decimals));
}

/** equity / requirement in WAD, as MarginMath.health: below 1e18 the account can be liquidated. */
export function health(equity: bigint, requirement: bigint): bigint {
  if (equity <= 0n) return requirement === 0n && equity === 0n ? MAX_HEALTH : 0n;
  if (requirement === 0n) return MAX_HEALTH;
  return mulDiv(equity, WAD, requirement);
}

/** Health as a JSON-friendly decimal string ("1.234567890123456789"), or "Infinity". */
export function formatHealth(h: bigint): string {
  if (h === MAX_HEALTH) return 'Infinity';
  return formatWad(h);
}

export function formatWad(x: bigint): string {
  const sign = x < 0n ? '-' : '';
  const v = abs(x);
  const frac = (v % WAD).toString().padStart(18, '0').replace(/0+$/, '');
  return `${sign}${v / WAD}${frac ? '.' + frac : ''}`;
}
