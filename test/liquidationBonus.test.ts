import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { urgencyBonus } from '@omnichain-collateral/sdk/risk/liquidation';
import { BONUS_VECTOR_FILE, generateBonusVectors } from '../sdk/vectors/liquidationVectors.js';

const W = 10n ** 18n;

describe('sdk urgency-scaled liquidation bonus (bit-exact twin of MarginMath.urgencyBonus)', function () {
  it('regenerating the shared vectors reproduces the committed file byte for byte', function () {
    // forge's MarginMath test checks the Solidity rule against this file.
    expect(generateBonusVectors() + '\n').to.equal(readFileSync(BONUS_VECTOR_FILE, 'utf8'));
  });

  it('pays a fifth of a 5% bonus at health 1, all of it at 0.9 and below, linearly between', function () {
    const bonus = (h: bigint) => urgencyBonus(h, 5n * W / 100n, W / 5n, 9n * W / 10n);
    expect(bonus(W)).to.equal(W / 100n);
    expect(bonus(99n * W / 100n)).to.equal(14n * W / 1000n);
    expect(bonus(95n * W / 100n)).to.equal(3n * W / 100n);
    expect(bonus(9n * W / 10n)).to.equal(5n * W / 100n);
    expect(bonus(0n)).to.equal(5n * W / 100n);
    expect(urgencyBonus(97n * W / 100n, 5n * W / 100n, W, 9n * W / 10n), 'a share of 1 is flat').to.equal(5n * W / 100n);
  });
});
