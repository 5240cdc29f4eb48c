/**
 * The liquidity and concentration add-on (docs/dynamic-parameters.md section 3): what selling a
 * holding costs beyond the quoted price, by the square-root law of market impact: a sale of Q
 * against a daily volume V moves the price by about Y · σ_daily · √(Q / V). A holding that is a
 * large share of what the market trades in a day gets a larger haircut, up to a cap.
 */

export interface LiquidityParams {
  /** the square-root law's coefficient Y (about 1 in the empirical literature) */
  impactCoefficient: number;
  /** the largest add-on, as a fraction */
  cap: number;
}

export const DEFAULT_LIQUIDITY: LiquidityParams = { impactCoefficient: 1, cap: 0.5 };

/**
 * The add-on haircut (a fraction) for selling `holdingUsd` into `dailyVolumeUsd` of trading at daily volatility
 * `dailyVol`.
 */
export function liquidityAddOn(
  holdingUsd: number,
  dailyVolumeUsd: number,
  dailyVol: number,
  params: LiquidityParams = DEFAULT_LIQUIDITY,
): number {
  if (!(holdingUsd >= 0) || !(dailyVol >= 0)) throw new RangeError('holding and volatility must be non-negative');
  if (holdingUsd === 0) return 0;
  // No market to sell into: the whole cap.
  if (!(dailyVolumeUsd > 0)) return params.cap;
  return Math.min(params.cap, params.impactCoefficient * dailyVol * Math.sqrt(holdingUsd / dailyVolumeUsd));
}
