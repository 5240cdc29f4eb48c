/**
 * The margin backtest (`npm run backtest`): each regime's maintenance scan range, day by day over a
 * candle file, against the realised move of the close over the margin period of risk. Gen 2 holds
 * the static grid's range (Gen 1's static ratio is the same figure); Gen 3's is the parameter
 * engine's proposal on the closes up to that day, moved through the steward's rules as the stress
 * simulator moves it (stress/steward.ts, `stewardDay`).
 */
import type { Candle } from '../../relayer/src/riskParameters/candles.js';
import {
  historyDays,
  DEFAULT_ENGINE_CONFIG,
  proposeScenario,
  toWad,
} from '../../relayer/src/riskParameters/proposals.js';
import { fromWad, STATIC_GRID, STEWARD } from '../market.js';
import { stewardDay, type StewardState } from '../steward.js';
import { christoffersen, kupiec, procyclicality } from './coverage.js';

export interface BacktestOptions {
  /** days from the margin's day to the close it must cover */
  mporDays: number;
  /** the coverage tested: 0.99 tests for at most 1% exceedances */
  confidence: number;
}

export const DEFAULT_BACKTEST: BacktestOptions = { mporDays: 1, confidence: 0.99 };

export interface RegimeBacktest {
  regime: 'Gen 2' | 'Gen 3';
  /** non-overlapping margin periods tested */
  observations: number;
  exceedances: number;
  /** one-sided Kupiec p-value for too many exceedances, and Christoffersen's for clustering */
  kupiecP: number;
  christoffersenP: number;
  peakToTrough: number;
  maxIncrease1d: number;
  maxIncrease5d: number;
  /** the mean scan range over the days tested */
  meanScanRange: number;
}

export interface BacktestResult {
  from: string;
  to: string;
  mporDays: number;
  confidence: number;
  regimes: RegimeBacktest[];
}

/** Days of candles before the first tested day: the engine's history. */
export const BACKTEST_HISTORY_DAYS = historyDays(DEFAULT_ENGINE_CONFIG) + 1;

/** Gen 3's scan range in force after each day's close, from day `first` on. */
export function gen3ScanRanges(closes: readonly number[], first: number): number[] {
  const state: StewardState = { current: STATIC_GRID.scanRange };
  const out: number[] = [];
  for (let t = first; t < closes.length; t++) {
    const target = toWad(proposeScenario(closes.slice(t + 1 - BACKTEST_HISTORY_DAYS, t + 1)).scanRange);
    stewardDay(state, target, STEWARD.scanRange, t);
    out.push(fromWad(state.current));
  }
  return out;
}

function score(
  regime: RegimeBacktest['regime'],
  ranges: readonly number[],
  moves: readonly number[],
  o: BacktestOptions,
): RegimeBacktest {
  // Every mpor-th day, so the periods tested do not overlap.
  const hits: boolean[] = [];
  for (let i = 0; i < moves.length; i += o.mporDays) hits.push(moves[i]! > ranges[i]!);
  const exceedances = hits.filter(Boolean).length;
  return {
    regime,
    observations: hits.length,
    exceedances,
    kupiecP: kupiec(hits.length, exceedances, 1 - o.confidence).pValue,
    christoffersenP: christoffersen(hits).pValue,
    ...procyclicality(ranges.slice(0, moves.length)),
    meanScanRange: ranges.reduce((a, r) => a + r, 0) / ranges.length,
  };
}

/** Backtests Gen 2 and Gen 3 over `candles`: the first BACKTEST_HISTORY_DAYS are history only. */
export function backtest(candles: readonly Candle[], o: BacktestOptions = DEFAULT_BACKTEST): BacktestResult {
  const first = BACKTEST_HISTORY_DAYS - 1;
  if (candles.length < first + 1 + o.mporDays)
    throw new Error(
      `the backtest needs ${first + 1 + o.mporDays} days of candles (${BACKTEST_HISTORY_DAYS} of history and ${o.mporDays} to test), got ${candles.length}`,
    );
  const closes = candles.map((c) => c.close);
  // The realised move from each tested day's close to the close mpor days later, either way.
  const moves: number[] = [];
  for (let t = first; t + o.mporDays < closes.length; t++)
    moves.push(Math.abs(closes[t + o.mporDays]! / closes[t]! - 1));
  const gen2 = new Array<number>(moves.length).fill(fromWad(STATIC_GRID.scanRange));
  return {
    from: candles[first]!.date,
    to: candles[first + moves.length]!.date,
    mporDays: o.mporDays,
    confidence: o.confidence,
    regimes: [score('Gen 2', gen2, moves, o), score('Gen 3', gen3ScanRanges(closes, first), moves, o)],
  };
}
