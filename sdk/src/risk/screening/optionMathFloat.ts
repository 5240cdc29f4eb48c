/**
 * optionMath.ts in float64: the normal distribution (Abramowitz & Stegun in the integer order) and
 * Black-Scholes, with the tolerance of each delta against the integer path.
 */

// The constants of optionMath.ts, as floats.
const P = 0.2316419;
const B1 = 0.31938153;
const B2 = -0.356563782;
const B3 = 1.781477937;
const B4 = -1.821255978;
const B5 = 1.330274429;
const INV_SQRT_2PI = 0.398942280401432678;
/** expWad returns 0 at or below this; mirroring it keeps pdf(x) = 0 where the contracts have it. */
const EXP_WAD_ZERO_BELOW = -41.446531673892822313;
/** The smallest nonzero WAD quantity: below it the integer path sees 0. */
const ONE_WEI = 1e-18;

export function normPdfFloat(x: number): number {
  const e = -(x * x) / 2;
  return e <= EXP_WAD_ZERO_BELOW ? 0 : Math.exp(e) * INV_SQRT_2PI;
}

/** A&S 26.2.17 in optionMath.ts's order; its branch at 0 jumps by `NORM_CDF_JUMP_AT_ZERO`. */
export function normCdfFloat(x: number): number {
  if (x < 0) return 1 - normCdfFloat(-x);
  const t = 1 / (1 + P * x);
  const poly = t * (B1 + t * (B2 + t * (B3 + t * (B4 + t * B5))));
  const n = 1 - normPdfFloat(x) * poly;
  return n < 0 ? 0 : n;
}

/**
 * N(0+) − N(0−) of the A&S formula (≈ 1.04e-9): the coefficients give N(0+) = 0.5 + 5.2e-10,
 * and N(−x) = 1 − N(x). Where the exact and float d1 (or d2) fall on opposite sides of zero the
 * two paths differ by this much of the notional; no amount of float care removes it.
 */
export const NORM_CDF_JUMP_AT_ZERO = 2 * normCdfFloat(0) - 1;

export interface FloatGreeks {
  price: number;
  delta: number;
  /** A bound on |delta − the integer path's delta| per unit, for deciding delta signs. */
  deltaTolerance: number;
}

/** Per-unit delta tolerance of collateral and perps: conversion rounding only. */
export const DELTA_TOLERANCE_LINEAR = 1e-15;

/** `blackScholes` of optionMath.ts with rate 0, in float64, same branches and formulas. */
export function blackScholesFloat(
  spot: number,
  strike: number,
  vol: number,
  timeYears: number,
  isCall: boolean,
): FloatGreeks {
  const sqrtT = Math.sqrt(timeYears);
  const sigmaSqrtT = vol * sqrtT;
  const moneyness = spot / strike;
  if (sigmaSqrtT < ONE_WEI || moneyness < ONE_WEI) {
    const intrinsic = isCall ? spot - strike : strike - spot;
    // Delta jumps from 0 to ±1 at the strike; elsewhere both paths agree exactly.
    const atStrike = Math.abs(spot - strike) <= 1e-12 * Math.max(spot, strike);
    return {
      price: intrinsic > 0 ? intrinsic : 0,
      delta: intrinsic > 0 ? (isCall ? 1 : -1) : 0,
      deltaTolerance: atStrike ? 1 : 1e-15,
    };
  }
  const logMoneyness = Math.log(moneyness);
  const drift = ((vol * vol) / 2) * timeYears;
  const d1 = (logMoneyness + drift) / sigmaSqrtT;
  const d2 = d1 - sigmaSqrtT;
  const n1 = normCdfFloat(d1);
  const price = isCall ? spot * n1 - strike * normCdfFloat(d2) : strike * normCdfFloat(-d2) - spot * normCdfFloat(-d1);
  return {
    price: price < 0 ? 0 : price,
    delta: isCall ? n1 : n1 - 1,
    deltaTolerance: deltaTolerance(d1, moneyness, logMoneyness + drift, sigmaSqrtT),
  };
}

/**
 * How far the integer path's N(d1) can be from ours: a few wei of truncation in moneyness, ln,
 * σ√t and N, float rounding, both divided by σ√t into d1 and scaled by pdf(d1); plus the A&S
 * jump if d1 is that close to zero. Generous by 16×: it only decides when a pair credit is
 * uncertain, which costs a little precision, never safety.
 */
function deltaTolerance(d1: number, moneyness: number, numerator: number, sigmaSqrtT: number): number {
  const numeratorError = 2e-18 / Math.min(moneyness, 1) + 1e-17 + 4.5e-16 * Math.abs(numerator);
  const d1Error = 16 * (numeratorError / sigmaSqrtT + Math.abs(d1) * (4.5e-16 + 1e-17 / sigmaSqrtT));
  const jump = Math.abs(d1) <= d1Error ? NORM_CDF_JUMP_AT_ZERO : 0;
  return Math.min(1, normPdfFloat(Math.max(0, Math.abs(d1) - d1Error)) * d1Error + jump + 1e-15);
}
