import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { floatRng } from '../../bench/book.js';
import { loadCandles, parseCandles, type Candle } from '../../relayer/src/riskParameters/candles.js';
import { historicalScenario, syntheticScenarios, type Scenario } from '../../stress/paths.js';
import { REGIME, REGIMES, type RegimeName } from '../../stress/regimes.js';
import {
  DEFAULT_SIMULATION,
  ROUNDS_PER_BLOCK,
  simulate,
  type RegimeResult,
  type SimulationOptions,
} from '../../stress/simulate.js';

/** 431 real daily candles cut from the shared BTC history (test/fixtures/README.md). */
const BTC_EXCERPT = 'test/fixtures/btc-usd-daily-excerpt.csv';
const run = promisify(execFile);

/**
 * What a print must not change: who is liquidated, how often, and the shortfall. (The book's value
 * at the day's first block differs by the clean path's first step, so figures sampled then do too.)
 */
const outcome = (r: RegimeResult) => ({
  liquidations: r.liquidations,
  accountsLiquidated: r.accountsLiquidated,
  shortfallUsd: r.shortfallUsd,
  daily: r.daily.map((d) => d.liquidations),
});

/**
 * A year and a half of quiet daily candles (2% a day) as the CSV loader reads them, one of whose days prints `printLow`
 * as its low.
 */
function candlesWithPrint(printDay: string, printLow: (open: number) => number): Candle[] {
  const draw = floatRng(3);
  const rows = ['timestamp,open,close,volume,unix_timestamp,high,low'];
  let close = 20_000;
  for (let t = Date.parse('2020-01-01T00:00:00Z'); t <= Date.parse('2021-06-30T00:00:00Z'); t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    const open = close;
    close = open * Math.exp(0.02 * Math.sqrt(-2 * Math.log(1 - draw())) * Math.cos(2 * Math.PI * draw()));
    const low = day === printDay ? printLow(open) : Math.min(open, close) * 0.99;
    rows.push(`${day} 00:00:00,${open},${close},100,${t / 1000},${Math.max(open, close) * 1.01},${low}`);
  }
  return parseCandles(rows.join('\n'));
}

function runAll(scenario: Scenario, options: Partial<SimulationOptions> = {}): Record<RegimeName, RegimeResult> {
  const results = {} as Record<RegimeName, RegimeResult>;
  for (const regime of REGIMES)
    results[regime] = simulate(scenario, REGIME[regime], { ...DEFAULT_SIMULATION, accounts: 300, ...options });
  return results;
}

