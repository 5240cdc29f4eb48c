import { expect } from 'chai';
import { floatRng } from '../../bench/book.js';
import { CandleFileError, loadCandles, parseCandles, selectWindow } from '../../relayer/src/riskParameters/candles.js';
import { liquidityAddOn } from '../../relayer/src/riskParameters/liquidity.js';
import {
  DEFAULT_ENGINE_CONFIG,
  dailyRaiseCap,
  nextStewardValue,
  proposeParameters,
  toWad,
} from '../../relayer/src/riskParameters/proposals.js';
import {
  ewmaVariances,
  fitGarch,
  garchHorizonVariance,
  logReturns,
  sampleVariance,
} from '../../relayer/src/riskParameters/volatility.js';

/** 431 real daily candles cut from the shared BTC history (test/fixtures/README.md). */
const BTC_EXCERPT = 'test/fixtures/btc-usd-daily-excerpt.csv';
const HEADER = 'timestamp,open,close,volume,unix_timestamp,high,low';
const row = (day: string, o: number, c: number, h: number, l: number) =>
  `${day} 00:00:00,${o},${c},10,${Date.parse(`${day}T00:00:00Z`) / 1000},${h},${l}`;

/** Standard normal draws from a seeded uniform (Box-Muller). */
function normals(seed: number): () => number {
  const u = floatRng(seed);
  return () => Math.sqrt(-2 * Math.log(u() || 1e-12)) * Math.cos(2 * Math.PI * u());
}

/** Closes following daily returns of volatility `vols[i]` on day i. */
function pricePath(vols: number[], seed = 7): number[] {
  const z = normals(seed);
  const closes = [1000];
  for (const v of vols) closes.push(closes.at(-1)! * Math.exp(v * z()));
  return closes;
}

describe('risk parameter engine: candles', function () {
  it('reads OHLC rows whatever the column order, and selects a window by date', function () {
    const text = [
      'low,high,unix_timestamp,volume,close,open,timestamp',
      '9,12,1500000000,1,11,10,2017-07-14 02:40:00',
    ].join('\n');
    expect(() => parseCandles(text)).to.throw(/line 2: timestamp is not a UTC day start/);
    const good = [
      HEADER,
      row('2020-01-01', 10, 11, 12, 9),
      row('2020-01-02', 11, 12, 13, 10),
      row('2020-01-03', 12, 11, 12.5, 10.5),
    ].join('\n');
    const candles = parseCandles(good);
    expect(candles.map((c) => c.close)).to.deep.equal([11, 12, 11]);
    expect(candles[0]).to.deep.include({ date: '2020-01-01', open: 10, high: 12, low: 9, volume: 10 });
    expect(selectWindow(candles, { from: '2020-01-02' }).map((c) => c.date)).to.deep.equal([
      '2020-01-02',
      '2020-01-03',
    ]);
    expect(() => selectWindow(candles, { from: '2021-01-01' })).to.throw('no candles from 2021-01-01 to the end');
    expect(() => selectWindow(candles, { to: '1/1/2020' })).to.throw('--to "1/1/2020" is not a day (YYYY-MM-DD)');
  });

  it('refuses a file with malformed rows, naming every one by line', function () {
    const text = [
      HEADER,
      row('2020-01-01', 10, 11, 12, 9),
      '2020-01-02 00:00:00,11,abc,10,1577923200,13,10',
      row('2020-01-03', 12, 11, 10, 10.5),
      '2020-01-04 00:00:00,12,11,10,1578096000',
      '2020-01-05 00:00:00,12,11,10,1578096000,13,10',
      row('2020-01-01', 10, 11, 12, 9),
      '2020-01-07 00:00:00,12,-11,10,1578355200,13,10',
    ].join('\n');
    let error: CandleFileError | undefined;
    try {
      parseCandles(text, 'prices.csv');
    } catch (err) {
      error = err as CandleFileError;
    }
    expect(error).to.be.instanceOf(CandleFileError);
    expect(error!.problems).to.deep.equal([
      { line: 3, message: 'close is not a number' },
      { line: 4, message: 'high 10 is below the open, close or low' },
      { line: 5, message: '5 fields, the header has 7' },
      { line: 6, message: 'unix_timestamp 1578096000 is not 2020-01-05' },
      { line: 7, message: '2020-01-01 does not follow 2020-01-01' },
      { line: 8, message: 'close is not a number' },
    ]);
    expect(error!.message).to.match(/^prices\.csv: 6 malformed rows:\n {2}line 3: close is not a number\n/);
    expect(() => parseCandles('')).to.throw('candles: 1 malformed row:\n  line 1: no rows');
    expect(() => parseCandles('date,close\n2020-01-01,1')).to.throw(
      /the header lacks timestamp, open, volume, unix_timestamp, high, low/,
    );
  });

  it('reads real BTC history whole, its absurd print included (the price pipeline judges it, not the loader)', function () {
    const candles = loadCandles(BTC_EXCERPT);
    expect(candles).to.have.length(431);
    expect(candles[0]!.date).to.equal('2016-02-25');
    expect(candles.at(-1)!.date).to.equal('2017-04-30');
    expect(candles.find((c) => c.date === '2017-04-15')).to.deep.include({ open: 1173.13, low: 0.06 });
    expect(loadCandles(BTC_EXCERPT, { from: '2017-01-01', to: '2017-03-31' })).to.have.length(90);
  });
});

