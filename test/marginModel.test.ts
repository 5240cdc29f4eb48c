import { expect } from 'chai';
import { health, marginFigures, MAX_HEALTH, mulDiv, signedValueDown, formatWad, WAD } from '../sdk/src/risk/marginModel.js';

const e18 = (n: number | bigint) => BigInt(n) * WAD;

describe('sdk margin model (same formulas and rounding as MarginMath.sol)', function () {
  it('values haircut collateral across chains as one risk asset', function () {
    // 3 WETH at $3000 with 20% / 15% haircuts: the figures FlowsTest asserts on-chain.
    const weth = { decimals: 18, price: e18(3000), initialHaircut: 2n * 10n ** 17n, maintenanceHaircut: 15n * 10n ** 16n };
    const f = marginFigures(0n, [{ ...weth, amount: e18(1) }, { ...weth, amount: e18(2) }], []);
    expect(f.maintenanceEquity).to.equal(e18(7650));
    expect(f.initialEquity).to.equal(e18(7200));
    expect(health(f.maintenanceEquity, f.maintenanceRequirement)).to.equal(MAX_HEALTH);
  });

  it('books a perp as size plus cash and charges margin on notional, rounding up', function () {
    const f = marginFigures(-e18(60_000), [], [{ size: e18(20), price: e18(2000), initialFactor: 10n ** 17n, maintenanceFactor: 5n * 10n ** 16n }]);
    expect(f.maintenanceEquity).to.equal(-e18(20_000));
    expect(f.maintenanceRequirement).to.equal(e18(2000));
    expect(health(f.maintenanceEquity, f.maintenanceRequirement)).to.equal(0n);
  });

  it('rounds against the account where the contract does', function () {
    expect(signedValueDown(-1n, 1n)).to.equal(-1n); // -1e-18 rounds down to -1 wei, not 0
    expect(signedValueDown(1n, 1n)).to.equal(0n);
    expect(mulDiv(10n, 1n, 3n, true)).to.equal(4n);
    expect(health(e18(1), e18(3))).to.equal(333333333333333333n);
    expect(formatWad(-e18(3) / 2n)).to.equal('-1.5');
  });
});
