import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Interface, JsonRpcProvider, Wallet } from 'ethers';
import { riskStewardAbi } from '@omnichain-collateral/sdk/abi';
import { toAccountId } from '@omnichain-collateral/sdk/accountId';
import { anvilKey } from '../../relayer/src/devnet/anvil.js';
import { hubChain, mintAndDeposit, setFeed, venueTrade } from '../../relayer/src/devnet/actions.js';
import { DEVNET_STEWARD_KEY, hubContracts } from '../../relayer/src/devnet/deploySystem.js';
import { waitFor } from '../../relayer/src/wait.js';
import { startTestDevnet, type TestDevnet } from './devnetFixture.js';

const OPERATOR = anvilKey(4);
const ALICE = anvilKey(5);
const BOB = anvilKey(6);
const e18 = (n: bigint) => n * 10n ** 18n;
const SCAN_RANGE = 0;
const VOL_SHIFT = 1;
const ETH = 1;
const SPOKE2_WETH = 2;
const WSTETH = 3;
const CONCENTRATION_IMPACT = 4;
const CAROL = anvilKey(3);

/**
 * 200 daily candles whose closes move ±3.3% a day in turn: a daily volatility of 3.3%, steady, so
 * a one-day scan range of 3 × 3.3% = 9.9%: the devnet's own 10% floor.
 */
function calmHistory(path: string): void {
  const rows = ['timestamp,open,close,volume,unix_timestamp,high,low'];
  let close = 3000;
  for (let i = 0; i < 200; i++) {
    const day = new Date(Date.UTC(2024, 0, 1) + i * 86_400_000);
    const open = close;
    close = open * Math.exp(i % 2 === 0 ? 0.033 : -0.033);
    rows.push(
      `${day.toISOString().slice(0, 10)} 00:00:00,${open},${close},1000,${day.getTime() / 1000},${Math.max(open, close)},${Math.min(open, close)}`,
    );
  }
  writeFileSync(path, `${rows.join('\n')}\n`);
}

