import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Interface, JsonRpcProvider, Wallet } from 'ethers';
import { riskStewardAbi } from '@omnichain-collateral/sdk/abi';
import { toAccountId } from '@omnichain-collateral/sdk/accountId';
import { anvilKey } from '../relayer/src/devnet/anvil.js';
import { hubChain, mintAndDeposit, setFeed, venueTrade } from '../relayer/src/devnet/actions.js';
import { DEVNET_STEWARD_KEY, hubContracts } from '../relayer/src/devnet/deploySystem.js';
import { waitFor } from '../relayer/src/wait.js';
import { startTestDevnet, type TestDevnet } from './devnetFixture.js';

const OPERATOR = anvilKey(4);
const ALICE = anvilKey(5);
const BOB = anvilKey(6);
const e18 = (n: bigint) => n * 10n ** 18n;
const SCAN_RANGE = 0;
const VOL_SHIFT = 1;
const ETH = 1;

/**
 * 200 daily candles whose closes move ±4.3% a day in turn: a daily volatility of 4.3%, so a 99%
 * one-day scan range of 2.326 × 4.3% = 10%, the devnet's own.
 */
function calmHistory(path: string): void {
  const rows = ['timestamp,open,close,volume,unix_timestamp,high,low'];
  let close = 3000;
  for (let i = 0; i < 200; i++) {
    const day = new Date(Date.UTC(2024, 0, 1) + i * 86_400_000);
    const open = close;
    close = open * Math.exp(i % 2 === 0 ? 0.043 : -0.043);
    rows.push(`${day.toISOString().slice(0, 10)} 00:00:00,${open},${close},1000,${day.getTime() / 1000},${Math.max(open, close)},${Math.min(open, close)}`);
  }
  writeFileSync(path, `${rows.join('\n')}\n`);
}

describe('risk parameters on a devnet: a volatility jump raises margin on-chain through the RiskSteward', function () {
  this.timeout(180_000);
  let devnet: TestDevnet;
  const alice = toAccountId(new Wallet(ALICE).address, 0);

  const engine = () => hubContracts(devnet.manifest, new JsonRpcProvider(hubChain(devnet.manifest).rpcUrl) as never).engine;
  const hub = () => hubContracts(devnet.manifest, new JsonRpcProvider(hubChain(devnet.manifest).rpcUrl) as never).hub;
  const stewardEvents = async (name: string) => {
    const iface = new Interface(riskStewardAbi);
    const logs = await new JsonRpcProvider(hubChain(devnet.manifest).rpcUrl).getLogs({ address: devnet.manifest.riskSteward!, fromBlock: 0, topics: [iface.getEvent(name)!.topicHash] });
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
            underlyings: [{ riskAsset: ETH, history: join(dir, 'eth.csv') }],
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
    await waitFor('alice credited', async () => (await hub().read('collateralOf', [alice, 1])) === e18(5n));
    await venueTrade(devnet.manifest, OPERATOR, { owner: new Wallet(ALICE).address }, { owner: new Wallet(BOB).address }, 0, e18(10n), e18(3_000n));
  });

  after(async function () {
    await devnet?.stop();
  });

  it('the deploy tool made the steward a risk admin with ETH\'s bounds', async function () {
    const steward = devnet.manifest.riskSteward!;
    expect(await engine().read('hasRole', [await engine().read('RISK_ADMIN_ROLE', []), steward])).to.equal(true);
    const events = await stewardEvents('BoundsSet');
    expect(events.map((e) => [Number(e.parameter), Number(e.id)])).to.deep.equal([[SCAN_RANGE, ETH], [VOL_SHIFT, ETH]]);
  });

  it('ETH swinging ±22% a period: the scan range rises one step at once, then waits out its cooldown', async function () {
    const before = await hub().read('accountFigures', [alice]);
    expect((await engine().read('scenarioParams', [ETH])).scanRange).to.equal(e18(10n) / 100n);
    for (const price of [3_750n, 3_000n, 3_750n, 3_000n]) {
      await setFeed(devnet.manifest, OPERATOR, 'ETH', price * 10n ** 8n);
      await new Promise((r) => setTimeout(r, 600)); // two periods at each price
    }
    await waitFor('the scan range raised on-chain', async () => (await engine().read('scenarioParams', [ETH])).scanRange > e18(10n) / 100n);
    // One step: a quarter of 10%.
    expect((await engine().read('scenarioParams', [ETH])).scanRange).to.equal(e18(125n) / 1000n);
    const raised = await stewardEvents('ParameterRaised');
    expect(raised.map((e) => [Number(e.parameter), e.previous, e.value])).to.deep.include([SCAN_RANGE, e18(10n) / 100n, e18(125n) / 1000n]);

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

  it('lowering margin is only ever queued: the calm-market volatility shift waits its day', async function () {
    const queued = await stewardEvents('LoweringQueued');
    expect(queued.some((e) => Number(e.parameter) === VOL_SHIFT), 'a lowering of the volatility shift was proposed').to.equal(true);
    expect((await engine().read('scenarioParams', [ETH])).volShift, 'and not applied').to.equal(e18(25n) / 100n);
    expect(await stewardEvents('ParameterLowered')).to.have.length(0);
  });
});
