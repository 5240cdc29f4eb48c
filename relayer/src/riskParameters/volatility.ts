/**
 * Volatility from daily closes (docs/dynamic-parameters.md): log returns, RiskMetrics' EWMA
 * variance, and a GARCH(1,1) fitted by Gaussian quasi-maximum likelihood with variance targeting,
 * whose forecast over a horizon mean-reverts toward the long-run variance. Closes only: the
 * highs and lows of real candles carry absurd prints (see candles.ts) that a range estimator
 * would take at face value.
 */

/** RiskMetrics' decay for daily data: each day's squared return weighs 6%, the past 94%. */
export const RISKMETRICS_LAMBDA = 0.94;

/** ln(close_t / close_{t-1}) for each day after the first. */
export function logReturns(closes: readonly number[]): number[] {
  const r: number[] = [];
  for (let i = 1; i < closes.length; i++) r.push(Math.log(closes[i]! / closes[i - 1]!));
  return r;
}

export function sampleVariance(xs: readonly number[]): number {
  if (xs.length < 2) throw new Error('a variance needs at least two returns');
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
}

/**
 * EWMA variance: v[t] is the variance forecast for return t made before it is seen,
 * v[t+1] = λ v[t] + (1 − λ) r[t]². Seeded with the mean square of the first `seed` returns.
 * The array has one more entry than `returns`: its last is the forecast for the next day.
 */
export function ewmaVariances(returns: readonly number[], lambda = RISKMETRICS_LAMBDA, seed = 30): number[] {
  if (!(lambda > 0 && lambda < 1)) throw new RangeError(`λ must be in (0, 1), got ${lambda}`);
  if (returns.length < seed) throw new Error(`EWMA needs at least ${seed} returns, got ${returns.length}`);
  const v = [returns.slice(0, seed).reduce((a, r) => a + r * r, 0) / seed];
  for (const r of returns) v.push(lambda * v.at(-1)! + (1 - lambda) * r * r);
  return v;
}

export interface Garch {
  omega: number;
  alpha: number;
  beta: number;
  /** ω / (1 − α − β): where the forecast reverts to */
  longRunVariance: number;
  /** the forecast for the day after the last return */
  nextVariance: number;
  /** the Gaussian log-likelihood at the fit, without its constant */
  logLikelihood: number;
}

/**
 * −2 × log-likelihood (less its constant) of GARCH(1,1) with ω from variance targeting, and the next day's variance.
 */
function garchNll(
  returns: readonly number[],
  alpha: number,
  beta: number,
  target: number,
): { nll: number; next: number } {
  const omega = target * (1 - alpha - beta);
  let v = target;
  let nll = 0;
  for (const r of returns) {
    nll += Math.log(v) + (r * r) / v;
    v = omega + alpha * r * r + beta * v;
  }
  return { nll, next: v };
}

/**
 * GARCH(1,1), σ²[t+1] = ω + α r[t]² + β σ²[t], fitted by quasi-maximum likelihood with variance
 * targeting (ω = V (1 − α − β), V the sample variance): a grid over α in [0.01, 0.30] and β in
 * [0.50, 0.99] with α + β < 1, then a finer grid around the best point.
 */
export function fitGarch(returns: readonly number[]): Garch {
  if (returns.length < 100) throw new Error(`a GARCH fit needs at least 100 returns, got ${returns.length}`);
  const target = sampleVariance(returns);
  let best = { alpha: 0.05, beta: 0.9, nll: Infinity, next: target };
  const search = (alphas: number[], betas: number[]) => {
    for (const alpha of alphas) {
      for (const beta of betas) {
        if (alpha <= 0 || beta <= 0 || alpha + beta >= 0.999) continue;
        const { nll, next } = garchNll(returns, alpha, beta, target);
        if (nll < best.nll) best = { alpha, beta, nll, next };
      }
    }
  };
  const steps = (from: number, to: number, step: number) =>
    Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => from + i * step);
  search(steps(0.01, 0.3, 0.01), steps(0.5, 0.99, 0.01));
  search(steps(best.alpha - 0.01, best.alpha + 0.01, 0.001), steps(best.beta - 0.01, best.beta + 0.01, 0.001));
  const omega = target * (1 - best.alpha - best.beta);
  return {
    omega,
    alpha: best.alpha,
    beta: best.beta,
    longRunVariance: target,
    nextVariance: best.next,
    logLikelihood: -best.nll / 2,
  };
}

/**
 * The variance of the sum of the next `days` returns: Σ over h of
 * V + (α + β)^(h−1) (σ²[t+1] − V), each day's forecast reverting toward V.
 */
export function garchHorizonVariance(g: Garch, days: number): number {
  const persistence = g.alpha + g.beta;
  let total = 0;
  for (let h = 1; h <= days; h++)
    total += g.longRunVariance + persistence ** (h - 1) * (g.nextVariance - g.longRunVariance);
  return total;
}
