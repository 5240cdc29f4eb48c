/**
 * SPAN risk arrays: every listed instrument (collateral asset, perp or option) valued per unit in
 * every scenario of the maintenance and initial grids, once per price update.
 */
import { CALL, PERP, PUT, type Underlying } from '../portfolioMargin.js';
import type { CollateralAsset, ListedMarket, BookSpec } from './book.js';
import {
  SCENARIO_COUNT,
  REGULAR_SCENARIOS,
  BASE_M,
  BASE_I,
  DELTA,
  SCEN_M,
  SCEN_I,
  DELTA_TOL,
  SHORT_CHARGE,
  EXPOSURE,
  RISK_RECORD_WIDTH,
  toFloat,
  float64Array,
  int32Array,
  CONCENTRATION_WIDTH,
} from './layout.js';
import { DELTA_TOLERANCE_LINEAR, blackScholesFloat } from './optionMathFloat.js';

/**
 * Everything the per-account pass reads, in typed arrays (SharedArrayBuffer-backed when built
 * with `shared`), so a worker receives it once by postMessage and sees every later update.
 * Instruments `[0, collateralCount)` are the book's collateral assets, the rest its markets.
 */
export interface RiskArrays {
  underlyingCount: number;
  collateralCount: number;
  instrumentCount: number;
  /** Per instrument: its underlying. */
  underlyingOf: Int32Array;
  /** Per instrument, `RISK_RECORD_WIDTH` floats: values per unit now and in every scenario, delta, tolerances. */
  values: Float64Array;
  /** Per underlying: the cover applied to the two extreme moves. */
  extremeCover: Float64Array;
  /**
   * Per collateral asset, `CONCENTRATION_WIDTH` floats: market depth (0: no add-on), impact, cap,
   * the underlying's spot, and 1 − each haircut. An account's holding scales that asset's values by
   * `(keep − addOn) / keep`, so the linear record stays per unit.
   */
  concentration: Float64Array;
  offsetA: Int32Array;
  offsetB: Int32Array;
  offsetCredit: Float64Array;
}
/** Allocates the risk arrays of `spec` and fills them for the given prices. */
export function buildRiskArrays(
  spec: BookSpec,
  underlyings: readonly Underlying[],
  options: { shared?: boolean } = {},
): RiskArrays {
  const shared = options.shared ?? false;
  const instrumentCount = spec.collateralAssets.length + spec.markets.length;
  const risk: RiskArrays = {
    underlyingCount: spec.underlyingCount,
    collateralCount: spec.collateralAssets.length,
    instrumentCount,
    underlyingOf: int32Array(instrumentCount, shared),
    values: float64Array(instrumentCount * RISK_RECORD_WIDTH, shared),
    extremeCover: float64Array(spec.underlyingCount, shared),
    concentration: float64Array(spec.collateralAssets.length * CONCENTRATION_WIDTH, shared),
    offsetA: int32Array(spec.offsets.length, shared),
    offsetB: int32Array(spec.offsets.length, shared),
    offsetCredit: float64Array(spec.offsets.length, shared),
  };
  spec.offsets.forEach(({ a, b, credit }, i) => {
    if (a < 0 || b < 0 || a >= spec.underlyingCount || b >= spec.underlyingCount || a === b)
      throw new Error(`UnknownUnderlying(${a}, ${b})`);
    risk.offsetA[i] = a;
    risk.offsetB[i] = b;
    risk.offsetCredit[i] = toFloat(credit);
  });
  updateRiskArrays(risk, spec, underlyings);
  return risk;
}

/** Refills `risk` in place for new spots and vols (workers sharing its buffers see the update). */
export function updateRiskArrays(risk: RiskArrays, spec: BookSpec, underlyings: readonly Underlying[]): void {
  if (underlyings.length !== spec.underlyingCount)
    throw new Error(`expected ${spec.underlyingCount} underlyings, got ${underlyings.length}`);
  const grids = underlyings.map(scenarioGrid);
  grids.forEach((g, k) => (risk.extremeCover[k] = g.extremeCover));
  spec.collateralAssets.forEach((asset, i) => {
    risk.underlyingOf[i] = asset.underlying;
    const g = gridOf(grids, asset.underlying);
    fillCollateral(risk.values.subarray(i * RISK_RECORD_WIDTH, (i + 1) * RISK_RECORD_WIDTH), asset, g);
    const terms = asset.concentration;
    risk.concentration.set(
      terms === undefined || terms.depthUsd === 0n
        ? [0, 0, 0, 0, 0, 0]
        : [
            toFloat(terms.depthUsd),
            toFloat(terms.impact),
            toFloat(terms.cap),
            g.spot,
            1 - toFloat(asset.maintenanceHaircut),
            1 - toFloat(asset.initialHaircut),
          ],
      i * CONCENTRATION_WIDTH,
    );
  });
  spec.markets.forEach((market, j) => {
    const i = risk.collateralCount + j;
    risk.underlyingOf[i] = market.underlying;
    fillMarket(
      risk.values.subarray(i * RISK_RECORD_WIDTH, (i + 1) * RISK_RECORD_WIDTH),
      market,
      gridOf(grids, market.underlying),
    );
  });
}

/** One underlying's current state and the spot and vol of every scenario, in float. */
interface ScenarioGrid {
  spot: number;
  vol: number;
  shortOptionMinimum: number;
  extremeCover: number;
  /** `SCENARIO_COUNT` spots and vols for the maintenance grid, then as many for the initial grid. */
  spots: Float64Array;
  vols: Float64Array;
  /** The largest spot of either grid: the scale of this underlying's repricing errors. */
  maxSpot: number;
}

