/**
 * Daily OHLC candles from a CSV file (the shared BTC history's columns: `timestamp` as
 * `YYYY-MM-DD HH:MM:SS` UTC, `open`, `close`, `volume`, `unix_timestamp`, `high`, `low`, in any
 * order). A file with a malformed row is refused whole, every problem named with its line, so a
 * calibration or a stress run never quietly skips a day.
 *
 * Well-formed is not plausible: a row whose low is a thousandth of its open passes here (the
 * shared file has one, 2017-04-15) and is the price pipeline's to distrust, as the oracle guard
 * and the keeper's jump hold would on-chain.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';

export interface Candle {
  /** UTC day, YYYY-MM-DD */
  date: string;
  /** unix seconds at the day's start */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** traded volume in units of the asset */
  volume: number;
}

export class CandleFileError extends Error {
  constructor(
    readonly source: string,
    readonly problems: ReadonlyArray<{ line: number; message: string }>,
  ) {
    const shown = problems.slice(0, 20).map((p) => `  line ${p.line}: ${p.message}`);
    const more = problems.length > shown.length ? [`  … and ${problems.length - shown.length} more`] : [];
    super(
      `${source}: ${problems.length} malformed row${problems.length === 1 ? '' : 's'}:\n${[...shown, ...more].join('\n')}`,
    );
  }
}

const COLUMNS = ['timestamp', 'open', 'close', 'volume', 'unix_timestamp', 'high', 'low'] as const;

const price = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?([eE][-+]?\d+)?$/, `${name} is not a number`)
    .transform(Number)
    .refine((v) => Number.isFinite(v) && v > 0, `${name} must be positive`);

const rowSchema = z
  .object({
    timestamp: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2} 00:00:00$/, 'timestamp is not a UTC day start (YYYY-MM-DD 00:00:00)'),
    open: price('open'),
    high: price('high'),
    low: price('low'),
    close: price('close'),
    volume: z
      .string()
      .trim()
      .regex(/^\d+(\.\d+)?([eE][-+]?\d+)?$/, 'volume is not a non-negative number')
      .transform(Number),
    unix_timestamp: z.string().trim().regex(/^\d+$/, 'unix_timestamp is not whole seconds').transform(Number),
  })
  .superRefine((r, ctx) => {
    const issue = (message: string) => ctx.addIssue({ code: 'custom', message });
    // Only rows whose fields parsed are compared: a field's own error says enough.
    if (![r.open, r.high, r.low, r.close].every((x) => Number.isFinite(x) && x > 0)) return;
    if (r.high < Math.max(r.open, r.close, r.low)) issue(`high ${r.high} is below the open, close or low`);
    if (r.low > Math.min(r.open, r.close)) issue(`low ${r.low} is above the open or close`);
    const day = r.timestamp.slice(0, 10);
    if (new Date(`${day}T00:00:00Z`).getTime() / 1000 !== r.unix_timestamp)
      issue(`unix_timestamp ${r.unix_timestamp} is not ${day}`);
  });

/** Parses candles; throws CandleFileError naming every malformed row's line. */
export function parseCandles(text: string, source = 'candles'): Candle[] {
  const problems: Array<{ line: number; message: string }> = [];
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, relax_column_count: true, info: true, trim: true });
  } catch (err) {
    throw new CandleFileError(source, [
      { line: (err as { lines?: number }).lines ?? 1, message: err instanceof Error ? err.message : String(err) },
    ]);
  }
  const header = records[0] ? Object.keys(records[0].record) : [];
  const missing = COLUMNS.filter((c) => !header.includes(c));
  if (records.length === 0) throw new CandleFileError(source, [{ line: 1, message: 'no rows' }]);
  if (missing.length > 0)
    throw new CandleFileError(source, [{ line: 1, message: `the header lacks ${missing.join(', ')}` }]);

  const candles: Candle[] = [];
  for (const { record, info } of records) {
    const fields = Object.values(record).filter((v) => v !== undefined).length;
    if (fields !== header.length) {
      problems.push({ line: info.lines, message: `${fields} fields, the header has ${header.length}` });
      continue;
    }
    const parsed = rowSchema.safeParse(record);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ line: info.lines, message: issue.message });
      continue;
    }
    const r = parsed.data;
    const previous = candles.at(-1);
    if (previous && r.unix_timestamp <= previous.time) {
      problems.push({ line: info.lines, message: `${r.timestamp.slice(0, 10)} does not follow ${previous.date}` });
      continue;
    }
    candles.push({
      date: r.timestamp.slice(0, 10),
      time: r.unix_timestamp,
      open: r.open,
      high: r.high,
      low: r.low,
      close: r.close,
      volume: r.volume,
    });
  }
  if (problems.length > 0) throw new CandleFileError(source, problems);
  return candles;
}

/** The candles of `path`, optionally only the days from `from` to `to` (YYYY-MM-DD, inclusive). */
export function loadCandles(path: string, window: { from?: string; to?: string } = {}): Candle[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read candles from ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return selectWindow(parseCandles(text, path), window);
}

export function selectWindow(candles: readonly Candle[], window: { from?: string; to?: string }): Candle[] {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  for (const [name, value] of Object.entries(window)) {
    if (value !== undefined && !day.test(value)) throw new Error(`--${name} "${value}" is not a day (YYYY-MM-DD)`);
  }
  const selected = candles.filter(
    (c) => (!window.from || c.date >= window.from) && (!window.to || c.date <= window.to),
  );
  if (selected.length === 0)
    throw new Error(`no candles from ${window.from ?? 'the start'} to ${window.to ?? 'the end'}`);
  return selected;
}
