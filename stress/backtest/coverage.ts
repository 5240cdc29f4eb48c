/**
 * The statistics a CCP's margin backtest reports (EMIR RTS 153/2013 Article 49; the Basel traffic
 * light): how often the realised move over the margin period of risk exceeded the margin, whether
 * that is too often for the confidence level (Kupiec's proportion of failures), whether the
 * exceedances cluster (Christoffersen's independence test), and how procyclical the margin is.
 */
import { normCdfFloat } from '@omnichain-collateral/sdk/risk/screening';

/** P(χ²(1) > x): a χ² with one degree of freedom is the square of a standard normal. */
export const chiSquared1Survival = (x: number): number => (x <= 0 ? 1 : 2 * (1 - normCdfFloat(Math.sqrt(x))));

/** x·ln(p), with 0·ln(0) = 0 (the likelihoods below have empty cells). */
const xlog = (x: number, p: number): number => (x === 0 ? 0 : x * Math.log(p));

/**
 * Kupiec's proportion-of-failures test, one-sided for too many exceedances as the Basel traffic
 * light is: the likelihood ratio of the observed exceedance rate against `p`, its signed root
 * standard normal under the null. Fewer exceedances than expected never reject (p-value ≥ 0.5).
 * @returns the likelihood ratio and the one-sided p-value
 */
export function kupiec(observations: number, exceedances: number, p: number): { lr: number; pValue: number } {
  if (observations <= 0) throw new RangeError('Kupiec needs at least one observation');
  const n = observations;
  const x = exceedances;
  const rate = x / n;
  const lr = Math.max(0, -2 * (xlog(n - x, 1 - p) + xlog(x, p) - xlog(n - x, 1 - rate) - xlog(x, rate)));
  const signedRoot = (rate > p ? 1 : -1) * Math.sqrt(lr);
  return { lr, pValue: 1 - normCdfFloat(signedRoot) };
}

/**
 * Christoffersen's test that an exceedance today does not make one tomorrow likelier: the
 * likelihood ratio of a first-order Markov chain of hits against independent hits, χ²(1).
 * @param hits whether each observation, in time order, was an exceedance
 */
export function christoffersen(hits: readonly boolean[]): { lr: number; pValue: number } {
  let n00 = 0;
  let n01 = 0;
  let n10 = 0;
  let n11 = 0;
  for (let t = 1; t < hits.length; t++) {
    if (hits[t - 1]) hits[t] ? n11++ : n10++;
    else hits[t] ? n01++ : n00++;
  }
  const pi01 = n00 + n01 === 0 ? 0 : n01 / (n00 + n01);
  const pi11 = n10 + n11 === 0 ? 0 : n11 / (n10 + n11);
  const pi = (n01 + n11) / Math.max(1, n00 + n01 + n10 + n11);
  const independent = xlog(n00 + n10, 1 - pi) + xlog(n01 + n11, pi);
  const markov = xlog(n00, 1 - pi01) + xlog(n01, pi01) + xlog(n10, 1 - pi11) + xlog(n11, pi11);
  const lr = Math.max(0, -2 * (independent - markov));
  return { lr, pValue: chiSquared1Survival(lr) };
}

export interface Procyclicality {
  /** the highest margin over the lowest (EMIR Article 28's peak-to-trough ratio) */
  peakToTrough: number;
  /** the largest rise of the margin over one day and over five, as a fraction of the level before */
  maxIncrease1d: number;
  maxIncrease5d: number;
}

/** The procyclicality measures of a daily margin series. */
export function procyclicality(margins: readonly number[]): Procyclicality {
  if (margins.length === 0) throw new RangeError('no margins');
  const rise = (lag: number) => {
    let max = 0;
    for (let t = lag; t < margins.length; t++) max = Math.max(max, margins[t]! / margins[t - lag]! - 1);
    return max;
  };
  return {
    peakToTrough: Math.max(...margins) / Math.min(...margins),
    maxIncrease1d: rise(1),
    maxIncrease5d: rise(5),
  };
}