describe('risk parameters on a devnet: a volatility jump raises margin on-chain through the RiskSteward', function () {
  this.timeout(180_000);
  let devnet: TestDevnet;
  const alice = toAccountId(new Wallet(ALICE).address, 0);

  const engine = () =>
    hubContracts(devnet.manifest, new JsonRpcProvider(hubChain(devnet.manifest).rpcUrl) as never).engine;
  const hub = () => hubContracts(devnet.manifest, new JsonRpcProvider(hubChain(devnet.manifest).rpcUrl) as never).hub;
  const stewardEvents = async (name: string) => {
    const iface = new Interface(riskStewardAbi);
    const logs = await new JsonRpcProvider(hubChain(devnet.manifest).rpcUrl).getLogs({
      address: devnet.manifest.riskSteward!,
      fromBlock: 0,
      topics: [iface.getEvent(name)!.topicHash],
    });
    return logs.map((l) => iface.parseLog(l)!.args);
  };

  before(async function () {
    devnet = await startTestDevnet({
      chainIds: [31_531, 31_532, 31_533],
      name: 'steward',
      operatorKey: OPERATOR,
      configure: (config, manifest, dir) => {
        calmHistory(join(dir, 'eth.csv'));
        return {
          ...config,
          riskParameters: {
            key: DEVNET_STEWARD_KEY,
            steward: manifest.riskSteward!,
            sampleMs: 250,
            // Spoke-2's WETH haircuts too, against $3,000 of trading a day: carol's 10 WETH is a large holding.
            // wstETH: only its concentration add-on's price impact is stewarded.
            underlyings: [
              { riskAsset: ETH, history: join(dir, 'eth.csv'), assets: [SPOKE2_WETH, WSTETH], dailyVolumeUsd: 3_000 },
            ],
            horizonPeriods: 1,
            lookbackPeriods: 100,
            threshold: 0.05,
          },
        };
      },
    });
    // Alice: 5 WETH on spoke-1, long 10 ETH-PERP against bob.
    await mintAndDeposit(devnet.manifest.chains[1]!, ALICE, 'WETH', e18(5n));
    await mintAndDeposit(hubChain(devnet.manifest), BOB, 'USDC', 100_000n * 10n ** 6n);
    await mintAndDeposit(devnet.manifest.chains[2]!, CAROL, 'WETH', e18(10n));
    await waitFor('alice credited', async () => (await hub().read('collateralOf', [alice, 1])) === e18(5n));
    await waitFor('carol credited', async () => (await hub().read('totalCollateral', [SPOKE2_WETH])) === e18(10n));
    await venueTrade(devnet.manifest, OPERATOR, { key: ALICE }, { key: BOB }, 0, e18(10n), e18(3_000n));
  });

  after(async function () {
    await devnet?.stop();
  });

  it("the deploy tool made the steward a risk admin with the devnet's bounds", async function () {
    const steward = devnet.manifest.riskSteward!;
    expect(await engine().read('hasRole', [await engine().read('RISK_ADMIN_ROLE', []), steward])).to.equal(true);
    const events = await stewardEvents('BoundsSet');
    // ETH's scan range and volatility shift, each spoke's WETH initial and maintenance haircut, wstETH's concentration
    // impact.
    expect(events.map((e) => [Number(e.parameter), Number(e.id)])).to.deep.equal([
      [SCAN_RANGE, ETH],
      [VOL_SHIFT, ETH],
      [2, 1],
      [3, 1],
      [2, 2],
      [3, 2],
      [CONCENTRATION_IMPACT, WSTETH],
    ]);
  });

  it('ETH swinging ±22% a period: the scan range rises one step at once, then waits out its cooldown', async function () {
    const before = await hub().read('accountFigures', [alice]);
    expect((await engine().read('scenarioParams', [ETH])).scanRange).to.equal(e18(10n) / 100n);
    for (const price of [3_750n, 3_000n, 3_750n, 3_000n]) {
      await setFeed(devnet.manifest, OPERATOR, 'ETH', price * 10n ** 8n);
      await new Promise((r) => setTimeout(r, 600)); // two periods at each price
    }
    await waitFor(
      'the scan range raised on-chain',
      async () => (await engine().read('scenarioParams', [ETH])).scanRange > e18(10n) / 100n,
    );
    // One step: a quarter of 10%.
    expect((await engine().read('scenarioParams', [ETH])).scanRange).to.equal(e18(125n) / 1000n);
    const raised = await stewardEvents('ParameterRaised');
    expect(raised.map((e) => [Number(e.parameter), e.previous, e.value])).to.deep.include([
      SCAN_RANGE,
      e18(10n) / 100n,
      e18(125n) / 1000n,
    ]);

    // Alice's book and price are as before: her requirement rose by the quarter.
    const after = await hub().read('accountFigures', [alice]);
    expect(after.maintenanceEquity).to.equal(before.maintenanceEquity);
    expect(after.maintenanceRequirement * 100n).to.equal(before.maintenanceRequirement * 125n);

    // More swings within the hour: the steward's cooldown holds the next step back.
    await setFeed(devnet.manifest, OPERATOR, 'ETH', 3_750n * 10n ** 8n);
    await new Promise((r) => setTimeout(r, 800));
    await setFeed(devnet.manifest, OPERATOR, 'ETH', 3_000n * 10n ** 8n);
    await new Promise((r) => setTimeout(r, 800));
    expect((await engine().read('scenarioParams', [ETH])).scanRange).to.equal(e18(125n) / 1000n);
  });

  it('the same swings raise the haircuts of a large holding against a thin market, the initial one first', async function () {
    // Carol's $30,000+ of spoke-2 WETH against $3,000 a day: an add-on of σ·√10, over 19% once σ passes 6%.
    await waitFor(
      'spoke-2 WETH haircuts raised',
      async () => (await engine().read('asset', [SPOKE2_WETH])).maintenanceHaircut > e18(15n) / 100n,
    );
    const asset = await engine().read('asset', [SPOKE2_WETH]);
    expect(asset.initialHaircut, 'initial 20% -> 25%, one step').to.equal(e18(25n) / 100n);
    expect(asset.maintenanceHaircut, 'maintenance 15% -> 18.75%, one step').to.equal(e18(1875n) / 10_000n);
    expect(asset.liquidationBonus).to.equal(e18(5n) / 100n);
    const spoke1 = await engine().read('asset', [1]);
    expect(
      [spoke1.initialHaircut, spoke1.maintenanceHaircut],
      'an asset the engine does not steer is left alone',
    ).to.deep.equal([e18(20n) / 100n, e18(15n) / 100n]);
  });

  it("the same swings raise wstETH's concentration impact toward σ_daily, at most one step at once, its depth and cap untouched", async function () {
    await waitFor(
      'wstETH impact raised',
      async () => (await engine().read('concentrationTerms', [WSTETH])).impact > e18(5n) / 100n,
    );
    const terms = await engine().read('concentrationTerms', [WSTETH]);
    expect(terms.impact <= e18(625n) / 10_000n, `5% -> ${terms.impact}: at most one step, 6.25%`).to.equal(true);
    expect([terms.depthUsd, terms.cap]).to.deep.equal([e18(5_000_000n), e18(25n) / 100n]);
    const wsteth = await engine().read('asset', [WSTETH]);
    expect([wsteth.initialHaircut, wsteth.maintenanceHaircut], 'its haircuts are not stewarded').to.deep.equal([
      e18(20n) / 100n,
      e18(15n) / 100n,
    ]);
  });

  it('lowering margin is only ever queued: the calm-market volatility shift waits its day', async function () {
    const queued = await stewardEvents('LoweringQueued');
    expect(
      queued.some((e) => Number(e.parameter) === VOL_SHIFT),
      'a lowering of the volatility shift was proposed',
    ).to.equal(true);
    const volShift = (await engine().read('scenarioParams', [ETH])).volShift;
    expect(volShift >= e18(25n) / 100n, `and not applied: ${volShift} (the swings may raise it)`).to.equal(true);
    expect(await stewardEvents('ParameterLowered')).to.have.length(0);
  });
});
