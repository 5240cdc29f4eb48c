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
 */
import type { ConcentrationTerms } from './concentration.js';
import {
  CALL,
  PERP,
  PUT,
  type Collateral,
  type PairOffset,
  type Position,
  type Underlying,
} from './portfolioMargin.js';

// ------------------------------------------------------------------------------ book description

/** A collateral token (one per chain and token): what an account's collateral holding refers to. */
export interface CollateralAsset {
  underlying: number;
  decimals: number;
  initialHaircut: bigint;
  maintenanceHaircut: bigint;
  /** the per-account concentration add-on (concentration.ts); absent or depth 0: none */
  concentration?: ConcentrationTerms | undefined;
}

/** A listed perp or option market: what an account's position refers to. */
export interface ListedMarket {
  underlying: number;
  kind: number;
  /** WAD; ignored for perps. */
  strike: bigint;
  /** WAD years to expiry; ignored for perps. */
  timeYears: bigint;
}

/** The instruments accounts can hold, and the correlated-pair credits that apply to every account. */
export interface BookSpec {
  underlyingCount: number;
  collateralAssets: readonly CollateralAsset[];
  markets: readonly ListedMarket[];
  offsets: readonly PairOffset[];
}

/**
 * One account in exact form (the units `portfolioMargin` takes): cash in WAD USD, amounts in token units, sizes in WAD.
 */
export interface BookAccount {
  cash: bigint;
  collateral: readonly { asset: number; amount: bigint }[];
  positions: readonly { market: number; size: bigint }[];
}

// ------------------------------------------------------------------------------ risk arrays

/** Scenarios per grid: 7 price steps × vol up/down, then the two extreme moves (docs section 6). */
export const SCENARIO_COUNT = 16;
const REGULAR_SCENARIOS = 14;

// Per-instrument record. Fields [0, LINEAR) are values per unit that an account sums as
// size × value; the rest are summed through |size| or the short part of size.
const BASE_M = 0;
const BASE_I = 1;
const DELTA = 2;
const SCEN_M = 3;
const SCEN_I = SCEN_M + SCENARIO_COUNT;
const LINEAR = SCEN_I + SCENARIO_COUNT;
const DELTA_TOL = LINEAR;
const SHORT_CHARGE = LINEAR + 1;
/** Per-underlying accumulator width: the linear fields plus delta tolerance and short charge. */
const ACC_WIDTH = LINEAR + 2;
const EXPOSURE = ACC_WIDTH;
/** Float64 slots per instrument in `RiskArrays.values`. */
export const RISK_RECORD_WIDTH = EXPOSURE + 1;

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

const WAD_F = 1e18;
const toFloat = (wad: bigint): number => Number(wad) / WAD_F;

function float64Array(length: number, shared: boolean): Float64Array {
  return shared ? new Float64Array(new SharedArrayBuffer(length * 8)) : new Float64Array(length);
}

