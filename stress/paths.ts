/**
 * The stress scenarios' price paths, block by block (a simulated block is one hour: 24 a day), and
 * what else goes wrong in them: a stale oracle, a keeper outage, a congested bridge.
 *
 * - Historical windows of the daily BTC candles: each day runs open → first extreme → second
 *   extreme → close (the low first on a down day), geometric between, so a day's high and low
 *   are really traded through, absurd prints included. ETH is derived from BTC's daily closes
 *   (1.2 × BTC's daily log return plus 2% independent noise), smooth within the day.
 * - Synthetic paths: correlated geometric Brownian motion (ETH 3%, BTC 2.5% a day, correlation
 *   0.8) with a shock placed in it.
 * Every path carries at least 400 days of daily closes before it, for Gen 3's volatility engine.
 */
import { floatRng } from '../bench/book.js';
import type { Candle } from '../relayer/src/riskParameters/candles.js';
import { ewmaVariances, logReturns, sampleVariance } from '../relayer/src/riskParameters/volatility.js';
import { ETH, UNDERLYINGS } from './market.js';

export const BLOCKS_PER_DAY = 24;
/** Days of daily closes before a window: the engine's 365-day lookback and its first return. */
export const HISTORY_DAYS = 400;

export interface Scenario {
  name: string;
  description: string;
  /** the true price per underlying per block */
  prices: Float64Array[];
  /** daily closes per underlying before the first block, oldest first */
  history: number[][];
  /** traded volume (USD a day) per underlying, for the slippage model and the liquidity add-on */
  dailyVolumeUsd: number[];
  /** per day of the path: whether it is calm (see calmDays) */
  calm: boolean[];
  /** per day: its date (historical) or `day N` */
  dates: string[];
  /**
   * blocks [from, to) during which a feed is stale: the hub refuses it, so nothing depending on it can be liquidated
   */
  stale: Array<{ feed: number; from: number; to: number }>;
  /** blocks [from, to) during which no keeper runs */
  keeperDown: Array<{ from: number; to: number }>;
  /** blocks between a collateral liquidation and its SEIZE paying the keeper on the spoke (1 normally) */
  bridgeDelayBlocks: number;
}

export const blocks = (s: Scenario): number => s.prices[0]!.length;

