/**
 * `npm run stress`: the systemic stress simulator. Every scenario (historical BTC windows when the
 * candle file is there, and the synthetic ones) under every regime (Gen 1, 2, 3), on the same
 * book; prints the table and writes `stress.json`, `stress.svg` and `stress-daily.svg` to --out.
 *
 *   npm run stress
 *   npm run stress -- --accounts 2000 --window 2018-01-01:2018-03-31 --scenario "BTC 2018-01-01"
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { numberOption } from '../relayer/src/devnet/cli.js';
import { parseWindow } from './window.js';
import { loadCandles } from '../relayer/src/riskParameters/candles.js';
import {
  DEFAULT_SYNTHETIC,
  DEFAULT_WINDOWS,
  historicalScenario,
  syntheticScenarios,
  type HistoricalWindow,
  type Scenario,
} from './paths.js';
import { createProgress, progressMode } from '../relayer/src/progress.js';
import { REGIME, REGIMES } from './regimes.js';
import { dailySpec, goalCheck, goalLines, renderSvg, summarySpec, table } from './report.js';
import { DEFAULT_SIMULATION, KEEPER_CAPITAL_PER_ACCOUNT, simulate, type RegimeResult } from './simulate.js';

const SHARED_CANDLES = '../shared/data/btc-usd-daily-2011-2019.csv';

/** `--window FROM:TO` (YYYY-MM-DD each), repeatable. */
function windowOption(value: string, previous: HistoricalWindow[] = []): HistoricalWindow[] {
  const { from, to } = parseWindow(value);
  return [...previous, { name: `BTC ${from} to ${to}`, from, to }];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface Options {
  accounts: number;
  seed: number;
  candles: string;
  window?: HistoricalWindow[];
  scenario?: string[];
  keeperCapital?: number;
  staleBlocks: number;
  outageBlocks: number;
  bridgeBlocks: number;
  out: string;
  json: boolean;
}

const program = new Command('stress')
  .description(
    'Systemic stress simulator: bad debt, liquidations, cost to users and capital efficiency of Gen 1, 2 and 3 on the same book and paths',
  )
  .option(
    '--accounts <n>',
    'accounts in the book',
    numberOption('--accounts', 10, 200_000, true),
    DEFAULT_SIMULATION.accounts,
  )
  .option('--seed <n>', 'seed of the book', numberOption('--seed', 0, 2 ** 31, true), DEFAULT_SIMULATION.seed)
  .option(
    '--candles <path>',
    'daily BTC/USD candles (CSV) for the historical windows; skipped with a message when absent',
    SHARED_CANDLES,
  )
  .option(
    '--window <from:to>',
    `a historical window (repeatable; default: ${DEFAULT_WINDOWS.map((w) => `${w.from}:${w.to}`).join(', ')})`,
    windowOption,
  )
  .option('--scenario <name>', 'run only scenarios whose name contains this (repeatable)', collect)
  .option(
    '--keeper-capital <usd>',
    `the keeper's settlement tokens (default: $${KEEPER_CAPITAL_PER_ACCOUNT.toLocaleString('en-US')} per account)`,
    numberOption('--keeper-capital', 1, 1e12, false),
  )
  .option(
    '--stale-blocks <n>',
    'blocks the stale-oracle scenario keeps the ETH feed stale',
    numberOption('--stale-blocks', 1, 240, true),
    DEFAULT_SYNTHETIC.staleBlocks,
  )
  .option(
    '--outage-blocks <n>',
    'blocks without a keeper in the keeper-outage scenario',
    numberOption('--outage-blocks', 1, 240, true),
    DEFAULT_SYNTHETIC.outageBlocks,
  )
  .option(
    '--bridge-blocks <n>',
    'blocks a SEIZE takes in the congested-bridge scenario',
    numberOption('--bridge-blocks', 1, 240, true),
    DEFAULT_SYNTHETIC.congestedBridgeBlocks,
  )
  .option('--out <dir>', 'where to write stress.json and the charts', 'stress-results')
  .option('--json', 'print the results as JSON instead of the table', false)
  .action(run);

async function run(o: Options): Promise<void> {
  const started = performance.now();
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const scenarios = chooseScenarios(o, say);
  if (scenarios.length === 0) throw new Error(`no scenario matches --scenario ${o.scenario!.join(', ')}`);
  say(`${o.accounts.toLocaleString('en-US')} accounts, ${scenarios.length} scenarios × ${REGIMES.length} regimes`);
  const keeperCapitalUsd = o.keeperCapital ?? KEEPER_CAPITAL_PER_ACCOUNT * o.accounts;
  const results: RegimeResult[] = [];
  const runs = createProgress(process.stderr, progressMode(process.stderr, o.json)).start(
    'runs',
    scenarios.length * REGIMES.length,
    'scenario × regime',
  );
  try {
    for (const s of scenarios) {
      for (const regime of REGIMES) {
        results.push(
          simulate(s, REGIME[regime], { ...DEFAULT_SIMULATION, accounts: o.accounts, seed: o.seed, keeperCapitalUsd }),
        );
        runs.update(results.length);
        // A synchronous run holds the thread: let the bar draw before the next.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    runs.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const out = resolve(o.out);
  mkdirSync(out, { recursive: true });
  const report = {
    options: { accounts: o.accounts, seed: o.seed, keeperCapitalUsd },
    scenarios: scenarios.map((s) => ({ name: s.name, description: s.description, days: s.dates.length })),
    goals: goalCheck(results),
    results,
    seconds,
  };
  writeFileSync(join(out, 'stress.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(out, 'stress.svg'), await renderSvg(summarySpec(results)));
  writeFileSync(join(out, 'stress-daily.svg'), await renderSvg(dailySpec(results)));
  if (o.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    process.stdout.write(`${table(results)}\n\n${goalLines(results).join('\n')}\n`);
    process.stdout.write(
      `\n${seconds.toFixed(1)} s; wrote ${join(o.out, 'stress.json')}, stress.svg and stress-daily.svg\n`,
    );
  }
}

function chooseScenarios(o: Options, say: (line: string) => void): Scenario[] {
  const all: Scenario[] = [];
  if (existsSync(o.candles)) {
    const candles = loadCandles(o.candles);
    for (const w of o.window ?? DEFAULT_WINDOWS) all.push(historicalScenario(candles, w));
  } else {
    say(
      `historical windows skipped: no candle file at ${o.candles} (the shared BTC history is not part of the repository; pass --candles <path>)`,
    );
  }
  all.push(
    ...syntheticScenarios({
      ...DEFAULT_SYNTHETIC,
      staleBlocks: o.staleBlocks,
      outageBlocks: o.outageBlocks,
      congestedBridgeBlocks: o.bridgeBlocks,
    }),
  );
  return o.scenario ? all.filter((s) => o.scenario!.some((name) => s.name.includes(name))) : all;
}

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`stress: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
