import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { CALL, PERP, portfolioMargin, type Collateral, type Position, type Underlying } from '../sdk/src/risk/portfolioMargin.js';
import { generatePortfolioVectors, PORTFOLIO_VECTOR_FILES } from '../sdk/vectors/portfolioVectors.js';

const W = 10n ** 18n;
const PCT = W / 100n;
const eth = (): Underlying => ({
  spot: 3000n * W,
  vol: 80n * PCT,
  params: { scanRange: 15n * PCT, volShift: 25n * PCT, extremeMultiple: 2n * W, extremeCover: 35n * PCT, initialMultiple: 150n * PCT, shortOptionMinimum: 2n * PCT },
});
const weth = (amount: bigint): Collateral => ({ underlying: 0, amount, decimals: 18, initialHaircut: 5n * PCT, maintenanceHaircut: 2n * PCT });
const perp = (size: bigint, underlying = 0): Position => ({ underlying, kind: PERP, size, strike: 0n, timeYears: 0n });

describe('sdk portfolio margin (bit-exact twin of PortfolioMargin.sol)', function () {
  this.timeout(60_000);

  it('computes the 2,000 shared portfolios exactly as committed (forge checks the hub against the same files)', function () {
    // Regenerating runs the TypeScript model on every portfolio; any difference from the
    // committed figures, which the Solidity library is checked against, fails here.
    const regenerated = generatePortfolioVectors();
    regenerated.forEach((text, i) => expect(text === readFileSync(PORTFOLIO_VECTOR_FILES[i]!, 'utf8'), `file ${i} differs`).to.equal(true));
  });

  it('lets ETH collateral hedge a short ETH perp', function () {
    const naked = portfolioMargin(50_000n * W, [eth()], [], [perp(-10n * W)]);
    const hedged = portfolioMargin(30_000n * W, [eth()], [weth(10n * W)], [perp(-10n * W)]);
    expect(naked.maintenanceRequirement).to.equal(4500n * W);
    expect(hedged.maintenanceRequirement).to.equal(90n * W);
    expect(hedged.delta[0]).to.equal(0n);
  });

  it('requires nothing of an account with no positions and no debt, and prices collateral risk once it borrows', function () {
    expect(portfolioMargin(0n, [eth()], [weth(10n * W)], []).maintenanceRequirement).to.equal(0n);
    expect(portfolioMargin(-W, [eth()], [weth(10n * W)], []).maintenanceRequirement).to.equal(4410n * W);
  });

  it('charges a far out-of-the-money short call at least the short-option minimum', function () {
    const r = portfolioMargin(10_000n * W, [eth()], [], [{ underlying: 0, kind: CALL, size: -W, strike: 30_000n * W, timeYears: 2n * PCT }]);
    expect(r.maintenanceRequirement).to.equal(60n * W);
  });

  it('credits a correlated pair only when the exposures point opposite ways', function () {
    const btc = { ...eth(), spot: 60_000n * W };
    const offsets = [{ a: 0, b: 1, credit: 50n * PCT }];
    expect(portfolioMargin(0n, [eth(), btc], [], [perp(20n * W), perp(-W, 1)], offsets).maintenanceRequirement).to.equal(13_500n * W);
    expect(portfolioMargin(0n, [eth(), btc], [], [perp(20n * W), perp(W, 1)], offsets).maintenanceRequirement).to.equal(18_000n * W);
  });

  it('widens the grid for initial margin', function () {
    const r = portfolioMargin(0n, [eth()], [], [perp(10n * W)]);
    expect(r.maintenanceRequirement).to.equal(4500n * W);
    expect(r.initialRequirement).to.equal(6750n * W);
  });
});
