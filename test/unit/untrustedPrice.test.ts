import { expect } from 'chai';
import { toAccountId } from '@omnichain-collateral/sdk/accountId';
import {
  accountRisk,
  type AssetInfo,
  type Holdings,
  type MarketState,
  type PriceReading,
  type RiskSetup,
} from '@omnichain-collateral/sdk/risk/accountRisk';
import { WAD } from '@omnichain-collateral/sdk/risk/fixedPoint';
import { chooseCollateral } from '../../relayer/src/services/keeper/seizeChoice.js';
import { extremeScan } from '@omnichain-collateral/sdk/risk/accountRisk';
import { riskParams } from './riskFixtures.js';

/** docs/risk-model.md section 2.1, as RiskEngine applies it (UntrustedPriceFlows, RiskEngine.t.sol). */
describe('a holding whose price cannot be trusted', function () {
  const asset = (assetId: number, riskAsset: number, decimals: number, bonus: bigint): AssetInfo => ({
    assetId,
    eid: 1,
    token: `0x${'0'.repeat(39)}${assetId}`,
    decimals,
    riskAsset,
    initialHaircut: WAD / 5n,
    maintenanceHaircut: (WAD * 15n) / 100n,
    liquidationBonus: bonus,
  });
  // WBTC pays the smaller bonus, so the keeper would seize it first were its price trusted.
  const setup: RiskSetup = {
    assets: [asset(0, 0, 18, WAD / 20n), asset(1, 1, 8, WAD / 50n)],
    markets: [],
    scenarios: [
      { ...riskParams(), volFeed: null },
      { ...riskParams(), volFeed: null },
    ],
    pairOffsets: [],
  };
  const id = toAccountId('0x' + '34'.repeat(20));
  const both: Holdings = {
    cash: -20_000n * WAD,
    collateral: [
      { assetId: 0, amount: 10n * WAD },
      { assetId: 1, amount: 1n },
    ],
    positions: [],
  };
  const wethOnly: Holdings = { ...both, collateral: [both.collateral[0]!] };
  const state = (btc: PriceReading): MarketState => ({
    block: 7,
    timestamp: 1_700_000_000n,
    prices: new Map<number, PriceReading>([
      [0, { ok: true, price: 2300n * WAD }],
      [1, btc],
    ]),
    marks: new Map(),
  });
  const stale: PriceReading = { ok: false, error: 'StalePrice(1, 1700000000, 3600)' };

  it('counts for nothing: the figures are those without it, to the wei, and it names why', function () {
    const withDust = accountRisk(setup, id, both, state(stale));
    const without = accountRisk(setup, id, wethOnly, state(stale));
    expect(withDust.figures).to.deep.equal(without.figures);
    expect(withDust.health).to.equal(without.health);
    expect(withDust.priceErrors).to.deep.equal([]);
    expect(withDust.feeds, 'the figures do not depend on its feed').to.deep.equal([0]);
    expect(withDust.collateral[1]).to.include({ priceError: stale.error, valueUsd: 0n, maintenanceValueUsd: 0n });
    // Trusted, the same satoshi counts.
    const trusted = accountRisk(setup, id, both, state({ ok: true, price: 60_000n * WAD }));
    expect(trusted.figures!.maintenanceEquity > without.figures!.maintenanceEquity).to.equal(true);
  });

  it('is never chosen for a seizure, whose size needs its price', function () {
    const risk = accountRisk(setup, id, both, state(stale));
    expect(risk.health! < WAD).to.equal(true);
    expect(chooseCollateral(risk, 1)!.asset.assetId).to.equal(0);
    const trusted = accountRisk(setup, id, both, state({ ok: true, price: 60_000n * WAD }));
    expect(chooseCollateral(trusted, 1)!.asset.assetId, 'the lower bonus first when trusted').to.equal(1);
  });

  it("holds every figure when the refusal is the sequencer's, as the engine does", function () {
    const down = accountRisk(setup, id, both, state({ ok: false, error: 'SequencerDown()' }));
    expect(down.figures).to.equal(undefined);
    expect(down.priceErrors).to.deep.equal(['SequencerDown()']);
  });
});

/** docs/risk-model.md section 2.1, as RiskEngine._underlying applies it (UntrustedPriceFlows). */
describe("a position whose underlying's price cannot be trusted", function () {
  // 10 WETH (ETH, risk asset 0) and a long 5 BTC-PERP (risk asset 1) bought at $60,000.
  const setup: RiskSetup = {
    assets: [
      {
        assetId: 0,
        eid: 1,
        token: `0x${'0'.repeat(40)}`,
        decimals: 18,
        riskAsset: 0,
        initialHaircut: WAD / 5n,
        maintenanceHaircut: (WAD * 15n) / 100n,
        liquidationBonus: WAD / 20n,
      },
    ],
    markets: [{ marketId: 0, riskAsset: 1, kind: 'perp', strike: 0n, expiry: 0, settlementPrice: 0n }],
    scenarios: [
      { ...riskParams(), volFeed: null },
      { ...riskParams(), volFeed: null },
    ],
    pairOffsets: [],
  };
  const id = toAccountId('0x' + '56'.repeat(20));
  const holdings: Holdings = {
    cash: -300_000n * WAD,
    collateral: [{ assetId: 0, amount: 10n * WAD }],
    positions: [{ marketId: 0, size: 5n * WAD }],
  };
  const eth: PriceReading = { ok: true, price: 2300n * WAD };
  const state = (btc: PriceReading, recorded?: bigint): MarketState => ({
    block: 7,
    timestamp: 1_700_000_000n,
    prices: new Map<number, PriceReading>([
      [0, eth],
      [1, btc],
    ]),
    marks: new Map(),
    ...(recorded === undefined ? {} : { recorded: new Map([[1, recorded]]) }),
  });
  const below: PriceReading = {
    ok: false,
    error: 'PriceOutOfBounds(1, 500000000000000000, 1000000000000000000, 10000000000000000000000000)',
  };

  it('is valued at its recorded price over the extreme move: the figures of that price trusted with that scan range, to the wei', function () {
    const failing = accountRisk(setup, id, holdings, state(below, 58_000n * WAD));
    const widened: RiskSetup = {
      ...setup,
      scenarios: [setup.scenarios[0]!, { ...setup.scenarios[1]!, scanRange: extremeScan(setup.scenarios[1]!) }],
    };
    const trusted = accountRisk(widened, id, holdings, state({ ok: true, price: 58_000n * WAD }));
    expect(extremeScan(setup.scenarios[1]!)).to.equal((WAD * 30n) / 100n, '15% x 2');
    expect(failing.figures).to.deep.equal(trusted.figures);
    expect(failing.health).to.equal(trusted.health);
    expect(failing.priceErrors).to.deep.equal([]);
    expect(failing.feeds, 'the figures do not depend on the failing feed').to.deep.equal([0]);
    expect(extremeScan({ ...riskParams(), scanRange: (WAD * 3n) / 5n }), 'at most 100%').to.equal(WAD);
  });

  it("holds the figures with the feed's error when no price was recorded, or when the sequencer is down", function () {
    const unrecorded = accountRisk(setup, id, holdings, state(below));
    expect(unrecorded.figures).to.equal(undefined);
    expect(unrecorded.priceErrors).to.deep.equal([below.error]);
    const down = accountRisk(setup, id, holdings, state({ ok: false, error: 'SequencerDown()' }, 58_000n * WAD));
    expect(down.figures).to.equal(undefined);
    expect(down.priceErrors).to.deep.equal(['SequencerDown()']);
  });
});
