/**
 * The risk parameter engine's proposals (docs/dynamic-parameters.md): from an underlying's
 * daily closes and volumes and the book's holding of it, the scan range, volatility shift and
 * haircuts it should have; and, for the on-chain steward, the one step toward them it will accept.
 *
 * - daily volatility σ = the larger of the EWMA forecast and the GARCH(1,1) forecast over the
 *   liquidation horizon (per day), so neither a calm GARCH long run nor a lagging EWMA lowers margin
 *   while the other sees risk;
 * - scan range = z · ((1 − w) σ + w σ_stressed) · √horizon (the move the maintenance grid must
 *   cover, with a weight w on the lookback's most volatile day against procyclicality);
 * - volatility shift = z · (the daily volatility of EWMA volatility) · √horizon;
 * - maintenance haircut = base + the liquidity add-on of the book's holding; initial = that × a multiple.
 * Each clamped to the bounds the steward enforces on-chain.
 */
import { liquidityAddOn, type LiquidityParams } from './liquidity.js';
import {
  ewmaVariances,
  fitGarch,
  garchHorizonVariance,
  logReturns,
  RISKMETRICS_LAMBDA,
  sampleVariance,
} from './volatility.js';

export interface ParameterEngineConfig {
  /** days a liquidation may take to complete: the maintenance grid covers the move over them */
  horizonDays: number;
  /**
   * multiple of the daily volatility the scan range covers: 3, not the normal 99% quantile
   * (2.576 two-sided), because daily returns are fat-tailed; `npm run backtest` checks it covers
   * 99% of the realised moves (docs/dynamic-parameters.md section 6)
   */
  z: number;
  /**
   * weight of the stressed volatility (the largest EWMA volatility of the lookback) in the scan
   * range: EMIR RTS 153/2013 Article 28(1)(b)'s anti-procyclicality tool, at least 25%
   */
  stressWeight: number;
  /** EWMA decay */
  lambda: number;
  /** trailing days the GARCH fit, the volatility of volatility and the volume average use */
  lookbackDays: number;
  liquidity: LiquidityParams;
  /** the haircut with no liquidity cost (custody, bridge risk), a fraction */
  baseHaircut: number;
  /** initial haircut = maintenance haircut × this */
  initialHaircutMultiple: number;
  bounds: { scanRange: Range; volShift: Range; maintenanceHaircut: Range; initialHaircut: Range };
}

export interface Range {
  min: number;
  max: number;
}

export const DEFAULT_ENGINE_CONFIG: ParameterEngineConfig = {
  horizonDays: 1,
  z: 3,
  stressWeight: 0.25,
  lambda: RISKMETRICS_LAMBDA,
  lookbackDays: 365,
  liquidity: { impactCoefficient: 1, cap: 0.5 },
  baseHaircut: 0.02,
  initialHaircutMultiple: 4 / 3,
  bounds: {
    scanRange: { min: 0.1, max: 0.5 },
    volShift: { min: 0.1, max: 1 },
    maintenanceHaircut: { min: 0.15, max: 0.6 },
    initialHaircut: { min: 0.15, max: 0.8 },
  },
};

export interface MarketHistory {
  /** daily closes, oldest first (at least lookbackDays + 1 of them, and 101) */
  closes: readonly number[];
  /** daily traded volume in USD, the same days */
  volumesUsd: readonly number[];
}

export interface Proposal {
  scanRange: number;
  volShift: number;
  maintenanceHaircut: number;
  initialHaircut: number;
  /** what the figures came from, for logs and reports */
  inputs: {
    ewmaDailyVol: number;
    garchDailyVol: number;
    dailyVol: number;
    stressedDailyVol: number;
    volOfVol: number;
    averageVolumeUsd: number;
    liquidityAddOn: number;
  };
}

const clamp = (x: number, r: Range) => Math.min(r.max, Math.max(r.min, x));

