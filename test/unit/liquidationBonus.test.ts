import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { liquidationAmounts, urgencyBonus, type SizingInputs } from '@omnichain-collateral/sdk/risk/liquidation';
import {
  BONUS_VECTOR_FILE,
  generateBonusVectors,
  generateSizingVectors,
  SIZING_VECTOR_FILE,
} from '../../sdk/vectors/liquidationVectors.js';

const W = 10n ** 18n;

describe('sdk liquidation sizing and urgency-scaled bonus (bit-exact twins of LiquidationSizer and MarginMath.urgencyBonus)', function () {
  it('regenerating the shared vectors reproduces the committed file byte for byte', function () {
    // forge's MarginMath test checks the Solidity rule against this file.
    expect(generateBonusVectors() + '\n').to.equal(readFileSync(BONUS_VECTOR_FILE, 'utf8'));
    // and LiquidationSizer's test against this one.
    expect(generateSizingVectors() + '\n').to.equal(readFileSync(SIZING_VECTOR_FILE, 'utf8'));
  });

  it('pays a fifth of a 5% bonus at health 1, all of it at 0.9 and below, linearly between', function () {
    const bonus = (h: bigint) => urgencyBonus(h, (5n * W) / 100n, W / 5n, (9n * W) / 10n);
    expect(bonus(W)).to.equal(W / 100n);
    expect(bonus((99n * W) / 100n)).to.equal((14n * W) / 1000n);
    expect(bonus((95n * W) / 100n)).to.equal((3n * W) / 100n);
    expect(bonus((9n * W) / 10n)).to.equal((5n * W) / 100n);
    expect(bonus(0n)).to.equal((5n * W) / 100n);
    expect(urgencyBonus((97n * W) / 100n, (5n * W) / 100n, W, (9n * W) / 10n), 'a share of 1 is flat').to.equal(
      (5n * W) / 100n,
    );
  });

  it('sizes a liquidation as the hub: a mild one pays a fifth of the bonus and restores the target, a deep one the whole bonus', function () {
    const account = (equity: bigint): SizingInputs => ({
      equity,
      requirement: 10_000n * W,
      debt: 50_000n * W,
      held: 100n * W,
      maxRepay: 2n ** 255n,
      step: 10n ** 12n,
      price: 2000n * W,
      decimals: 18,
      maintenanceHaircut: (15n * W) / 100n,
      maxBonus: (5n * W) / 100n,
      params: {
        closeFactor: W / 2n,
        fullCloseHealth: (95n * W) / 100n,
        targetHealth: (105n * W) / 100n,
        positionPenalty: (2n * W) / 100n,
        insuranceShare: W / 2n,
        minBonusShare: W / 5n,
        fullBonusHealth: (9n * W) / 10n,
      },
    });
    const mild = liquidationAmounts(account(9_900n * W));
    expect(mild.bonus).to.equal((14n * W) / 1000n);
    // Each dollar repaid lifts equity by 1 - 1.014 × 0.85: the repayment closes the gap to 1.05 × the requirement.
    const keep = ((W + mild.bonus) * (W - (15n * W) / 100n)) / W;
    expect(9_900n * W + (mild.repay * (W - keep)) / W >= 10_500n * W, 'the target restored').to.equal(true);
    expect(
      9_900n * W + ((mild.repay - 10n ** 12n) * (W - keep)) / W < 10_500n * W,
      'not a step more than needed',
    ).to.equal(true);
    const deep = liquidationAmounts(account(8_000n * W));
    expect(deep.bonus).to.equal((5n * W) / 100n);
    expect(deep.seized).to.equal((((deep.repay * (W + deep.bonus)) / W) * W) / (2000n * W));
    expect(deep.repay > mild.repay, 'below the full-close health: up to all of the debt, as needed').to.equal(true);
  });
});