describe('stress simulator', function () {
  this.timeout(300_000);

  it('a single absurd print liquidates no one: the keeper holds the jump, as on-chain', function () {
    const window = { name: 'print', from: '2021-04-01', to: '2021-04-30' };
    const printed = historicalScenario(
      candlesWithPrint('2021-04-15', (open) => open / 20_000),
      window,
    );
    const clean = historicalScenario(
      candlesWithPrint('2021-04-15', (open) => open * 0.99),
      window,
    );
    // The print is really in the path: BTC trades at a twenty-thousandth of its price for a block.
    expect(Math.min(...printed.prices[1]!)).to.be.below(2);
    expect(Math.min(...clean.prices[1]!)).to.be.above(10_000);
    const withPrint = runAll(printed);
    const without = runAll(clean);
    for (const regime of REGIMES) expect(outcome(withPrint[regime]), regime).to.deep.equal(outcome(without[regime]));
    // Without the jump hold the same print liquidates, and leaves bad debt: the hold is what saves them.
    const unguarded = runAll(printed, { jumpHold: { maxJump: 1e6, confirmations: 1 } });
    for (const regime of REGIMES) {
      expect(unguarded[regime].liquidations, regime).to.be.above(withPrint[regime].liquidations);
      expect(unguarded[regime].worstHealth, regime).to.equal(0);
    }
  });

  it("real history's 2017-04-15 print ($0.06) liquidates no one", function () {
    const candles = loadCandles(BTC_EXCERPT);
    const print = candles.find((c) => c.date === '2017-04-15')!;
    expect(print.low).to.equal(0.06);
    const repaired = candles.map((c) => (c === print ? { ...c, low: Math.min(c.open, c.close) } : c));
    const window = { name: 'April 2017', from: '2017-04-01', to: '2017-04-30' };
    const withPrint = runAll(historicalScenario(candles, window));
    const without = runAll(historicalScenario(repaired, window));
    for (const regime of REGIMES) expect(outcome(withPrint[regime]), regime).to.deep.equal(outcome(without[regime]));
  });

  it('a keeper outage and a congested bridge cost more than the same crash without them', function () {
    const scenarios = syntheticScenarios();
    const byName = (name: string) => scenarios.find((s) => s.name === name)!;
    const crash = simulate(byName('correlated crash'), REGIME['Gen 2'], { ...DEFAULT_SIMULATION, accounts: 300 });
    const outage = simulate(byName('keeper outage'), REGIME['Gen 2'], { ...DEFAULT_SIMULATION, accounts: 300 });
    expect(outage.shortfallUsd).to.be.above(crash.shortfallUsd);
    // With a keeper able to repay $200,000 at a time, waiting 48 blocks for its payments stalls it
    // (no backstop vault here: it would take the accounts the stalled keeper leaves).
    const small = { ...DEFAULT_SIMULATION, accounts: 300, keeperCapitalUsd: 200_000, backstopCapitalUsd: 0 };
    const quick = simulate(byName('correlated crash'), REGIME['Gen 2'], small);
    const congested = simulate(byName('congested bridge'), REGIME['Gen 2'], small);
    expect(congested.deferredForCapital).to.be.above(quick.deferredForCapital);
    expect(congested.shortfallUsd).to.be.above(quick.shortfallUsd);
  });

  it('runs each shortfall down the waterfall: the insurance fund (seeded, fed by penalties), then positive cash', function () {
    const outage = syntheticScenarios().find((s) => s.name === 'keeper outage')!;
    const small = { ...DEFAULT_SIMULATION, accounts: 300 };
    const unfunded = simulate(outage, REGIME['Gen 2'], { ...small, insuranceFundUsd: 0 });
    const funded = simulate(outage, REGIME['Gen 2'], { ...small, insuranceFundUsd: 1e12 });
    expect(unfunded.shortfallUsd).to.be.above(0);
    expect(funded.shortfallUsd, 'the fund changes who pays, not what is lost').to.equal(unfunded.shortfallUsd);
    for (const r of [unfunded, funded]) {
      const { backstop, insurance, socialized } = r.absorbedUsd;
      expect(backstop + insurance + socialized + r.unownedUsd).to.be.closeTo(r.shortfallUsd, 1e-6 * r.shortfallUsd);
      expect(r.unownedUsd).to.equal(0);
      expect(r.largestShortfallsUsd[0]).to.be.at.least(r.largestShortfallsUsd[1]);
      expect(r.largestShortfallsUsd[0]).to.be.at.most(r.shortfallUsd);
    }
    expect(funded.absorbedUsd.socialized).to.equal(0);
    expect(funded.absorbedUsd.insurance + funded.absorbedUsd.backstop).to.be.closeTo(
      funded.shortfallUsd,
      1e-6 * funded.shortfallUsd,
    );
    expect(funded.insuranceFedUsd, 'its share of the position penalties').to.be.above(0);
    expect(funded.insuranceLeftUsd).to.be.closeTo(1e12 + funded.insuranceFedUsd - funded.absorbedUsd.insurance, 1e-3);
    // Unfunded, the fund covers only what position penalties paid into it before each default.
    expect(unfunded.absorbedUsd.insurance).to.be.at.most(unfunded.insuranceFedUsd + 1e-6);
    expect(unfunded.absorbedUsd.socialized).to.be.above(0);
  });

  it('the keeper comes back within a block to the accounts it liquidated, up to its rounds', function () {
    const crash = syntheticScenarios().find((s) => s.name === 'correlated crash')!;
    const small = { ...DEFAULT_SIMULATION, accounts: 300 };
    const rounds = simulate(crash, REGIME['Gen 2'], small);
    const once = simulate(crash, REGIME['Gen 2'], { ...small, roundsPerBlock: 1 });
    expect(once.mostRounds).to.equal(1);
    expect(rounds.mostRounds, 'an account liquidated again in its block').to.be.within(2, ROUNDS_PER_BLOCK);
    expect(rounds.shortfallUsd).to.be.at.most(once.shortfallUsd);
  });

  it('the backstop vault takes what the keeper leaves, and a keeper that can act reaches accounts first', function () {
    const crash = syntheticScenarios().find((s) => s.name === 'correlated crash')!;
    // A keeper without capital repays no debt: it can only take positions over.
    const stalled = { ...DEFAULT_SIMULATION, accounts: 300, keeperCapitalUsd: 0 };
    const without = simulate(crash, REGIME['Gen 2'], { ...stalled, backstopCapitalUsd: 0 });
    const withVault = simulate(crash, REGIME['Gen 2'], stalled);
    expect(without.backstopTakeovers).to.equal(0);
    expect(without.absorbedUsd.backstop).to.equal(0);
    expect(withVault.backstopTakeovers, 'accounts the keeper could not liquidate').to.be.above(0);
    expect(withVault.shortfallUsd, 'taken before they were bankrupt').to.be.below(without.shortfallUsd);
    const { backstop, insurance, socialized } = withVault.absorbedUsd;
    expect(backstop + insurance + socialized + withVault.unownedUsd).to.be.closeTo(withVault.shortfallUsd, 1e-6);
    // With a keeper that can act, it reaches every account first.
    const funded = simulate(crash, REGIME['Gen 2'], { ...DEFAULT_SIMULATION, accounts: 300 });
    expect(funded.backstopTakeovers).to.be.below(withVault.backstopTakeovers);
  });

  it("Gen 3's parameters rise within the day of a jump, never fall below the static grid, and fall at most a quarter a day", function () {
    const spike = syntheticScenarios().find((s) => s.name === 'volatility spike')!;
    const gen3 = simulate(spike, REGIME['Gen 3'], { ...DEFAULT_SIMULATION, accounts: 200 });
    const scan = gen3.daily.map((d) => d.ethScanRange);
    const rises = scan.slice(1).map((s, d) => s / scan[d]!);
    expect(Math.max(...rises), 'more than one quarter-step in a day: re-proposed within it').to.be.above(1.25);
    expect(Math.min(...scan), "the static grid's 10% is the floor").to.be.at.least(0.1);
    for (let d = 1; d < scan.length; d++) expect(scan[d]!, `day ${d + 1}`).to.be.at.least(scan[d - 1]! * 0.75 - 1e-12);
    // Gen 2 keeps its grid.
    expect(
      new Set(
        simulate(spike, REGIME['Gen 2'], { ...DEFAULT_SIMULATION, accounts: 200 }).daily.map((d) => d.ethScanRange),
      ).size,
    ).to.equal(1);
  });

  it('Gen 1 margins gross exposure, so a hedged book needs more margin than under cross margin', function () {
    const crash = syntheticScenarios()[0]!;
    const [gen1, gen2] = [
      simulate(crash, REGIME['Gen 1'], { ...DEFAULT_SIMULATION, accounts: 200 }),
      simulate(crash, REGIME['Gen 2'], { ...DEFAULT_SIMULATION, accounts: 200 }),
    ];
    expect(gen1.marginAccounts).to.be.above(200);
    expect(gen1.calmCapital!).to.be.above(gen2.calmCapital!);
  });

  it('npm run stress writes the table, JSON and charts, and refuses a malformed window', async function () {
    const out = mkdtempSync(join(tmpdir(), 'stress-'));
    const { stdout } = await run('npx', [
      'tsx',
      '--conditions=source',
      'stress/cli.ts',
      '--accounts',
      '100',
      '--scenario',
      'correlated crash',
      '--out',
      out,
    ]);
    expect(stdout).to.match(/\| correlated crash \| Gen 3 +\|/);
    expect(stdout).to.include('Gen 1 ÷ Gen 3');
    const report = JSON.parse(readFileSync(join(out, 'stress.json'), 'utf8')) as { results: RegimeResult[] };
    expect(report.results.map((r) => r.regime)).to.deep.equal([...REGIMES]);
    for (const chart of ['stress.svg', 'stress-daily.svg'])
      expect(readFileSync(join(out, chart), 'utf8')).to.match(/^<svg[\s\S]*Gen 3[\s\S]*<\/svg>$/);
    const refused = await run('npx', [
      'tsx',
      '--conditions=source',
      'stress/cli.ts',
      '--window',
      '2018-03-01:2018-01-01',
    ]).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(refused?.code).to.equal(1);
    expect(refused?.stderr).to.include('--window must be FROM:TO');
  });
});
