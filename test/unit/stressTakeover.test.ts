import { expect } from 'chai';
import { health, type MarginFigures } from '@omnichain-collateral/sdk/risk/marginModel';
import type { BookAccount } from '@omnichain-collateral/sdk/risk/screening';
import { takeOver } from '../../stress/takeover.js';

const E18 = 10n ** 18n;
const abs = (x: bigint) => (x < 0n ? -x : x);

/** A perp (market 0, mark $100) and a put (market 1, mark $50), 10 of each, with `equity` (USD WAD). */
function hedgedAccount(equity: bigint) {
  const perp = { market: 0, size: 10n * E18 };
  const put = { market: 1, size: 10n * E18 };
  const account: BookAccount = { cash: equity - 1500n * E18, collateral: [], positions: [perp, put] };
  const open = [
    { p: perp, mark: 100n * E18 },
    { p: put, mark: 50n * E18 },
  ];
  return { account, perp, put, open };
}

/** A toy margin: equity at the marks; a requirement that `need(perp units, put units)` gives in USD. */
function margin(need: (perp: bigint, put: bigint) => bigint) {
  return (account: BookAccount): MarginFigures => {
    const [perp, put] = account.positions.map((p) => p.size) as [bigint, bigint];
    const equity = account.cash + perp * 100n + put * 50n;
    const requirement = need(perp, put) * E18;
    return {
      initialEquity: equity,
      maintenanceEquity: equity,
      initialRequirement: requirement,
      maintenanceRequirement: requirement,
    };
  };
}

/** Each leg hedges the other: their difference costs $30 a unit, the pair $1 a unit. */
const hedge = margin((perp, put) => (abs(perp - put) * 30n + perp + put) / E18);

describe('stress simulator: a position takeover as the hub makes it', function () {
  it('takes a hedge leg as the same fraction of every position, and caps the penalty where health stays', function () {
    // Equity $19.5 against $20: health 0.975, above fullCloseHealth (0.95), so half is taken.
    const { account, perp, put, open } = hedgedAccount((195n * E18) / 10n);
    const before = hedge(account);
    const h = health(before.maintenanceEquity, before.maintenanceRequirement);
    const cash = account.cash;

    const penalty = takeOver(account, open[0]!, open, before, h, hedge);

    expect(perp.size).to.equal(5n * E18, 'half the perp');
    expect(put.size).to.equal(5n * E18, 'and the same fraction of the put');
    // 2% of the $750 moved is $15; health may not fall below 0.975, so at most
    // 19.5 − 19.5 × 10 / 20 = $9.75.
    expect(penalty).to.equal((975n * E18) / 100n);
    expect(account.cash).to.equal(cash + 750n * E18 - penalty!);
    const after = hedge(account);
    expect(health(after.maintenanceEquity, after.maintenanceRequirement) >= h).to.equal(true);
  });

  it('takes a position that hedges nothing alone', function () {
    const { account, perp, put, open } = hedgedAccount(15n * E18);
    const gross = margin((p, q) => (2n * (p + q)) / E18); // $40: health 0.375, all of it
    const before = gross(account);
    const h = health(before.maintenanceEquity, before.maintenanceRequirement);

    expect(takeOver(account, open[0]!, open, before, h, gross)).to.not.equal(undefined);
    expect(perp.size).to.equal(0n);
    expect(put.size).to.equal(10n * E18, 'the put untouched');
  });

  it('refuses when the slice too lowers health (the positions hedged collateral), leaving the account as it was', function () {
    const { account, perp, put, open } = hedgedAccount(15n * E18);
    // 20 units of collateral hedged by the positions: taking them leaves it naked.
    const withCollateral = margin((p, q) => (abs(p - q) * 30n) / E18 + (abs(20n * E18 - p - q) * 10n) / E18 + 20n);
    const before = withCollateral(account);
    const h = health(before.maintenanceEquity, before.maintenanceRequirement);
    const cash = account.cash;

    expect(takeOver(account, open[0]!, open, before, h, withCollateral)).to.equal(undefined);
    expect([perp.size, put.size, account.cash]).to.deep.equal([10n * E18, 10n * E18, cash]);
  });
});
