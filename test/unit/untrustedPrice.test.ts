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
