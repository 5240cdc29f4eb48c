import { expect } from 'chai';
import { OracleWatch } from '../../relayer/src/services/keeper/oracleWatch.js';
import { LiquidationsInFlight } from '../../relayer/src/services/keeper/inFlight.js';
import { BlockSignal } from '../../relayer/src/services/blockSignal.js';
import { afterSeizingWhole } from '../../relayer/src/services/keeper/seizeWhole.js';
import { toAccountId } from '@omnichain-collateral/sdk/accountId';
import { accountRisk, type Holdings, type RiskSetup } from '@omnichain-collateral/sdk/risk/accountRisk';
import { mulDiv, WAD } from '@omnichain-collateral/sdk/risk/fixedPoint';
import { riskParams } from './riskFixtures.js';
import { chooseCollateral } from '../../relayer/src/services/keeper/seizeChoice.js';
import type { AccountRisk, AssetInfo } from '@omnichain-collateral/sdk/risk/accountRisk';

const ok = (price: bigint) => ({ ok: true as const, price });

describe('keeper pieces', function () {
  it('holds a price that jumps beyond the bound until it is confirmed, and never trusts a refused feed', function () {
    const watch = new OracleWatch({ maxJump: 0.25, confirmations: 2 });
    expect(watch.observe(1, ok(3000n), 10, 1_000).status).to.equal('ok');
    expect(watch.observe(1, ok(2400n), 11, 2_000).status).to.equal('ok'); // -20%: within the bound
    expect(watch.observe(1, ok(1200n), 12, 3_000)).to.deep.equal({ status: 'held', price: 1200n, seen: 1 }); // -50%
    expect(watch.observe(1, ok(2400n), 13, 4_000).status, 'the print reverted: back to the accepted price').to.equal(
      'ok',
    );
    expect(watch.observe(1, ok(1200n), 14, 5_000).status).to.equal('held');
    expect(watch.observe(1, ok(1190n), 15, 6_000).status, 'seen twice in a row: accepted').to.equal('ok');
    expect(watch.lastChange([1])).to.deep.equal({ at: 6_000, block: 15 });
    expect(watch.observe(1, { ok: false, error: 'StalePrice(1, 0, 3600)' }, 16, 7_000)).to.deep.equal({
      status: 'untrusted',
      error: 'StalePrice(1, 0, 3600)',
    });
  });

  it('seizes the lowest-bonus collateral first, then the hub chain, then the largest holding', function () {
    const asset = (assetId: number, eid: number, bonus: bigint): AssetInfo => ({
      assetId,
      eid,
      token: `0x${'0'.repeat(39)}${assetId}`,
      decimals: 18,
      riskAsset: 1,
      initialHaircut: 0n,
      maintenanceHaircut: 0n,
      liquidationBonus: bonus,
    });
    const line = (a: AssetInfo, valueUsd: bigint) => ({
      asset: a,
      amount: 1n,
      price: 1n,
      valueUsd,
      initialValueUsd: valueUsd,
      maintenanceValueUsd: valueUsd,
      concentrationAddOn: 0n,
    });
    const risk = (collateral: AccountRisk['collateral']): AccountRisk => ({
      accountId: '0x',
      owner: '0x',
      subAccount: 0,
      block: 1,
      cash: -1n,
      collateral,
      positions: [],
      priceErrors: [],
      feeds: [],
    });
    const hubWeth = asset(0, 1, 5n);
    const spokeWeth = asset(1, 2, 5n);
    const spokeCheap = asset(2, 3, 2n);
    expect(
      chooseCollateral(risk([line(hubWeth, 10n), line(spokeWeth, 100n), line(spokeCheap, 1n)]), 1)!.asset,
    ).to.equal(spokeCheap);
    expect(chooseCollateral(risk([line(spokeWeth, 100n), line(hubWeth, 10n)]), 1)!.asset).to.equal(hubWeth);
    expect(chooseCollateral(risk([line(asset(3, 2, 5n), 10n), line(spokeWeth, 100n)]), 1)!.asset).to.equal(spokeWeth);
    expect(chooseCollateral(risk([]), 1)).to.equal(undefined);
  });

  it("knows when a liquidation seizes all of an asset, and the holdings it leaves for the account's next one", function () {
    // WETH on two chains; a flat 5% bonus (minBonusShare 1), full close below health 0.95.
    const weth = (assetId: number, eid: number): AssetInfo => ({
      assetId,
      eid,
      token: `0x${'0'.repeat(39)}${assetId}`,
      decimals: 18,
      riskAsset: 0,
      initialHaircut: WAD / 10n,
      maintenanceHaircut: WAD / 20n,
      liquidationBonus: WAD / 20n,
    });
    const setup: RiskSetup = {
      assets: [weth(0, 1), weth(1, 2)],
      markets: [],
      scenarios: [{ ...riskParams(), volFeed: null }],
      pairOffsets: [],
    };
    const state = { block: 1, timestamp: 0n, prices: new Map([[0, ok(2000n * WAD)]]), marks: new Map() };
    const terms = {
      params: {
        closeFactor: WAD / 2n,
        fullCloseHealth: (WAD * 95n) / 100n,
        targetHealth: (WAD * 105n) / 100n,
        positionPenalty: 0n,
        insuranceShare: 0n,
        minBonusShare: WAD,
        fullBonusHealth: WAD / 2n,
      },
      maxRepayUsd: 10n ** 9n * WAD,
      stepUsd: 10n ** 12n, // USDC: 6 decimals
    };
    const id = toAccountId('0x' + '12'.repeat(20));
    // 0.1 WETH ($200) and 4 WETH ($8,000) against $6,800 of debt: deeply unhealthy.
    const holdings: Holdings = {
      cash: -6800n * WAD,
      collateral: [
        { assetId: 0, amount: WAD / 10n },
        { assetId: 1, amount: 4n * WAD },
      ],
      positions: [],
    };
    const risk = accountRisk(setup, id, holdings, state);
    expect(risk.health! < (WAD * 95n) / 100n).to.equal(true);

    // The small holding goes whole: the debt falls by what it is worth without the bonus, in whole steps.
    const after = afterSeizingWhole(risk, holdings, 0, terms)!;
    const worth = mulDiv(200n * WAD, WAD, WAD + WAD / 20n, true);
    const repay = ((worth - 1n) / terms.stepUsd + 1n) * terms.stepUsd;
    expect(after).to.deep.equal({ cash: holdings.cash + repay, collateral: [holdings.collateral[1]], positions: [] });
    expect(accountRisk(setup, id, after, state).health! < WAD, 'still unhealthy: the next asset follows').to.equal(
      true,
    );

    // The large one restores the account with part of it: nothing to plan after it in this pass.
    expect(afterSeizingWhole(risk, holdings, 1, terms)).to.equal(undefined);
    // No debt, or no such holding: nothing seized.
    const noDebt = { ...holdings, cash: 0n };
    expect(afterSeizingWhole(accountRisk(setup, id, noDebt, state), noDebt, 0, terms)).to.equal(undefined);
    expect(afterSeizingWhole(risk, holdings, 7, terms)).to.equal(undefined);
  });

  it("waits for the hub indexer's block, and gives up after its deadline", async function () {
    const signal = new BlockSignal();
    const at12 = signal.until(12, 5_000);
    const at13 = signal.until(13, 20);
    signal.reached(11);
    signal.reached(12);
    expect(await at12, 'reached').to.equal(true);
    expect(await at13, 'not reached by its deadline').to.equal(false);
    expect(await signal.until(10, 0), 'already reached').to.equal(true);
    signal.reached(9);
    expect(signal.block, 'never goes back').to.equal(12);
  });

  it('passes over an account whose liquidation the pass block or the book does not reflect: unmined, mined after the block, or after the book read it', function () {
    const inFlight = new LiquidationsInFlight();
    const bookReadAt = new Map([
      ['a', 470],
      ['b', 472],
    ]);
    const readAt = (account: string) => bookReadAt.get(account);
    inFlight.mined('a', 474);
    inFlight.mined('b', 472);
    inFlight.mined('a', 473); // an older receipt arriving late does not move it back
    expect(
      [...inFlight.notReflectedAt(473, ['c'], readAt)].sort(),
      'a pass at 473 does not see the 474 liquidation',
    ).to.deep.equal(['a', 'c']);
    expect(
      [...inFlight.notReflectedAt(474, [], readAt)],
      'at 474 the book still holds what a read at 470 gave',
    ).to.deep.equal(['a']);
    bookReadAt.set('a', 474);
    expect([...inFlight.notReflectedAt(474, [], readAt)], 'read after it: its holdings show it').to.deep.equal([]);
    expect(
      [...inFlight.notReflectedAt(473, [], readAt)],
      'forgotten once a pass and the book reached it',
    ).to.deep.equal([]);
  });
});