/** Days of history the proposals use: the lookback, and at least the 100 a GARCH fit needs. */
export const historyDays = (config: ParameterEngineConfig) => Math.max(config.lookbackDays, 100);

export interface ScenarioProposal {
  scanRange: number;
  volShift: number;
  inputs: { ewmaDailyVol: number; garchDailyVol: number; dailyVol: number; stressedDailyVol: number; volOfVol: number };
}

/** The scan range and volatility shift daily `closes` (oldest first, at least historyDays + 1) call for. */
export function proposeScenario(
  closes: readonly number[],
  config: ParameterEngineConfig = DEFAULT_ENGINE_CONFIG,
): ScenarioProposal {
  const days = historyDays(config);
  if (closes.length < days + 1) throw new Error(`proposals need ${days + 1} days of history, got ${closes.length}`);
  const returns = logReturns(closes.slice(-(days + 1)));

  const ewma = ewmaVariances(returns, config.lambda);
  const ewmaDailyVol = Math.sqrt(ewma.at(-1)!);
  const garchDailyVol = Math.sqrt(garchHorizonVariance(fitGarch(returns), config.horizonDays) / config.horizonDays);
  const dailyVol = Math.max(ewmaDailyVol, garchDailyVol);
  // The lookback's stressed observations: its most volatile day by the EWMA.
  const stressedDailyVol = Math.sqrt(Math.max(...ewma));
  const volOfVol = Math.sqrt(sampleVariance(logReturns(ewma.map(Math.sqrt))));
  const sqrtH = Math.sqrt(config.horizonDays);
  const w = config.stressWeight;
  return {
    scanRange: clamp(config.z * ((1 - w) * dailyVol + w * stressedDailyVol) * sqrtH, config.bounds.scanRange),
    volShift: clamp(config.z * volOfVol * sqrtH, config.bounds.volShift),
    inputs: { ewmaDailyVol, garchDailyVol, dailyVol, stressedDailyVol, volOfVol },
  };
}

/**
 * The haircuts of a collateral worth `holdingUsd` in the book, sold into `dailyVolumeUsd` a day at daily volatility
 * `dailyVol`.
 */
export function proposeHaircuts(
  holdingUsd: number,
  dailyVolumeUsd: number,
  dailyVol: number,
  config: ParameterEngineConfig = DEFAULT_ENGINE_CONFIG,
): { maintenanceHaircut: number; initialHaircut: number; liquidityAddOn: number } {
  const addOn = liquidityAddOn(holdingUsd, dailyVolumeUsd, dailyVol, config.liquidity);
  const maintenanceHaircut = clamp(config.baseHaircut + addOn, config.bounds.maintenanceHaircut);
  const initialHaircut = clamp(
    Math.max(maintenanceHaircut * config.initialHaircutMultiple, maintenanceHaircut),
    config.bounds.initialHaircut,
  );
  return { maintenanceHaircut, initialHaircut, liquidityAddOn: addOn };
}

/**
 * The price impact of the per-account concentration add-on (`IRiskConfig.ConcentrationTerms`,
 * docs/dynamic-parameters.md section 5): by the square-root law, selling the whole market depth moves
 * the price by about Y · σ_daily, so `impact = Y · σ`, at most the add-on's own cap.
 */
export function proposeConcentrationImpact(
  dailyVol: number,
  config: ParameterEngineConfig = DEFAULT_ENGINE_CONFIG,
): number {
  return Math.min(config.liquidity.cap, config.liquidity.impactCoefficient * dailyVol);
}