describe('risk parameter engine: volatility', function () {
  it('EWMA follows v[t+1] = λ v[t] + (1 − λ) r[t]² from the mean square of its seed days', function () {
    const returns = [0.01, -0.02, 0.03, 0.01];
    const v = ewmaVariances(returns, 0.9, 2);
    const seed = (0.01 ** 2 + 0.02 ** 2) / 2;
    expect(v[0]).to.be.closeTo(seed, 1e-15);
    expect(v[1]).to.be.closeTo(0.9 * seed + 0.1 * 0.0001, 1e-15);
    expect(v[4]).to.be.closeTo(0.9 * v[3]! + 0.1 * 0.0001, 1e-15);
    expect(v).to.have.length(5);
    expect(() => ewmaVariances(returns, 1)).to.throw('λ must be in (0, 1)');
  });

  it('GARCH(1,1) recovers the parameters of a series it generated, and its forecast reverts to the long run', function () {
    const [omega, alpha, beta] = [0.00001, 0.1, 0.85];
    const z = normals(42);
    const returns: number[] = [];
    let v = omega / (1 - alpha - beta);
    for (let i = 0; i < 4_000; i++) {
      const r = Math.sqrt(v) * z();
      returns.push(r);
      v = omega + alpha * r * r + beta * v;
    }
    const g = fitGarch(returns);
    expect(g.alpha).to.be.within(0.06, 0.14);
    expect(g.beta).to.be.within(0.8, 0.9);
    expect(g.longRunVariance).to.equal(sampleVariance(returns));
    expect(garchHorizonVariance(g, 1)).to.be.closeTo(g.nextVariance, 1e-18);
    const perDayFar = garchHorizonVariance(g, 2_000) / 2_000;
    expect(Math.abs(perDayFar - g.longRunVariance) / g.longRunVariance).to.be.below(0.05);
  });
});