function int32Array(length: number, shared: boolean): Int32Array {
  return shared ? new Int32Array(new SharedArrayBuffer(length * 4)) : new Int32Array(length);
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

/** Floats per collateral asset in `RiskArrays.concentration`. */
const CONCENTRATION_WIDTH = 6;

/**
 * The factors an account's holding of `size` whole tokens of collateral asset `inst` scales its
 * maintenance and initial values by: `max(0, keep − addOn) / keep`, the add-on at the holding's
 * value (Concentration.addOn in float); `[1, 1]` for an asset without one.
 */
function concentrationFactors(risk: RiskArrays, inst: number, size: number, out: Float64Array): void {
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

// ------------------------------------------------------------------------------ option maths in float

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
const DELTA_TOLERANCE_LINEAR = 1e-15;

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

// ------------------------------------------------------------------------------ accounts

/** The book's accounts, struct-of-arrays: account i holds entries `[start[i], start[i + 1])`. */
export interface PackedAccounts {
  count: number;
  /** USD. */
  cash: Float64Array;
  start: Int32Array;
  /** Instrument index (see RiskArrays): collateral assets first, then markets. */
  instrument: Int32Array;
  /** Whole tokens for collateral, units of the underlying for positions. */
  size: Float64Array;
}

/** Converts exact accounts to the float book (once; later price updates do not touch it). */
export function packAccounts(
  spec: BookSpec,
  accounts: readonly BookAccount[],
  options: { shared?: boolean } = {},
): PackedAccounts {
  const shared = options.shared ?? false;
  let entries = 0;
  for (const a of accounts) entries += a.collateral.length + a.positions.length;
  const packed: PackedAccounts = {
    count: accounts.length,
    cash: float64Array(accounts.length, shared),
    start: int32Array(accounts.length + 1, shared),
    instrument: int32Array(entries, shared),
    size: float64Array(entries, shared),
  };
  const scale = spec.collateralAssets.map((asset) => 10 ** asset.decimals);
  let e = 0;
  accounts.forEach((a, i) => {
    packed.cash[i] = toFloat(a.cash);
    packed.start[i] = e;
    for (const { asset, amount } of a.collateral) {
      if (asset < 0 || asset >= scale.length) throw new Error(`UnknownCollateral(${asset})`);
      packed.instrument[e] = asset;
      packed.size[e++] = Number(amount) / scale[asset]!;
    }
    for (const { market, size } of a.positions) {
      if (market < 0 || market >= spec.markets.length) throw new Error(`UnknownMarket(${market})`);
      packed.instrument[e] = spec.collateralAssets.length + market;
      packed.size[e++] = toFloat(size);
    }
  });
  packed.start[accounts.length] = e;
  return packed;
}

// ------------------------------------------------------------------------------ error bound

/**
 * Bound on |float − exact| for each of equity_m, equity_i, requirement_m and requirement_i:
 * `relative × grossExposure + absolute` (USD). `grossExposure` is |cash| plus Σ |size| × the
 * largest price each holding is exposed to: its underlying's highest scenario spot (pre-haircut
 * for collateral), or the strike if higher for options. That is the scale of every value the
 * model computes for it (a call is worth at most spot, a put at most strike), hence of its
 * rounding errors; an option's premium is not (a far out-of-the-money short call is worth
 * nothing now and a lot in the up-move).
 *
 * Measured: at most 4.9e-16 of the exposure (test/unit/screening.test.ts: 2,000 random portfolios of
 * sdk/vectors and 2,800 book accounts; offline: 12,000 more portfolios, 20,000 more accounts).
 * What random tests practically never hit sets the bound: where the exact and float d1 (or d2)
 * fall on opposite sides of zero, the A&S CDF's branch at 0 jumps by J = `NORM_CDF_JUMP_AT_ZERO` ≈ 1.04e-9, so a
 * value moves by up to J × (spot + strike) ≤ 2J of its exposure; a scenario loss takes two
 * values (4J), and two chained pair credits (each 1-Lipschitz, credit ≤ 1) at most quadruple
 * that: 16J ≈ 1.7e-8. `relative` = 5e-8 is 3× that and 10^8× the measured rounding (the test
 * provokes the jump and checks it fits). `absolute` covers the integer path's wei truncations
 * (a few wei per holding and per unit of option size), for underlyings priced above $1e-9.
 *
 * It holds for requirements when no pair credit was uncertain (see `SCREEN_OFFSET_UNCERTAIN`);
 * otherwise `requirementMCeiling` is at least the exact requirement less the bound.
 */
export const SCREENING_ERROR_BOUND = { relative: 5e-8, absolute: 1e-9 } as const;

/** `SCREENING_ERROR_BOUND` for an account of this gross exposure, in USD. */
export function screeningErrorBound(grossExposure: number): number {
  return SCREENING_ERROR_BOUND.relative * grossExposure + SCREENING_ERROR_BOUND.absolute;
}

/**
 * True unless the account is certainly not liquidatable: equity and requirement can each be
 * off by the bound, so healthy needs `equity_m >= ceiling + 2 × bound`. Written so NaN (which
 * compares false) lands on the safe side.
 */
export function isLiquidationCandidate(equityM: number, requirementMCeiling: number, grossExposure: number): boolean {
  return !(equityM >= requirementMCeiling + 2 * screeningErrorBound(grossExposure));
}

// ------------------------------------------------------------------------------ screening

/** `ScreenOutput.flags` bit: check this account exactly (it may be liquidatable). */
export const SCREEN_CANDIDATE = 1;
/** `ScreenOutput.flags` bit: a delta sign deciding a pair credit was within rounding of zero. */
export const SCREEN_OFFSET_UNCERTAIN = 2;

export interface ScreenResult {
  equityM: number;
  requirementM: number;
  equityI: number;
  requirementI: number;
  /** requirementM, or if a pair credit was uncertain the largest requirement any choice gives. */
  requirementMCeiling: number;
  grossExposure: number;
  offsetUncertain: boolean;
  candidate: boolean;
}

/** Per-account results for a whole book, indexed like the accounts. */
export interface ScreenOutput {
  equityM: Float64Array;
  requirementM: Float64Array;
  equityI: Float64Array;
  requirementI: Float64Array;
  requirementMCeiling: Float64Array;
  grossExposure: Float64Array;
  flags: Uint8Array;
}

export function allocateScreenOutput(count: number, options: { shared?: boolean } = {}): ScreenOutput {
  const shared = options.shared ?? false;
  return {
    equityM: float64Array(count, shared),
    requirementM: float64Array(count, shared),
    equityI: float64Array(count, shared),
    requirementI: float64Array(count, shared),
    requirementMCeiling: float64Array(count, shared),
    grossExposure: float64Array(count, shared),
    flags: shared ? new Uint8Array(new SharedArrayBuffer(count)) : new Uint8Array(count),
  };
}

/** Per-call working memory, sized for one book, so the account loop allocates nothing. */
class Scratch {
  readonly acc: Float64Array;
  readonly reqM: Float64Array;
  readonly reqI: Float64Array;
  readonly work: Float64Array;
  readonly opposite: Uint8Array;
  readonly uncertain: Int32Array;
  readonly apply: Uint8Array;
  readonly factors = new Float64Array(2);
  readonly result: ScreenResult = {
    equityM: 0,
    requirementM: 0,
    equityI: 0,
    requirementI: 0,
    requirementMCeiling: 0,
    grossExposure: 0,
    offsetUncertain: false,
    candidate: false,
  };

  constructor(risk: RiskArrays) {
    this.acc = new Float64Array(risk.underlyingCount * ACC_WIDTH);
    this.reqM = new Float64Array(risk.underlyingCount);
    this.reqI = new Float64Array(risk.underlyingCount);
    this.work = new Float64Array(risk.underlyingCount);
    this.opposite = new Uint8Array(risk.offsetA.length);
    this.uncertain = new Int32Array(risk.offsetA.length);
    this.apply = new Uint8Array(risk.offsetA.length);
  }
}

/** Screens accounts `[from, to)` into `out` (a worker's slice); returns how many are candidates. */
export function screenBook(
  risk: RiskArrays,
  accounts: PackedAccounts,
  out: ScreenOutput,
  from = 0,
  to = accounts.count,
): number {
  if (from < 0 || to > accounts.count || from > to || out.flags.length < accounts.count)
    throw new RangeError(`bad range [${from}, ${to}) for ${accounts.count} accounts`);
  const scratch = new Scratch(risk);
  const r = scratch.result;
  let candidates = 0;
  for (let i = from; i < to; i++) {
    evaluateAccount(risk, accounts, i, scratch);
    out.equityM[i] = r.equityM;
    out.requirementM[i] = r.requirementM;
    out.equityI[i] = r.equityI;
    out.requirementI[i] = r.requirementI;
    out.requirementMCeiling[i] = r.requirementMCeiling;
    out.grossExposure[i] = r.grossExposure;
    out.flags[i] = (r.candidate ? SCREEN_CANDIDATE : 0) | (r.offsetUncertain ? SCREEN_OFFSET_UNCERTAIN : 0);
    if (r.candidate) candidates++;
  }
  return candidates;
}

/** Screens one account of a packed book. */
export function screenAccount(risk: RiskArrays, accounts: PackedAccounts, index: number): ScreenResult {
  if (index < 0 || index >= accounts.count) throw new RangeError(`no account ${index}`);
  const scratch = new Scratch(risk);
  evaluateAccount(risk, accounts, index, scratch);
  return { ...scratch.result };
}

/**
 * Screens one portfolio given as `portfolioMargin` takes it (its collateral entries and
 * positions become a one-account book). For tests and one-offs; books should share risk arrays.
 */
export function screenPortfolio(
  cash: bigint,
  underlyings: readonly Underlying[],
  collateral: readonly Collateral[],
  positions: readonly Position[],
  offsets: readonly PairOffset[] = [],
): ScreenResult {
  const spec: BookSpec = {
    underlyingCount: underlyings.length,
    collateralAssets: collateral.map(({ underlying, decimals, initialHaircut, maintenanceHaircut }) => ({
      underlying,
      decimals,
      initialHaircut,
      maintenanceHaircut,
    })),
    markets: positions.map(({ underlying, kind, strike, timeYears }) => ({ underlying, kind, strike, timeYears })),
    offsets,
  };
  const account: BookAccount = {
    cash,
    collateral: collateral.map((c, asset) => ({ asset, amount: c.amount })),
    positions: positions.map((p, market) => ({ market, size: p.size })),
  };
  return screenAccount(buildRiskArrays(spec, underlyings), packAccounts(spec, [account]), 0);
}

/** The hot path: dot products into per-underlying sums, then the non-linear steps on those sums. */
function evaluateAccount(risk: RiskArrays, accounts: PackedAccounts, i: number, s: Scratch): void {
  const { acc } = s;
  const cash = accounts.cash[i]!;
  acc.fill(0);
  let exposure = Math.abs(cash);
  let positions = 0;
  const values = risk.values;
  for (let e = accounts.start[i]!, end = accounts.start[i + 1]!; e < end; e++) {
    const inst = accounts.instrument[e]!;
    const size = accounts.size[e]!;
    const rec = inst * RISK_RECORD_WIDTH;
    const a = risk.underlyingOf[inst]! * ACC_WIDTH;
    if (inst < risk.collateralCount && risk.concentration[inst * CONCENTRATION_WIDTH] !== 0)
      addConcentrated(risk, inst, size, acc, a, s.factors);
    else for (let k = 0; k < LINEAR; k++) acc[a + k]! += size * values[rec + k]!;
    const abs = Math.abs(size);
    acc[a + DELTA_TOL]! += abs * values[rec + DELTA_TOL]!;
    if (size < 0) acc[a + SHORT_CHARGE]! -= size * values[rec + SHORT_CHARGE]!;
    exposure += abs * values[rec + EXPOSURE]!;
    if (inst >= risk.collateralCount) positions++;
  }
  const r = s.result;
  r.equityM = cash;
  r.equityI = cash;
  for (let k = 0; k < risk.underlyingCount; k++) {
    r.equityM += acc[k * ACC_WIDTH + BASE_M]!;
    r.equityI += acc[k * ACC_WIDTH + BASE_I]!;
  }
  r.grossExposure = exposure;
  r.offsetUncertain = false;
  // Nothing owed and nothing open: no requirement (the same test as portfolioMargin's, on exact inputs).
  if (positions === 0 && cash >= 0) {
    r.requirementM = r.requirementI = r.requirementMCeiling = 0;
  } else {
    underlyingRequirements(risk, s);
    requirementsAfterOffsets(risk, s);
  }
  // With nothing owed and nothing open the requirement is exactly 0 and equity is at least 0, so
  // the account is never liquidatable (health is infinite); only the float margin could flag it.
  r.candidate =
    positions === 0 && cash >= 0 ? false : isLiquidationCandidate(r.equityM, r.requirementMCeiling, r.grossExposure);
}

/** A collateral holding with a concentration add-on: its values scaled per grid, its delta not. */
function addConcentrated(
  risk: RiskArrays,
  inst: number,
  size: number,
  acc: Float64Array,
  a: number,
  factors: Float64Array,
): void {
  concentrationFactors(risk, inst, size, factors);
  const [fM, fI] = [factors[0]!, factors[1]!];
  const rec = inst * RISK_RECORD_WIDTH;
  const v = risk.values;
  acc[a + BASE_M]! += size * v[rec + BASE_M]! * fM;
  acc[a + BASE_I]! += size * v[rec + BASE_I]! * fI;
  acc[a + DELTA]! += size * v[rec + DELTA]!;
  for (let k = 0; k < SCENARIO_COUNT; k++) {
    acc[a + SCEN_M + k]! += size * v[rec + SCEN_M + k]! * fM;
    acc[a + SCEN_I + k]! += size * v[rec + SCEN_I + k]! * fI;
  }
}

function underlyingRequirements(risk: RiskArrays, s: Scratch): void {
  for (let k = 0; k < risk.underlyingCount; k++) {
    const a = k * ACC_WIDTH;
    const cover = risk.extremeCover[k]!;
    const shortCharge = s.acc[a + SHORT_CHARGE]!;
    const m = Math.max(worstLoss(s.acc, a + SCEN_M, s.acc[a + BASE_M]!, cover), shortCharge);
    s.reqM[k] = m;
    // At least the maintenance figure, as portfolioMargin does.
    s.reqI[k] = Math.max(worstLoss(s.acc, a + SCEN_I, s.acc[a + BASE_I]!, cover), shortCharge, m);
  }
}

/** Worst loss over one grid's 16 scenario sums starting at `first`; extreme moves count at `cover`. */
function worstLoss(acc: Float64Array, first: number, base: number, cover: number): number {
  let worst = 0;
  for (let k = 0; k < REGULAR_SCENARIOS; k++) worst = Math.max(worst, base - acc[first + k]!);
  for (let k = REGULAR_SCENARIOS; k < SCENARIO_COUNT; k++) {
    const loss = base - acc[first + k]!;
    if (loss > 0) worst = Math.max(worst, loss * cover);
  }
  return worst;
}

/**
 * Pair credits apply when the two deltas have opposite signs. A delta within its tolerance of
 * zero could have either sign in the exact path, and credits interact (each one shrinks what the
 * next can match), so the ceiling is the largest total over every choice for uncertain pairs.
 */
function requirementsAfterOffsets(risk: RiskArrays, s: Scratch): void {
  const r = s.result;
  let uncertainCount = 0;
  for (let p = 0; p < risk.offsetA.length; p++) {
    const a = risk.offsetA[p]! * ACC_WIDTH;
    const b = risk.offsetB[p]! * ACC_WIDTH;
    const da = s.acc[a + DELTA]!;
    const db = s.acc[b + DELTA]!;
    s.opposite[p] = (da > 0 && db < 0) || (da < 0 && db > 0) ? 1 : 0;
    const signA = deltaSign(da, s.acc[a + DELTA_TOL]!);
    const signB = deltaSign(db, s.acc[b + DELTA_TOL]!);
    const exactZero = signA === 0 || signB === 0;
    if (!exactZero && (Number.isNaN(signA) || Number.isNaN(signB))) s.uncertain[uncertainCount++] = p;
  }
  r.requirementM = afterOffsets(risk, s.reqM, s.work, s.opposite);
  r.requirementI = afterOffsets(risk, s.reqI, s.work, s.opposite);
  r.requirementMCeiling = r.requirementM;
  if (uncertainCount === 0) return;
  r.offsetUncertain = true;
  r.requirementMCeiling = ceilingOverChoices(risk, s, uncertainCount);
}

/** 1 or −1 when certain, 0 when the delta is exactly zero in both paths, NaN when uncertain. */
function deltaSign(delta: number, tolerance: number): number {
  // Integer truncation of each holding's delta adds up to a wei per holding; 1e-16 units covers it.
  if (delta === 0 && tolerance === 0) return 0;
  if (Math.abs(delta) <= tolerance + 1e-16) return NaN;
  return delta > 0 ? 1 : -1;
}

/** More than this many uncertain pairs: fall back to no credit at all (the sum bounds every choice). */
const MAX_ENUMERATED_PAIRS = 10;

function ceilingOverChoices(risk: RiskArrays, s: Scratch, uncertainCount: number): number {
  if (uncertainCount > MAX_ENUMERATED_PAIRS) {
    let sum = 0;
    for (let k = 0; k < risk.underlyingCount; k++) sum += s.reqM[k]!;
    return sum;
  }
  let ceiling = 0;
  for (let choice = 0; choice < 1 << uncertainCount; choice++) {
    s.apply.set(s.opposite);
    for (let j = 0; j < uncertainCount; j++) s.apply[s.uncertain[j]!] = (choice >> j) & 1;
    ceiling = Math.max(ceiling, afterOffsets(risk, s.reqM, s.work, s.apply));
  }
  return ceiling;
}

/** `afterOffsets` of portfolioMargin.ts in float, on a copy of `req`, crediting the pairs marked in `apply`. */
function afterOffsets(risk: RiskArrays, req: Float64Array, work: Float64Array, apply: Uint8Array): number {
  let total = 0;
  let largest = 0;
  for (let k = 0; k < req.length; k++) {
    work[k] = req[k]!;
    total += req[k]!;
    largest = Math.max(largest, req[k]!);
  }
  for (let p = 0; p < apply.length; p++) {
    if (apply[p] !== 1) continue;
    const a = risk.offsetA[p]!;
    const b = risk.offsetB[p]!;
    const matched = Math.min(work[a]!, work[b]!);
    work[a]! -= matched;
    work[b]! -= matched;
    total -= matched * risk.offsetCredit[p]!;
  }
  return Math.max(total, largest);
}
