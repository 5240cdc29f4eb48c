/**
 * The layout of the float risk arrays: the slots of each instrument's record and of the
 * per-underlying accumulators, and the typed arrays (shared when workers read them) they live in.
 */

/** Scenarios per grid: 7 price steps × vol up/down, then the two extreme moves (docs section 6). */
export const SCENARIO_COUNT = 16;
export const REGULAR_SCENARIOS = 14;

// Per-instrument record. Fields [0, LINEAR) are values per unit that an account sums as
// size × value; the rest are summed through |size| or the short part of size.
export const BASE_M = 0;
export const BASE_I = 1;
export const DELTA = 2;
export const SCEN_M = 3;
export const SCEN_I = SCEN_M + SCENARIO_COUNT;
export const LINEAR = SCEN_I + SCENARIO_COUNT;
export const DELTA_TOL = LINEAR;
export const SHORT_CHARGE = LINEAR + 1;
/** Per-underlying accumulator width: the linear fields plus delta tolerance and short charge. */
export const ACC_WIDTH = LINEAR + 2;
export const EXPOSURE = ACC_WIDTH;
/** Float64 slots per instrument in `RiskArrays.values`. */
export const RISK_RECORD_WIDTH = EXPOSURE + 1;
const WAD_F = 1e18;
export const toFloat = (wad: bigint): number => Number(wad) / WAD_F;

export function float64Array(length: number, shared: boolean): Float64Array {
  return shared ? new Float64Array(new SharedArrayBuffer(length * 8)) : new Float64Array(length);
}

export function int32Array(length: number, shared: boolean): Int32Array {
  return shared ? new Int32Array(new SharedArrayBuffer(length * 4)) : new Int32Array(length);
}
/** Floats per collateral asset in `RiskArrays.concentration`. */
export const CONCENTRATION_WIDTH = 6;
