import { expect } from 'chai';
import { OracleWatch } from '../../relayer/src/services/keeper/oracleWatch.js';
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
});