/** A normal sampler from a seeded uniform one (Box-Muller). */
function normals(seed: number): () => number {
  const next = floatRng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

const CALM_DAILY_VOL = [0.03, 0.025];
const CORRELATION = 0.8;
const SYNTHETIC_START = [3000, 60_000];
/**
 * Daily traded volume (USD) of ETH and BTC, for every scenario: the book is sized in today's
 * dollars, so it sells into today's markets, also on a historical window's price path (BTC traded
 * a few tens of millions a day in 2013: against that, any book this size is illiquid).
 */
const MARKET_VOLUME_USD = [8e9, 15e9];

/** Correlated GBM log-returns for `steps` steps of `dailyVols[k] × scale / √stepsPerDay`. */
function correlatedReturns(draw: () => number, steps: number, stepsPerDay: number, scale = 1): number[][] {
  const out: number[][] = UNDERLYINGS.map(() => []);
  for (let i = 0; i < steps; i++) {
    const common = draw();
    const own = draw();
    const z = [common, CORRELATION * common + Math.sqrt(1 - CORRELATION ** 2) * own];
    UNDERLYINGS.forEach((_, k) => out[k]!.push((CALM_DAILY_VOL[k]! * scale * z[k]!) / Math.sqrt(stepsPerDay)));
  }
  return out;
}

/** Daily closes ending at `end`, from daily log returns. */
function closesEndingAt(end: number, returns: readonly number[]): number[] {
  const closes = [end];
  for (let i = returns.length - 1; i >= 0; i--) closes.unshift(closes[0]! / Math.exp(returns[i]!));
  return closes;
}

/** A calm day's volatility is at most this many times the market's usual. */
const CALM_VOLATILITY = 1.5;

/**
 * Per day of the path: calm when every underlying's EWMA daily volatility (λ 0.94, the closes up
 * to that day) is at most `CALM_VOLATILITY` × its usual one (the standard deviation of its daily
 * returns over the year before the path). A crash lifts the EWMA for weeks, so the still days
 * right after one are not calm.
 */
function calmDays(prices: readonly Float64Array[], history: readonly (readonly number[])[]): boolean[] {
  const days = prices[0]!.length / BLOCKS_PER_DAY;
  const ewma = prices.map((p, k) => {
    const closes = [
      ...history[k]!.slice(-366),
      ...Array.from({ length: days }, (_, d) => p[(d + 1) * BLOCKS_PER_DAY - 1]!),
    ];
    // Entry t is the variance known after return t − 1: the last `days` entries follow each path day's close.
    return ewmaVariances(logReturns(closes)).slice(-days);
  });
  const usual = history.map((h) => Math.sqrt(sampleVariance(logReturns(h.slice(-366)))));
  return Array.from({ length: days }, (_, d) => ewma.every((v, k) => Math.sqrt(v[d]!) <= CALM_VOLATILITY * usual[k]!));
}

/** One path of `days` calm days with `shock` (log-returns per block per underlying) starting at day `shockDay`. */
function syntheticPath(
  seed: number,
  days: number,
  shockDay: number,
  shock: number[][],
): { prices: Float64Array[]; history: number[][] } {
  const draw = normals(seed);
  const history = UNDERLYINGS.map((_, k) =>
    closesEndingAt(SYNTHETIC_START[k]!, correlatedReturns(draw, HISTORY_DAYS, 1)[k]!),
  );
  const steps = correlatedReturns(draw, days * BLOCKS_PER_DAY, BLOCKS_PER_DAY);
  const start = shockDay * BLOCKS_PER_DAY;
  shock.forEach((r, k) => r.forEach((x, i) => (steps[k]![start + i]! += x)));
  const prices = steps.map((r, k) => {
    const p = new Float64Array(r.length);
    let level = SYNTHETIC_START[k]!;
    r.forEach((x, i) => (p[i] = level = level * Math.exp(x)));
    return p;
  });
  return { prices, history };
}

/** Log-returns spreading a total move `total` (a fraction, -0.45 = -45%) evenly over `n` blocks. */
const spread = (total: number, n: number) => Array.from({ length: n }, () => Math.log(1 + total) / n);

export interface SyntheticOptions {
  seed: number;
  /** blocks a stale feed stays stale in the stale-oracle scenario */
  staleBlocks: number;
  /** blocks without a keeper in the keeper-outage scenario */
  outageBlocks: number;
  /** blocks a SEIZE takes in the congested-bridge scenario */
  congestedBridgeBlocks: number;
}

export const DEFAULT_SYNTHETIC: SyntheticOptions = {
  seed: 7,
  staleBlocks: 6,
  outageBlocks: 12,
  congestedBridgeBlocks: 48,
};

/** ETH −45% and BTC −35% within 12 hours on day 10 of 16, a tenth back over the next 12. */
function crashPath(seed: number) {
  const shock = [
    [...spread(-0.45, 12), ...spread(0.1, 12)],
    [...spread(-0.35, 12), ...spread(0.08, 12)],
  ];
  return syntheticPath(seed, 16, 10, shock);
}

const CRASH_START = 10 * BLOCKS_PER_DAY;

function synthetic(
  name: string,
  description: string,
  path: { prices: Float64Array[]; history: number[][] },
  extra: Partial<Scenario> = {},
): Scenario {
  const days = path.prices[0]!.length / BLOCKS_PER_DAY;
  return {
    name,
    description,
    ...path,
    dailyVolumeUsd: MARKET_VOLUME_USD,
    calm: calmDays(path.prices, path.history),
    dates: Array.from({ length: days }, (_, d) => `day ${d + 1}`),
    stale: [],
    keeperDown: [],
    bridgeDelayBlocks: 1,
    ...extra,
  };
}

/**
 * The synthetic scenarios: a correlated crash, a volatility spike, and the crash with a stale oracle, a keeper outage,
 * a congested bridge.
 */
export function syntheticScenarios(o: SyntheticOptions = DEFAULT_SYNTHETIC): Scenario[] {
  const crash = crashPath(o.seed);
  // Five days of five times the calm volatility, on a path of its own.
  const draw = normals(o.seed + 1);
  const spike = correlatedReturns(draw, 5 * BLOCKS_PER_DAY, BLOCKS_PER_DAY, 5);
  return [
    synthetic('correlated crash', 'ETH −45% and BTC −35% in 12 hours after 10 calm days', crash),
    synthetic(
      'volatility spike',
      'five days at five times the calm volatility (ETH 15%, BTC 12.5% a day)',
      syntheticPath(o.seed + 2, 20, 10, spike),
    ),
    synthetic(
      'stale oracle',
      `the crash with the ETH feed stale (refused by the hub) for its first ${o.staleBlocks} blocks`,
      crash,
      {
        stale: [{ feed: ETH, from: CRASH_START, to: CRASH_START + o.staleBlocks }],
      },
    ),
    synthetic('keeper outage', `the crash with no keeper for its first ${o.outageBlocks} blocks`, crash, {
      keeperDown: [{ from: CRASH_START, to: CRASH_START + o.outageBlocks }],
    }),
    synthetic(
      'congested bridge',
      `the crash with every SEIZE (the keeper's payment) ${o.congestedBridgeBlocks} blocks late`,
      crash,
      {
        bridgeDelayBlocks: o.congestedBridgeBlocks,
      },
    ),
  ];
}

// ------------------------------------------------------------------------------ historical

export interface HistoricalWindow {
  name: string;
  from: string;
  to: string;
}

export const DEFAULT_WINDOWS: HistoricalWindow[] = [
  { name: 'BTC 2013-12 crash', from: '2013-11-25', to: '2014-01-31' },
  { name: 'BTC 2018-01 crash', from: '2017-12-15', to: '2018-02-15' },
  { name: 'BTC 2017-04 absurd print', from: '2017-04-01', to: '2017-04-30' },
];

/** The day's path from open to close through both extremes: the low first on a down day. */
function intraday(c: Candle): Float64Array {
  const points = c.close < c.open ? [c.open, c.low, c.high, c.close] : [c.open, c.high, c.low, c.close];
  const segment = BLOCKS_PER_DAY / 3;
  const out = new Float64Array(BLOCKS_PER_DAY);
  for (let i = 0; i < BLOCKS_PER_DAY; i++) {
    const s = Math.floor(i / segment);
    const t = (i - s * segment + 1) / segment;
    out[i] = points[s]! * (points[s + 1]! / points[s]!) ** t;
  }
  return out;
}

/** Geometric interpolation through daily closes, `BLOCKS_PER_DAY` blocks a day, ending each day at its close. */
function smooth(previousClose: number, closes: readonly number[]): Float64Array {
  const out = new Float64Array(closes.length * BLOCKS_PER_DAY);
  let from = previousClose;
  closes.forEach((to, d) => {
    for (let i = 0; i < BLOCKS_PER_DAY; i++)
      out[d * BLOCKS_PER_DAY + i] = from * (to / from) ** ((i + 1) / BLOCKS_PER_DAY);
    from = to;
  });
  return out;
}

/** A window of the candles as a scenario; the candles before it are its history. */
export function historicalScenario(all: readonly Candle[], window: HistoricalWindow, seed = 11): Scenario {
  const start = all.findIndex((c) => c.date >= window.from);
  let endIndex = all.length - 1;
  while (endIndex >= 0 && all[endIndex]!.date > window.to) endIndex--;
  if (start < 0 || endIndex < start) throw new Error(`${window.name}: no candles from ${window.from} to ${window.to}`);
  if (start < HISTORY_DAYS + 1)
    throw new Error(
      `${window.name}: starts ${start} days into the file; Gen 3's engine needs ${HISTORY_DAYS + 1} days before it`,
    );
  const days = all.slice(start, endIndex + 1);
  const before = all.slice(start - HISTORY_DAYS - 1, start);
  const btcCloses = [...before, ...days].map((c) => c.close);
  // ETH: 1.2 × BTC's daily log return plus independent noise, from $3,000 at the history's start.
  const draw = normals(seed);
  const ethCloses = [3000];
  for (let i = 1; i < btcCloses.length; i++)
    ethCloses.push(ethCloses[i - 1]! * Math.exp(1.2 * Math.log(btcCloses[i]! / btcCloses[i - 1]!) + 0.02 * draw()));
  const btc = new Float64Array(days.length * BLOCKS_PER_DAY);
  days.forEach((c, d) => btc.set(intraday(c), d * BLOCKS_PER_DAY));
  const history = [ethCloses.slice(0, before.length), btcCloses.slice(0, before.length)];
  const prices = [smooth(history[ETH]!.at(-1)!, ethCloses.slice(before.length)), btc];
  return {
    name: window.name,
    description: `BTC/USD daily candles ${days[0]!.date} to ${days.at(-1)!.date} (${days.length} days)`,
    prices,
    history,
    dailyVolumeUsd: MARKET_VOLUME_USD,
    calm: calmDays(prices, history),
    dates: days.map((c) => c.date),
    stale: [],
    keeperDown: [],
    bridgeDelayBlocks: 1,
  };
}
