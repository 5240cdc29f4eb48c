/**
 * solady's FixedPointMathLib `expWad`, `lnWad` and `sqrtWad` (v0.1.26, credit Remco Bloemen for
 * exp/ln), ported step by step to bigint so they return exactly what the contracts compute.
 * EVM `sdiv` and bigint `/` both truncate toward zero; `sar` and bigint `>>` both floor; the
 * intermediate values never exceed 256 bits, so no EVM wrap-around needs emulating.
 */
export const WAD = 10n ** 18n;

/** 10^0 … 10^77 (10^77 is the largest power of ten below 2^256): token scales, looked up, not raised each time. */
const POWERS_OF_TEN = Array.from({ length: 78 }, (_, i) => 10n ** BigInt(i));

/**
 * 10^`decimals`, the scale of a token with that many decimals. The risk model divides by it in
 * every scenario of every collateral line; a table lookup instead of `10n ** BigInt(decimals)`
 * takes a third off that division's cost.
 */
export function pow10(decimals: number): bigint {
  return POWERS_OF_TEN[decimals] ?? 10n ** BigInt(decimals);
}

export class FixedPointError extends Error {}

// ------------------------------------------------------------------------------ products and quotients
// The one home of the WAD helpers. bigint `/` truncates toward zero, as EVM `div`/`sdiv`; the
// helpers differ only in what they do with an inexact quotient, so pick by the contract's rounding.

/**
 * OpenZeppelin Math.mulDiv: a × b / d truncated toward zero, plus one if `roundUp` and the
 * division was inexact. The contracts only call it with non-negative operands, where that is
 * floor and ceiling; for a negative inexact quotient `roundUp` still adds one (not a ceiling).
 */
export function mulDiv(a: bigint, b: bigint, d: bigint, roundUp = false): bigint {
  const p = a * b;
  const q = p / d;
  return roundUp && q * d !== p ? q + 1n : q;
}

/** a × b / WAD truncated toward zero (solidity `a * b / 1e18`): `mulDiv(a, b, WAD)`. */
export const mulWad = (a: bigint, b: bigint): bigint => mulDiv(a, b, WAD);

/** a × WAD / b truncated toward zero (solidity `a * 1e18 / b`): `mulDiv(a, WAD, b)`. */
export const divWad = (a: bigint, b: bigint): bigint => mulDiv(a, WAD, b);

/** a × b / WAD, plus one if inexact, as PortfolioMargin.sol's `mulWadUp`: `mulDiv(a, b, WAD, true)`. */
export const mulWadUp = (a: bigint, b: bigint): bigint => mulDiv(a, b, WAD, true);

/**
 * a × b / WAD rounded toward negative infinity, as PortfolioMargin.sol's `mulWadDown` (a short's
 * liability rounds up). Not `mulWad`: the two differ by one on every inexact negative product.
 */
export function mulWadDown(a: bigint, b: bigint): bigint {
  const prod = a * b;
  let q = prod / WAD;
  if (prod < 0n && q * WAD !== prod) q -= 1n;
  return q;
}

/** exp(x) in WAD; 0 below about -41.4, reverts (throws) from about 135.3 (`ExpOverflow`). */
export function expWad(x: bigint): bigint {
  if (x <= -41446531673892822313n) return 0n;
  if (x >= 135305999368893231589n) throw new FixedPointError('ExpOverflow');
  x = (x << 78n) / 5n ** 18n;
  const k = ((x << 96n) / 54916777467707473351141471128n + 2n ** 95n) >> 96n;
  x = x - k * 54916777467707473351141471128n;
  let y = x + 1346386616545796478920950773328n;
  y = ((y * x) >> 96n) + 57155421227552351082224309758442n;
  let p = y + x - 94201549194550492254356042504812n;
  p = ((p * y) >> 96n) + 28719021644029726153956944680412240n;
  p = p * x + (4385272521454847904659076985693276n << 96n);
  let q = x - 2855989394907223263936484059900n;
  q = ((q * x) >> 96n) + 50020603652535783019961831881945n;
  q = ((q * x) >> 96n) - 533845033583426703283633433725380n;
  q = ((q * x) >> 96n) + 3604857256930695427073651918091429n;
  q = ((q * x) >> 96n) - 14423608567350463180887372962807573n;
  q = ((q * x) >> 96n) + 26449188498355588339934803723976023n;
  const r = p / q;
  return (r * 3822833074963236453042738258902158003155416615667n) >> (195n - k);
}

/** ln(x) in WAD for x > 0 (`LnWadUndefined` otherwise). */
export function lnWad(x: bigint): bigint {
  if (x <= 0n) throw new FixedPointError('LnWadUndefined');
  const log2 = BigInt(x.toString(2).length - 1);
  const r = 255n - log2;
  x = ((x << r) & ((1n << 256n) - 1n)) >> 159n;
  let p =
    (((((((3273285459638523848632254066296n + x) * x) >> 96n) + 24828157081833163892658089445524n) * x) >> 96n) +
      43456485725739037958740375743393n) *
    x;
  p = (p >> 96n) - 11111509109440967052023855526967n;
  p = ((p * x) >> 96n) - 45023709667254063763336534515857n;
  p = ((p * x) >> 96n) - 14706773417378608786704636184526n;
  p = p * x - (795164235651350426258249787498n << 96n);
  let q = 5573035233440673466300451813936n + x;
  q = 71694874799317883764090561454958n + ((x * q) >> 96n);
  q = 283447036172924575727196451306956n + ((x * q) >> 96n);
  q = 401686690394027663651624208769553n + ((x * q) >> 96n);
  q = 204048457590392012362485061816622n + ((x * q) >> 96n);
  q = 31853899698501571402653359427138n + ((x * q) >> 96n);
  q = 909429971244387300277376558375n + ((x * q) >> 96n);
  p = p / q;
  p = 1677202110996718588342820967067443963516166n * p;
  p = 16597577552685614221487285958193947469193820559219878177908093499208371n * (159n - r) + p;
  p = 600920179829731861736702779321621459595472258049074101567377883020018308n + p;
  return p >> 174n;
}

/** floor(sqrt(a)) for a >= 0. */
export function sqrt(a: bigint): bigint {
  if (a < 2n) return a;
  let z = 1n << BigInt(Math.ceil(a.toString(2).length / 2));
  for (;;) {
    const next = (z + a / z) >> 1n;
    if (next >= z) return z;
    z = next;
  }
}

/** sqrt(x) in WAD for 0 <= x <= 2^256 / 1e18 (the only range the contracts call it with). */
export function sqrtWad(x: bigint): bigint {
  if (x < 0n || x > ((1n << 256n) - 1n) / WAD) throw new FixedPointError('sqrtWad out of range');
  return sqrt(x * WAD);
}