describe('risk parameter engine: proposals', function () {
  const volumes = (n: number, usd: number) => Array.from({ length: n }, () => usd);

  it('a volatility jump raises the scan range and the volatility shift; calm keeps them at their floor', function () {
    const calmVols = Array.from({ length: 400 }, () => 0.01);
    const calm = pricePath(calmVols);
    const p0 = proposeParameters({ closes: calm, volumesUsd: volumes(calm.length, 1e9) }, 1e6);
    expect(p0.inputs.dailyVol).to.be.within(0.008, 0.012);
    expect(p0.scanRange).to.equal(DEFAULT_ENGINE_CONFIG.bounds.scanRange.min, '3 × ~1% is under the 10% floor');

    const jumped = pricePath([...calmVols, ...Array.from({ length: 30 }, () => 0.06)]);
    const p1 = proposeParameters({ closes: jumped, volumesUsd: volumes(jumped.length, 1e9) }, 1e6);
    expect(p1.inputs.ewmaDailyVol).to.be.above(0.04);
    expect(p1.scanRange).to.be.closeTo(3 * (0.75 * p1.inputs.dailyVol + 0.25 * p1.inputs.stressedDailyVol), 1e-12);
    expect(p1.scanRange).to.be.above(0.1);
    expect(p1.volShift).to.be.above(p0.volShift);
  });

  it("the lookback's stressed volatility holds a quarter of the scan range up after a storm has passed (anti-procyclicality)", function () {
    const calmVols = Array.from({ length: 400 }, () => 0.02);
    const stormThenCalm = pricePath([...calmVols, ...Array.from({ length: 20 }, () => 0.1), ...calmVols.slice(0, 150)]);
    const after = proposeParameters({ closes: stormThenCalm, volumesUsd: volumes(stormThenCalm.length, 1e9) }, 1e6);
    expect(after.inputs.ewmaDailyVol).to.be.below(0.03, 'the EWMA has forgotten the storm');
    expect(after.inputs.stressedDailyVol).to.be.above(0.05, 'the lookback still holds it');
    expect(after.scanRange).to.be.closeTo(
      3 * (0.75 * after.inputs.dailyVol + 0.25 * after.inputs.stressedDailyVol),
      1e-12,
    );
    expect(after.scanRange).to.be.above(3 * after.inputs.dailyVol, 'above what the current volatility alone asks');
  });

  it('a holding large against the daily volume gets a larger haircut, up to the cap', function () {
    expect(liquidityAddOn(0, 1e9, 0.05)).to.equal(0);
    expect(liquidityAddOn(1e7, 1e9, 0.05)).to.be.closeTo(0.05 * Math.sqrt(0.01), 1e-15);
    expect(liquidityAddOn(1e9, 1e9, 0.05)).to.be.closeTo(0.05, 1e-15);
    expect(liquidityAddOn(1e12, 1e9, 0.05)).to.equal(0.5);
    expect(liquidityAddOn(1e6, 0, 0.05), 'no market: the cap').to.equal(0.5);

    const closes = pricePath(Array.from({ length: 400 }, () => 0.03));
    const small = proposeParameters({ closes, volumesUsd: volumes(closes.length, 1e8) }, 1e5);
    const large = proposeParameters({ closes, volumesUsd: volumes(closes.length, 1e8) }, 1e10);
    expect(small.maintenanceHaircut).to.equal(0.15, "the static grid's haircut is the floor");
    expect(large.maintenanceHaircut).to.be.above(small.maintenanceHaircut);
    expect(large.maintenanceHaircut).to.be.closeTo(
      DEFAULT_ENGINE_CONFIG.baseHaircut + large.inputs.liquidityAddOn,
      1e-15,
    );
    expect(large.initialHaircut).to.be.closeTo(large.maintenanceHaircut * (4 / 3), 1e-15);
  });

  it('proposes to the steward the target, or the one step toward it the steward accepts', function () {
    const bounds = { min: toWad(0.05), max: toWad(0.3), maxStep: toWad(0.25), maxDailyRaise: toWad(0.5) };
    expect(nextStewardValue(toWad(0.1), toWad(0.12), bounds)).to.equal(toWad(0.12));
    expect(nextStewardValue(toWad(0.1), toWad(0.2), bounds), 'one step up').to.equal(toWad(0.125));
    expect(nextStewardValue(toWad(0.1), toWad(0.01), bounds), 'one step down').to.equal(toWad(0.075));
    expect(nextStewardValue(toWad(0.28), toWad(0.5), bounds), 'no further than the max').to.equal(toWad(0.3));
    expect(nextStewardValue(toWad(0.1), toWad(0.102), bounds), 'under the 5% threshold').to.equal(undefined);
    expect(nextStewardValue(toWad(0.3), toWad(0.5), bounds), 'at the max already').to.equal(undefined);
    // At 0 with a floor of 0, a step is a share of the ceiling, as RiskSteward._stepBase takes it.
    const fromZero = { min: 0n, max: toWad(0.2), maxStep: toWad(0.25), maxDailyRaise: toWad(0.25) };
    expect(nextStewardValue(0n, toWad(0.01), fromZero), 'off zero').to.equal(toWad(0.01));
    expect(nextStewardValue(0n, toWad(0.2), fromZero), 'one step of the ceiling').to.equal(toWad(0.05));
    expect(logReturns([100, 110])[0]).to.be.closeTo(Math.log(1.1), 1e-15);
  });

  it("raises no further than the steward's daily cap, counted from the value its window opened at (finding 8)", function () {
    const bounds = { min: toWad(0.05), max: toWad(0.5), maxStep: toWad(0.25), maxDailyRaise: toWad(0.5) };
    const day = 86_400n;
    const none = { openedAt: 0n, base: 0n };
    // No window open: a raise may reach 1.5 x the value now.
    expect(dailyRaiseCap(bounds, toWad(0.1), none, 1_000n, day)).to.equal(toWad(0.15));
    // An hour into a window opened at 0.1, at 0.125: still 0.15, so one step (0.15625) is cut to it.
    const open = { openedAt: 1_000n, base: toWad(0.1) };
    const cap = dailyRaiseCap(bounds, toWad(0.125), open, 4_600n, day);
    expect(cap).to.equal(toWad(0.15));
    expect(nextStewardValue(toWad(0.125), toWad(0.3), bounds, 0.05, cap)).to.equal(toWad(0.15));
    expect(nextStewardValue(toWad(0.15), toWad(0.3), bounds, 0.05, cap), 'the cap reached').to.equal(undefined);
    expect(nextStewardValue(toWad(0.15), toWad(0.1), bounds, 0.05, cap), 'lowerings are not capped').to.equal(
      toWad(0.1125),
    );
    // A day after it opened, the window counts from the value then.
    expect(dailyRaiseCap(bounds, toWad(0.15), open, 1_000n + day, day)).to.equal(toWad(0.225));
  });
});

