/**
 * `contracts/src/risk/OptionMath.sol` in bigint: normal distribution (Abramowitz & Stegun
 * 26.2.17) and Black-Scholes with delta and vega, the same integer operations in the same order.
 */
import { divWad, expWad, lnWad, mulWad, sqrtWad, WAD } from './fixedPoint.js';

const P = 231641900000000000n;
const B1 = 319381530000000000n;
const B2 = -356563782000000000n;
const B3 = 1781477937000000000n;
const B4 = -1821255978000000000n;
const B5 = 1330274429000000000n;
const INV_SQRT_2PI = 398942280401432678n;

export function normPdf(x: bigint): bigint {
  return mulWad(expWad(-mulWad(x, x) / 2n), INV_SQRT_2PI);
}

export function normCdf(x: bigint): bigint {
  if (x < 0n) return WAD - normCdf(-x);
  const t = divWad(WAD, WAD + mulWad(P, x));
  const poly = mulWad(t, B1 + mulWad(t, B2 + mulWad(t, B3 + mulWad(t, B4 + mulWad(t, B5)))));
  const n = WAD - mulWad(normPdf(x), poly);
  return n < 0n ? 0n : n;
}

export interface Greeks {
  price: bigint;
  delta: bigint;
  vega: bigint;
}

export class InvalidOptionInput extends Error {}

export function blackScholes(
  spot: bigint,
  strike: bigint,
  vol: bigint,
  timeYears: bigint,
  rate: bigint,
  isCall: boolean,
): Greeks {
  if (spot <= 0n || strike <= 0n || vol < 0n || timeYears < 0n || rate < 0n)
    throw new InvalidOptionInput('InvalidOptionInput');
  const discountedStrike = mulWad(strike, expWad(-mulWad(rate, timeYears)));
  const sqrtT = sqrtWad(timeYears);
  const sigmaSqrtT = mulWad(vol, sqrtT);
  const moneyness = divWad(spot, strike);
  if (sigmaSqrtT === 0n || moneyness === 0n) {
    const intrinsic = isCall ? spot - discountedStrike : discountedStrike - spot;
    return { price: intrinsic > 0n ? intrinsic : 0n, delta: intrinsic > 0n ? (isCall ? WAD : -WAD) : 0n, vega: 0n };
  }
  const d1 = divWad(lnWad(moneyness) + mulWad(rate + mulWad(vol, vol) / 2n, timeYears), sigmaSqrtT);
  const d2 = d1 - sigmaSqrtT;
  let price: bigint;
  let delta: bigint;
  if (isCall) {
    price = mulWad(spot, normCdf(d1)) - mulWad(discountedStrike, normCdf(d2));
    delta = normCdf(d1);
  } else {
    price = mulWad(discountedStrike, normCdf(-d2)) - mulWad(spot, normCdf(-d1));
    delta = normCdf(d1) - WAD;
  }
  return { price: price < 0n ? 0n : price, delta, vega: mulWad(mulWad(spot, normPdf(d1)), sqrtT) };
}
