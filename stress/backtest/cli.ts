/**
 * `npm run backtest`: Gen 2's and Gen 3's maintenance scan range against the realised moves of a
 * daily candle file (stress/backtest/backtest.ts), with the coverage and procyclicality figures.
 *
 *   npm run backtest
 *   npm run backtest -- --candles my.csv --window 2014-01-01:2016-12-31 --mpor-days 2 --json
 */
import { Command, InvalidArgumentError } from 'commander';
import { numberOption } from '../../relayer/src/devnet/cli.js';
import { parseWindow } from '../window.js';
import { loadCandles } from '../../relayer/src/riskParameters/candles.js';
import { backtest, DEFAULT_BACKTEST, type BacktestResult } from './backtest.js';

const SHARED_CANDLES = '../shared/data/btc-usd-daily-2011-2019.csv';

interface Options {
  candles: string;
  window?: { from: string; to: string };
  mporDays: number;
  confidence: number;
  json: boolean;
}

function confidenceOption(value: string): number {
  const x = Number(value);
  if (!(x > 0.5 && x < 1))
    throw new InvalidArgumentError('--confidence must be a fraction between 0.5 and 1, e.g. 0.99');
  return x;
}

const pct = (x: number, digits = 2) => `${(100 * x).toFixed(digits)}%`;

export function backtestTable(r: BacktestResult): string {
  const head = `${r.from} to ${r.to}, margin period of risk ${r.mporDays} day(s), tested at ${pct(r.confidence, 1)}`;
  const rows = r.regimes.map((g) =>
    [
      g.regime.padEnd(6),
      String(g.observations).padStart(12),
      `${g.exceedances} (${pct(g.exceedances / g.observations)})`.padStart(14),
      g.kupiecP.toFixed(4).padStart(9),
      g.christoffersenP.toFixed(4).padStart(16),
      pct(g.meanScanRange).padStart(11),
      `${g.peakToTrough.toFixed(2)}x`.padStart(14),
      pct(g.maxIncrease1d, 1).padStart(9),
      pct(g.maxIncrease5d, 1).padStart(9),
    ].join(' | '),
  );
  const verdict = r.regimes.map(
    (g) =>
      `${g.regime}: Kupiec ${g.kupiecP < 0.05 ? 'rejects' : 'does not reject'} (too many exceedances), Christoffersen ${
        g.christoffersenP < 0.05 ? 'rejects' : 'does not reject'
      } (clustering), at 5%`,
  );
  return [
    head,
    '',
    'regime | observations |  exceedances |  Kupiec p | Christoffersen p | mean range | peak-to-trough | max 1-day | max 5-day',
    ...rows,
    '',
    ...verdict,
  ].join('\n');
}

const program = new Command('backtest')
  .description(
    "Backtest of Gen 2's and Gen 3's maintenance scan range against realised moves (Kupiec, Christoffersen, procyclicality)",
  )
  .option(
    '--candles <path>',
    'daily candles (CSV: timestamp,open,close,volume,unix_timestamp,high,low)',
    SHARED_CANDLES,
  )
  .option(
    '--window <from:to>',
    'only the candles from FROM to TO (YYYY-MM-DD each); the first year is history',
    parseWindow,
  )
  .option(
    '--mpor-days <n>',
    'margin period of risk in days',
    numberOption('--mpor-days', 1, 30, true),
    DEFAULT_BACKTEST.mporDays,
  )
  .option('--confidence <p>', 'coverage tested', confidenceOption, DEFAULT_BACKTEST.confidence)
  .option('--json', 'print the result as JSON', false)
  .action((o: Options) => {
    const result = backtest(loadCandles(o.candles, o.window ?? {}), { mporDays: o.mporDays, confidence: o.confidence });
    process.stdout.write(o.json ? `${JSON.stringify(result)}\n` : `${backtestTable(result)}\n`);
  });

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`backtest: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