/** The parameters `history` calls for, with `holdingUsd` of the asset in the book. */
export function proposeParameters(
  history: MarketHistory,
  holdingUsd: number,
  config: ParameterEngineConfig = DEFAULT_ENGINE_CONFIG,
): Proposal {
  const { closes, volumesUsd } = history;
  if (closes.length !== volumesUsd.length) throw new Error(`${closes.length} closes but ${volumesUsd.length} volumes`);
  const scenario = proposeScenario(closes, config);
  const days = historyDays(config);
  const averageVolumeUsd = volumesUsd.slice(-days).reduce((a, v) => a + v, 0) / days;
  const haircuts = proposeHaircuts(holdingUsd, averageVolumeUsd, scenario.inputs.dailyVol, config);
  return {
    scanRange: scenario.scanRange,
    volShift: scenario.volShift,
    maintenanceHaircut: haircuts.maintenanceHaircut,
    initialHaircut: haircuts.initialHaircut,
    inputs: { ...scenario.inputs, averageVolumeUsd, liquidityAddOn: haircuts.liquidityAddOn },
  };
}

const WAD = 10n ** 18n;

/** A fraction as WAD, rounded to the nearest 1e-9 (the engine's figures do not carry more meaning). */
export function toWad(fraction: number): bigint {
  if (!Number.isFinite(fraction) || fraction < 0) throw new RangeError(`not a non-negative fraction: ${fraction}`);
  return BigInt(Math.round(fraction * 1e9)) * 10n ** 9n;
}

/** The steward's limits on one parameter, as `RiskSteward.boundsOf` returns them (WAD). */
export interface StewardBounds {
  min: bigint;
  max: bigint;
  maxStep: bigint;
  /** the most raises may add within a raise window, as a share of its starting value's step base */
  maxDailyRaise: bigint;
}

/** `RiskSteward._stepBase`: the value, the floor when larger, the ceiling when both are 0. */
function stepBase(value: bigint, bounds: StewardBounds): bigint {
  const base = value > bounds.min ? value : bounds.min;
  return base === 0n ? bounds.max : base;
}

/** A parameter's raise window, as `RiskSteward.raiseWindow` returns it (`openedAt` 0: none yet). */
export interface RaiseWindow {
  openedAt: bigint;
  base: bigint;
}

/** Whether a raise at time `now` falls in `window` (RiskSteward._useRaiseWindow), or opens a new one. */
export function raiseWindowOpen(window: RaiseWindow, now: bigint, windowSeconds: bigint): boolean {
  return window.openedAt !== 0n && now < window.openedAt + windowSeconds;
}

/**
 * The highest value a raise may reach at time `now` (RiskSteward._useRaiseWindow): `maxDailyRaise`
 * of the step base of the value the open window started from, or of `current` when none is open
 * (the raise opens one).
 */
export function dailyRaiseCap(
  bounds: StewardBounds,
  current: bigint,
  window: RaiseWindow,
  now: bigint,
  windowSeconds: bigint,
): bigint {
  const base = raiseWindowOpen(window, now, windowSeconds) ? window.base : current;
  return base + (bounds.maxDailyRaise * stepBase(base, bounds)) / WAD;
}

/**
 * What to propose to the steward to move `current` toward `target`: the target itself when it is
 * within the bounds and one step, else as far as one step and the bounds allow, and a raise no
 * higher than `raiseCap` (the day's, `dailyRaiseCap`); undefined when the difference is under
 * `threshold` of the current value (not worth a transaction) or nothing can move.
 */
export function nextStewardValue(
  current: bigint,
  target: bigint,
  bounds: StewardBounds,
  threshold = 0.05,
  raiseCap?: bigint,
): bigint | undefined {
  const clamped = target < bounds.min ? bounds.min : target > bounds.max ? bounds.max : target;
  const diff = clamped > current ? clamped - current : current - clamped;
  if (diff === 0n || Number(diff) < threshold * Number(current)) return undefined;
  const allowed = (bounds.maxStep * stepBase(current, bounds)) / WAD;
  if (allowed === 0n) return undefined;
  const next = diff <= allowed ? clamped : clamped > current ? current + allowed : current - allowed;
  if (next <= current || raiseCap === undefined || next <= raiseCap) return next;
  return raiseCap > current ? raiseCap : undefined;
}
