/**
 * Fast float64 screening for the portfolio margin model (docs/risk-model.md section 6), for
 * monitoring many accounts between on-chain checks. Not a replacement for `portfolioMargin`:
 * it finds the accounts worth checking exactly.
 *
 * SPAN risk arrays: once per price update, every listed instrument (collateral asset, perp or
 * option) is valued per unit in every scenario of the maintenance and initial grids. The model
 * is linear in holdings inside one underlying's scenario, so an account's scenario values are
 * dot products `Σ size × riskArray`; only the per-underlying max, the extreme-move cover and the
 * pair credits are non-linear, and those act on a handful of sums. Screening 100,000 accounts is
 * then about 30 million multiply-adds.
 *
 * The float path follows `portfolioMargin` formula by formula (including the Abramowitz & Stegun
 * normal CDF of optionMath.ts in its integer order), so it differs only by rounding, within
 * `SCREENING_ERROR_BOUND`. Everything is stored struct-of-arrays in typed arrays that can live in
 * SharedArrayBuffers, so worker threads screen slices of one book without copying it.
 *
 * This module is the public surface; each part lives in `screening/`.
 */
export { type CollateralAsset, type ListedMarket, type BookSpec, type BookAccount } from './screening/book.js';
export { SCENARIO_COUNT, RISK_RECORD_WIDTH } from './screening/layout.js';
export { type RiskArrays, buildRiskArrays, updateRiskArrays } from './screening/riskArrays.js';
export {
  normPdfFloat,
  normCdfFloat,
  NORM_CDF_JUMP_AT_ZERO,
  type FloatGreeks,
  blackScholesFloat,
} from './screening/optionMathFloat.js';
export { type PackedAccounts, packAccounts } from './screening/packing.js';
export { SCREENING_ERROR_BOUND, screeningErrorBound, isLiquidationCandidate } from './screening/errorBound.js';
export {
  SCREEN_CANDIDATE,
  SCREEN_OFFSET_UNCERTAIN,
  type ScreenResult,
  type ScreenOutput,
  allocateScreenOutput,
  screenBook,
  screenAccount,
  screenPortfolio,
} from './screening/screen.js';
