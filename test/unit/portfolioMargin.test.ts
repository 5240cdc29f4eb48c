import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { maintenanceMargin, portfolioMargin } from '@omnichain-collateral/sdk/risk/portfolioMargin';
import {
  generatePortfolioVectors,
  PORTFOLIO_VECTOR_FILES,
  randomPortfolios,
} from '../../sdk/vectors/portfolioVectors.js';
import { eth, perp, REQUIREMENT_CASES, W, weth } from './riskFixtures.js';

describe('sdk portfolio margin (bit-exact twin of PortfolioMargin.sol)', function () {
  this.timeout(60_000);

  it('computes the 2,000 shared portfolios exactly as committed (forge checks the hub against the same files)', function () {
    // Regenerating runs the TypeScript model on every portfolio; any difference from the
    // committed figures, which the Solidity library is checked against, fails here.
    const regenerated = generatePortfolioVectors();
    regenerated.forEach((text, i) =>
      expect(text === readFileSync(PORTFOLIO_VECTOR_FILES[i]!, 'utf8'), `file ${i} differs`).to.equal(true),
    );
  });

  it("gives the maintenance figures alone (the keeper's) equal to the full model's on 2,000 random portfolios", function () {
    let atRisk = 0;
    for (const v of randomPortfolios(2000, 7n)) {
      const full = portfolioMargin(v.cash, v.underlyings, v.collateral, v.positions, v.offsets);
      const m = maintenanceMargin(v.cash, v.underlyings, v.collateral, v.positions, v.offsets);
      expect(m).to.deep.equal({
        maintenanceEquity: full.maintenanceEquity,
        maintenanceRequirement: full.maintenanceRequirement,
        delta: full.delta,
        vega: full.vega,
      });
      if (m.maintenanceRequirement > 0n) atRisk++;
    }
    // Most have something at risk: the grid ran, not only the early return.
    expect(atRisk).to.be.greaterThan(1500);
  });

  it('lets ETH collateral hedge a short ETH perp', function () {
    const naked = portfolioMargin(50_000n * W, [eth()], [], [perp(-10n * W)]);
    const hedged = portfolioMargin(30_000n * W, [eth()], [weth(10n * W)], [perp(-10n * W)]);
    expect(naked.maintenanceRequirement).to.equal(4500n * W);
    expect(hedged.maintenanceRequirement).to.equal(90n * W);
    expect(hedged.delta[0]).to.equal(0n);
  });

  // The shared cases (test/unit/riskFixtures.ts), one test per rule; the screening test checks the float path against the
  // same table.
  for (const rule of new Set(REQUIREMENT_CASES.map((c) => c.rule))) {
    it(rule, function () {
      REQUIREMENT_CASES.forEach((c, i) => {
        if (c.rule !== rule) return;
        expect(
          portfolioMargin(c.cash, c.underlyings, c.collateral, c.positions, c.offsets).maintenanceRequirement,
          `case ${i}`,
        ).to.equal(BigInt(c.maintenanceUsd) * W);
      });
    });
  }

  it('widens the grid for initial margin', function () {
    const r = portfolioMargin(0n, [eth()], [], [perp(10n * W)]);
    expect(r.maintenanceRequirement).to.equal(4500n * W);
    expect(r.initialRequirement).to.equal(6750n * W);
  });
});