function gridOf(grids: readonly ScenarioGrid[], k: number): ScenarioGrid {
  const g = grids[k];
  if (!g) throw new Error(`UnknownUnderlying(${k})`);
  return g;
}

/** `shiftedSpot` in float: the floor of 1 wei keeps option inputs valid after a crash scenario. */
const shifted = (spot: number, move: number): number => Math.max(spot + spot * move, 1e-18);

function scenarioGrid(u: Underlying): ScenarioGrid {
  const spot = toFloat(u.spot);
  const vol = toFloat(u.vol);
  const p = u.params;
  const rangeM = toFloat(p.scanRange);
  const spots = new Float64Array(2 * SCENARIO_COUNT);
  const vols = new Float64Array(2 * SCENARIO_COUNT);
  [rangeM, rangeM * toFloat(p.initialMultiple)].forEach((range, grid) => {
    const o = grid * SCENARIO_COUNT;
    // Same order as worstLoss: steps -3..3 of range/3, each with vol down then up; then the extremes.
    for (let step = -3; step <= 3; step++) {
      for (let sign = -1; sign <= 1; sign += 2) {
        const s = o + (step + 3) * 2 + (sign + 1) / 2;
        spots[s] = shifted(spot, (range * step) / 3);
        vols[s] = Math.max(vol + vol * toFloat(p.volShift) * sign, 0);
      }
    }
    const extreme = range * toFloat(p.extremeMultiple);
    spots[o + REGULAR_SCENARIOS] = shifted(spot, -extreme);
    spots[o + REGULAR_SCENARIOS + 1] = shifted(spot, extreme);
    vols[o + REGULAR_SCENARIOS] = vol;
    vols[o + REGULAR_SCENARIOS + 1] = vol;
  });
  return {
    spot,
    vol,
    shortOptionMinimum: toFloat(p.shortOptionMinimum),
    extremeCover: toFloat(p.extremeCover),
    spots,
    vols,
    maxSpot: Math.max(spot, ...spots),
  };
}

/**
 * A linear instrument per unit: worth spot × keep in every scenario of each grid (keep is
 * 1 − haircut for collateral, 1 for a perp, and x × 1 === x in float64), delta one unit.
 */
function fillLinear(rec: Float64Array, g: ScenarioGrid, keepM: number, keepI: number): void {
  rec.fill(0);
  rec[BASE_M] = g.spot * keepM;
  rec[BASE_I] = g.spot * keepI;
  rec[DELTA] = 1;
  for (let s = 0; s < SCENARIO_COUNT; s++) {
    rec[SCEN_M + s] = g.spots[s]! * keepM;
    rec[SCEN_I + s] = g.spots[SCENARIO_COUNT + s]! * keepI;
  }
  rec[DELTA_TOL] = DELTA_TOLERANCE_LINEAR;
  rec[EXPOSURE] = g.maxSpot;
}
/**
 * The factors an account's holding of `size` whole tokens of collateral asset `inst` scales its
 * maintenance and initial values by: `max(0, keep − addOn) / keep`, the add-on at the holding's
 * value (Concentration.addOn in float); `[1, 1]` for an asset without one.
 */
export function concentrationFactors(risk: RiskArrays, inst: number, size: number, out: Float64Array): void {
  const c = risk.concentration;
  const o = inst * CONCENTRATION_WIDTH;
  const depth = c[o]!;
  out[0] = out[1] = 1;
  if (depth === 0 || size <= 0) return;
  const addOn = Math.min(c[o + 2]!, c[o + 1]! * Math.sqrt((size * c[o + 3]!) / depth));
  const keepM = c[o + 4]!;
  const keepI = c[o + 5]!;
  out[0] = keepM > 0 ? Math.max(0, keepM - addOn) / keepM : 1;
  out[1] = keepI > 0 ? Math.max(0, keepI - addOn) / keepI : 1;
}

/** Collateral per whole token: worth spot × (1 − haircut), delta one unit, exact to rounding. */
function fillCollateral(rec: Float64Array, asset: CollateralAsset, g: ScenarioGrid): void {
  fillLinear(rec, g, 1 - toFloat(asset.maintenanceHaircut), 1 - toFloat(asset.initialHaircut));
}

/** A perp or option per unit of size: value in each scenario, delta, short charge and error scales. */
function fillMarket(rec: Float64Array, market: ListedMarket, g: ScenarioGrid): void {
  if (market.kind === PERP) {
    fillLinear(rec, g, 1, 1);
    return;
  }
  rec.fill(0);
  if (market.kind !== CALL && market.kind !== PUT) throw new Error(`UnknownKind(${market.kind})`);
  // What blackScholes rejects: the exact path would throw on every account holding this market.
  if (market.strike <= 0n || market.timeYears < 0n) throw new Error('InvalidOptionInput');
  const strike = toFloat(market.strike);
  const t = toFloat(market.timeYears);
  const isCall = market.kind === CALL;
  const now = blackScholesFloat(g.spot, strike, g.vol, t, isCall);
  rec[BASE_M] = rec[BASE_I] = now.price;
  rec[DELTA] = now.delta;
  for (let s = 0; s < SCENARIO_COUNT; s++) {
    rec[SCEN_M + s] = blackScholesFloat(g.spots[s]!, strike, g.vols[s]!, t, isCall).price;
    rec[SCEN_I + s] = blackScholesFloat(
      g.spots[SCENARIO_COUNT + s]!,
      strike,
      g.vols[SCENARIO_COUNT + s]!,
      t,
      isCall,
    ).price;
  }
  rec[DELTA_TOL] = now.deltaTolerance;
  rec[SHORT_CHARGE] = g.spot * g.shortOptionMinimum;
  // Calls are worth at most spot and puts at most strike: that bounds their rounding errors.
  rec[EXPOSURE] = Math.max(g.maxSpot, strike);
}
