/**
 * The margin model of `contracts/src/risk/MarginMath.sol`, in exact integer arithmetic: for the
 * same inputs it returns the same figures to the wei, so integrators and the relayer see the
 * number the hub acts on. Units: USD and prices in WAD (1e18 = $1), haircuts and factors in WAD,
 * perp sizes in WAD of the underlying. Rounding favours the protocol exactly where the contract
 * does (see mulDiv calls below).
 */
export const WAD = 10n ** 18n;
/** Health of an account with nothing to maintain and no negative equity (type(uint256).max). */
export const MAX_HEALTH = (1n << 256n) - 1n;

export interface CollateralLine {
  amount: bigint;
  decimals: number;
  price: bigint;
  initialHaircut: bigint;
  maintenanceHaircut: bigint;
}

export interface PerpLine {
  size: bigint;
  price: bigint;
  initialFactor: bigint;
  maintenanceFactor: bigint;
}

export interface MarginFigures {
  initialEquity: bigint;
  maintenanceEquity: bigint;
  initialRequirement: bigint;
  maintenanceRequirement: bigint;
}

/** OpenZeppelin Math.mulDiv for non-negative operands, rounding down or up. */
export function mulDiv(a: bigint, b: bigint, d: bigint, roundUp = false): bigint {
  const p = a * b;
  const q = p / d;
  return roundUp && q * d !== p ? q + 1n : q;
}

export const abs = (x: bigint): bigint => (x < 0n ? -x : x);

export function tokenValue(amount: bigint, decimals: number, price: bigint): bigint {
  return mulDiv(amount, price, 10n ** BigInt(decimals));
}

export function haircut(value: bigint, cut: bigint): bigint {
  return mulDiv(value, WAD - cut, WAD);
}

/** size * price / WAD, rounded toward minus infinity (a short's liability rounds up). */
export function signedValueDown(size: bigint, price: bigint): bigint {
  return size >= 0n ? mulDiv(size, price, WAD) : -mulDiv(-size, price, WAD, true);
}

export function marginFigures(cash: bigint, collateral: readonly CollateralLine[], perps: readonly PerpLine[]): MarginFigures {
  const f: MarginFigures = { initialEquity: cash, maintenanceEquity: cash, initialRequirement: 0n, maintenanceRequirement: 0n };
  for (const c of collateral) {
    const gross = tokenValue(c.amount, c.decimals, c.price);
    f.initialEquity += haircut(gross, c.initialHaircut);
    f.maintenanceEquity += haircut(gross, c.maintenanceHaircut);
  }
  for (const p of perps) {
    const markValue = signedValueDown(p.size, p.price);
    f.initialEquity += markValue;
    f.maintenanceEquity += markValue;
    const notional = mulDiv(abs(p.size), p.price, WAD, true);
    f.initialRequirement += mulDiv(notional, p.initialFactor, WAD, true);
    f.maintenanceRequirement += mulDiv(notional, p.maintenanceFactor, WAD, true);
  }
  return f;
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
