import { expect } from 'chai';
import { health, MAX_HEALTH, mulDiv, formatWad, WAD } from '@omnichain-collateral/sdk/risk/marginModel';

const e18 = (n: number | bigint) => BigInt(n) * WAD;

describe('sdk margin model (health and rounding as MarginMath.sol)', function () {
  it('calls an account with nothing required and no negative equity infinitely healthy', function () {
    expect(health(e18(7650), 0n)).to.equal(MAX_HEALTH);
    expect(health(0n, 0n)).to.equal(MAX_HEALTH);
    expect(health(-1n, e18(1))).to.equal(0n);
    expect(health(e18(3), e18(2))).to.equal(e18(3) / 2n);
  });

  it('rounds against the account where the contract does', function () {
    expect(mulDiv(10n, 1n, 3n, true)).to.equal(4n);
    expect(health(e18(1), e18(3))).to.equal(333333333333333333n);
    expect(formatWad(-e18(3) / 2n)).to.equal('-1.5');
  });
});