describe("risk parameter engine: the network file's steward and collateral terms", function () {
  const address = '0x000000000000000000000000000000000000dEaD';
  const file = {
    name: 'x',
    hub: 'hub',
    chains: [
      {
        name: 'hub',
        chainId: 1,
        rpcUrl: 'http://127.0.0.1:1',
        confirmations: 0,
        layerZero: { endpoint: address, sendLib: address, receiveLib: address, executor: address },
      },
    ],
    pathway: {},
    enforcedGas: { CREDIT: 1, RELEASE: 1, SEIZE: 1 },
    settlement: { token: address, decimals: 6 },
    riskAssets: [{ name: 'ETH', feed: address, maxAge: 60, minPrice: 1, maxPrice: 2 }],
    collateral: [
      {
        chain: 'hub',
        symbol: 'WETH',
        token: address,
        decimals: 18,
        riskAsset: 'ETH',
        initialHaircut: '200000000000000000',
        maintenanceHaircut: '150000000000000000',
        liquidationBonus: '50000000000000000',
        cap: 1,
      },
    ],
  };
  it('names a stewarded parameter whose target the file does not have', async function () {
    const { parseNetworkFile } = await import('../../deploy/networkFile.js');
    const bound = { min: 1, max: 2, maxStep: 1, cooldown: 0, loweringDelay: 0, maxDailyRaise: 1 };
    expect(() =>
      parseNetworkFile({
        ...file,
        steward: {
          proposer: address,
          bounds: [
            { parameter: 'scanRange', target: 'ETH', ...bound },
            {
              parameter: 'maintenanceHaircut',
              target: 'WETH@hub',
              ...bound,
              min: '150000000000000000',
              max: '500000000000000000',
            },
          ],
        },
      }),
    ).not.to.throw();
    expect(() =>
      parseNetworkFile({
        ...file,
        steward: { proposer: address, bounds: [{ parameter: 'scanRange', target: 'BTC', ...bound }] },
      }),
    ).to.throw(/no risk asset is named "BTC"/);
    expect(() =>
      parseNetworkFile({
        ...file,
        steward: { proposer: address, bounds: [{ parameter: 'initialHaircut', target: 'WETH@spoke', ...bound }] },
      }),
    ).to.throw(/no collateral "WETH@spoke" \(SYMBOL@chain\)/);
    expect(() =>
      parseNetworkFile({
        ...file,
        steward: { proposer: address, bounds: [{ parameter: 'scanRange', target: 'ETH', ...bound, maxDailyRaise: 0 }] },
      }),
    ).to.throw(/maxDailyRaise must be at least maxStep/);
  });

  it('refuses collateral, or a maintenance-haircut floor, at which a liquidation takes equity out of the account', async function () {
    const { parseNetworkFile } = await import('../../deploy/networkFile.js');
    const pct = (n: number) => String(BigInt(n) * 10n ** 16n);
    const usdc = {
      ...file.collateral[0]!,
      initialHaircut: pct(2),
      maintenanceHaircut: pct(1),
      liquidationBonus: pct(2),
    };
    expect(() => parseNetworkFile({ ...file, collateral: [usdc] })).to.throw(
      /a 2% liquidation bonus with a 1% maintenance haircut lets a liquidation take equity[\s\S]*collateral\[0\]\.liquidationBonus/,
    );
    const weth = {
      ...file.collateral[0]!,
      initialHaircut: pct(20),
      maintenanceHaircut: pct(15),
      liquidationBonus: pct(5),
    };
    expect(() => parseNetworkFile({ ...file, collateral: [weth] })).not.to.throw();
    const floor = {
      parameter: 'maintenanceHaircut',
      target: 'WETH@hub',
      min: pct(3),
      max: pct(50),
      maxStep: 1,
      cooldown: 0,
      loweringDelay: 0,
      maxDailyRaise: 1,
    };
    expect(() =>
      parseNetworkFile({ ...file, collateral: [weth], steward: { proposer: address, bounds: [floor] } }),
    ).to.throw(/a 5% liquidation bonus with a 3% maintenance haircut[\s\S]*steward\.bounds\[0\]\.min/);
  });
});
