import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadCandles } from '../../relayer/src/riskParameters/candles.js';
import { backtest, BACKTEST_HISTORY_DAYS, gen3ScanRanges } from '../../stress/backtest/backtest.js';
import { christoffersen, kupiec, procyclicality } from '../../stress/backtest/coverage.js';

const run = promisify(execFile);
/** 431 days of the shared BTC candles (test/fixtures/README.md): a year of history and 65 days to test. */
const EXCERPT = fileURLToPath(new URL('../fixtures/btc-usd-daily-excerpt.csv', import.meta.url));

describe('margin backtest: coverage and procyclicality (npm run backtest)', function () {
  it("Kupiec's test: 5 exceedances in 250 days at 99% is the Basel yellow zone's edge, p ≈ 0.08; fewer than expected never rejects", function () {
    // LR = −2 [245 ln 0.99 + 5 ln 0.01 − 245 ln 0.98 − 5 ln 0.02] = 1.9568; one-sided p = 1 − Φ(√LR).
    const five = kupiec(250, 5, 0.01);
    expect(five.lr).to.be.closeTo(1.9568, 1e-3);
    expect(five.pValue).to.be.closeTo(0.0809, 1e-3);
    expect(kupiec(250, 12, 0.01).pValue).to.be.below(0.001, 'the red zone');
    expect(kupiec(1000, 10, 0.01).pValue).to.be.closeTo(0.5, 1e-6, 'exactly the expected rate');
    expect(kupiec(1000, 0, 0.01).pValue).to.be.above(0.5, 'too few exceedances are not what the test looks for');
    expect(() => kupiec(0, 0, 0.01)).to.throw(/at least one observation/);
  });

  it("Christoffersen's test rejects exceedances that come in a run, not the same number spread out", function () {
    const spread = Array.from({ length: 500 }, (_, t) => t % 100 === 50);
    const clustered = Array.from({ length: 500 }, (_, t) => t >= 250 && t < 255);
    expect(christoffersen(spread).pValue).to.be.above(0.5);
    expect(christoffersen(clustered).pValue).to.be.below(0.001);
    expect(christoffersen(Array.from({ length: 50 }, () => false)).pValue).to.equal(
      1,
      'no exceedance, nothing to cluster',
    );
  });

  it('procyclicality: peak-to-trough, and the largest rise over one day and over five', function () {
    const p = procyclicality([1, 2, 1, 1, 1, 1, 4]);
    expect(p.peakToTrough).to.equal(4);
    expect(p.maxIncrease1d).to.equal(3, '1 -> 4');
    expect(p.maxIncrease5d).to.equal(1, '2 -> 4, five days apart');
    expect(procyclicality([0.1, 0.1]).maxIncrease1d).to.equal(0);
  });

  it("backtests Gen 2's static range and Gen 3's, never below it, against the realised daily moves", function () {
    const candles = loadCandles(EXCERPT);
    const result = backtest(candles, { mporDays: 1, confidence: 0.99 });
    expect(result.from).to.equal(candles[BACKTEST_HISTORY_DAYS - 1]!.date);
    expect(result.to).to.equal(candles.at(-1)!.date);
    const closes = candles.map((c) => c.close);
    const moves = closes
      .slice(BACKTEST_HISTORY_DAYS)
      .map((c, i) => Math.abs(c / closes[BACKTEST_HISTORY_DAYS - 1 + i]! - 1));
    const [gen2, gen3] = result.regimes;
    expect(gen2!.regime).to.equal('Gen 2');
    expect(gen2!.observations).to.equal(moves.length);
    expect(gen2!.exceedances).to.equal(moves.filter((m) => m > 0.1).length);
    expect(gen2!.peakToTrough).to.equal(1, 'a static range does not move');
    const ranges = gen3ScanRanges(closes, BACKTEST_HISTORY_DAYS - 1);
    expect(Math.min(...ranges)).to.be.at.least(0.1, "Gen 3's floor is the static range");
    expect(gen3!.exceedances).to.equal(moves.filter((m, i) => m > ranges[i]!).length);
    expect(gen3!.exceedances).to.be.at.most(gen2!.exceedances);

    // Two-day periods: every other day, so the periods tested do not overlap.
    const twoDay = backtest(candles, { mporDays: 2, confidence: 0.99 });
    expect(twoDay.regimes[0]!.observations).to.equal(Math.ceil((moves.length - 1) / 2));
    expect(() => backtest(candles.slice(0, BACKTEST_HISTORY_DAYS), { mporDays: 1, confidence: 0.99 })).to.throw(
      /needs 367 days of candles/,
    );
  });

  it('npm run backtest -- --json gives the named figures per regime, and refuses bad options in words', async function () {
    this.timeout(60_000);
    const cli = ['tsx', '--conditions=source', 'stress/backtest/cli.ts', '--candles', EXCERPT];
    const { stdout } = await run('npx', [...cli, '--json']);
    const report = JSON.parse(stdout) as { regimes: Array<Record<string, unknown>> };
    expect(report.regimes.map((r) => r.regime)).to.deep.equal(['Gen 2', 'Gen 3']);
    for (const r of report.regimes)
      for (const key of [
        'observations',
        'exceedances',
        'kupiecP',
        'christoffersenP',
        'peakToTrough',
        'maxIncrease1d',
        'maxIncrease5d',
      ])
        expect(r[key], key).to.be.a('number');
    const table = await run('npx', cli);
    expect(table.stdout).to.match(/Gen 3: Kupiec (rejects|does not reject)/);
    for (const [args, message] of [
      [['--window', '2019-01-02:2019-01-01'], '--window must be FROM:TO'],
      [['--confidence', '99'], '--confidence must be a fraction'],
      [['--window', '2017-01-01:2017-03-31'], 'needs 367 days of candles'],
    ] as const) {
      const refused = await run('npx', [...cli, ...args]).then(
        () => undefined,
        (err: { code: number; stderr: string }) => err,
      );
      expect(refused?.code, args.join(' ')).to.equal(1);
      expect(refused?.stderr).to.include(message);
    }
  });
});
