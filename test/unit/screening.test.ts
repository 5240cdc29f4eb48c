import { expect } from 'chai';
import { generateBook } from '../../bench/book.js';
import { ExactBook, MemoizedMargin, toPortfolio } from '@omnichain-collateral/sdk/risk/exactBook';
import { blackScholes, normCdf } from '@omnichain-collateral/sdk/risk/optionMath';
import {
  CALL,
  portfolioMargin,
  type PortfolioResult,
  type Underlying,
} from '@omnichain-collateral/sdk/risk/portfolioMargin';
import {
  allocateScreenOutput,
  blackScholesFloat,
  buildRiskArrays,
  NORM_CDF_JUMP_AT_ZERO,
  normCdfFloat,
  packAccounts,
  SCREEN_CANDIDATE,
  SCREEN_OFFSET_UNCERTAIN,
  screenAccount,
  screenBook,
  screeningErrorBound,
  screenPortfolio,
  SCREENING_ERROR_BOUND,
  updateRiskArrays,
  type ScreenResult,
} from '@omnichain-collateral/sdk/risk/screening';
import { randomPortfolios } from '../../sdk/vectors/portfolioVectors.js';
import { PCT, REQUIREMENT_CASES, riskParams, W } from './riskFixtures.js';

const usd = (wad: bigint): number => Number(wad) / 1e18;

/** Largest |float − exact| / grossExposure seen, per figure, across every test that compares. */
const worstRelative = { equity: 0, requirement: 0 };

/**
 * Asserts the documented bound for one account and returns whether the exact path calls it
 * liquidatable. Requirements are held to the bound unless a pair credit was uncertain, in
 * which case the ceiling must not fall below exact − bound.
 */
function checkAgainstExact(label: string, f: ScreenResult, x: PortfolioResult, record = true): boolean {
  const bound = screeningErrorBound(f.grossExposure);
  const within = (name: string, float: number, exact: bigint, kind: 'equity' | 'requirement') => {
    const err = Math.abs(float - usd(exact));
    if (record) worstRelative[kind] = Math.max(worstRelative[kind], err / f.grossExposure);
    expect(err, `${label} ${name}: float ${float} exact ${usd(exact)} bound ${bound}`).to.be.at.most(bound);
  };
  within('equityM', f.equityM, x.maintenanceEquity, 'equity');
  within('equityI', f.equityI, x.initialEquity, 'equity');
  if (!f.offsetUncertain) {
    within('requirementM', f.requirementM, x.maintenanceRequirement, 'requirement');
    within('requirementI', f.requirementI, x.initialRequirement, 'requirement');
  }
  expect(f.requirementMCeiling, `${label} ceiling`).to.be.at.least(usd(x.maintenanceRequirement) - bound);
  const liquidatable = x.maintenanceEquity < x.maintenanceRequirement;
  // (b) The screening path never calls healthy what the exact path calls liquidatable.
  if (liquidatable) expect(f.candidate, `${label} is liquidatable but screened healthy`).to.equal(true);
  return liquidatable;
}

describe('sdk risk screening (float risk arrays) and exact book', function () {
  this.timeout(30_000);

  after(function () {
    // The measured figure the bound's doc comment quotes (rounding only; the d1-straddle case is
    // checked on its own); printed so a reader can re-check it.
    console.log(
      `      max |float - exact| / gross exposure: equity ${worstRelative.equity.toExponential(2)}, requirement ${worstRelative.requirement.toExponential(2)} (bound ${SCREENING_ERROR_BOUND.relative})`,
    );
  });

  it('follows optionMath: N(x) to 1e-15 away from 0, and the A&S branch at 0 jumps by 1.04e-9', function () {
    for (let i = -900; i <= 900; i++) {
      const x = i / 100 + 0.003;
      expect(Math.abs(normCdfFloat(x) - usd(normCdf(BigInt(Math.round(x * 1e6)) * 10n ** 12n)))).to.be.below(1e-15);
    }
    expect(NORM_CDF_JUMP_AT_ZERO).to.be.closeTo(1.04e-9, 0.01e-9);
    expect(normCdfFloat(0)).to.equal(usd(normCdf(0n)));
  });

  it('stays within the documented bound on 2,000 random portfolios, flags every liquidatable one, and the memoized exact path equals portfolioMargin', function () {
    const memo = new MemoizedMargin();
    let liquidatable = 0;
    let uncertain = 0;
    randomPortfolios(2000, 0xbeefn).forEach((v, i) => {
      const exact = portfolioMargin(v.cash, v.underlyings, v.collateral, v.positions, v.offsets);
      // (c) Bit-identical, delta and vega included.
      expect(
        memo.portfolioMargin(v.cash, v.underlyings, v.collateral, v.positions, v.offsets),
        `portfolio ${i}`,
      ).to.deep.equal(exact);
      const f = screenPortfolio(v.cash, v.underlyings, v.collateral, v.positions, v.offsets);
      if (checkAgainstExact(`portfolio ${i}`, f, exact)) liquidatable++;
      if (f.offsetUncertain) uncertain++;
    });
    // The comparisons above must have covered both outcomes, and uncertainty must stay rare.
    expect(liquidatable).to.be.within(200, 1800);
    expect(uncertain).to.be.below(60);
  });

  it('screens a 2,000-account book like the exact book, candidates only near the boundary', function () {
    const book = generateBook(2000, 7);
    const risk = buildRiskArrays(book.spec, book.underlyings);
    const accounts = packAccounts(book.spec, book.accounts);
    const out = allocateScreenOutput(accounts.count);
    const candidates = screenBook(risk, accounts, out);
    const exactBook = new ExactBook(book.spec, book.underlyings);
    let liquidatable = 0;
    let nearBoundary = 0;
    book.accounts.forEach((account, i) => {
      const x = exactBook.evaluate(account);
      const f = screenAccount(risk, accounts, i);
      expect(out.flags[i]! & SCREEN_CANDIDATE, `account ${i} flags`).to.equal(f.candidate ? SCREEN_CANDIDATE : 0);
      expect(out.requirementM[i]).to.equal(f.requirementM);
      if (checkAgainstExact(`account ${i}`, f, x)) liquidatable++;
      const margin = usd(x.maintenanceEquity - x.maintenanceRequirement);
      const bound = screeningErrorBound(f.grossExposure);
      if (Math.abs(margin) < 0.001 * usd(x.maintenanceRequirement)) nearBoundary++;
      // A healthy account is flagged only within the error margin or when a credit was uncertain.
      if (f.candidate && margin >= 0)
        expect(
          margin < 4 * bound || (out.flags[i]! & SCREEN_OFFSET_UNCERTAIN) !== 0,
          `account ${i} flagged at margin ${margin}`,
        ).to.equal(true);
    });
    expect(liquidatable).to.be.within(150, 350);
    expect(candidates)
      .to.be.at.least(liquidatable)
      .and.at.most(liquidatable + 10);
    expect(nearBoundary, 'the book should put accounts within 0.1% of the boundary').to.be.at.least(5);
    // (c) on book accounts: a sample against the plain model.
    for (const i of [0, 1, 2, 3, 500, 999, 1500, 1999]) {
      const p = toPortfolio(book.spec, book.accounts[i]!);
      expect(exactBook.evaluate(book.accounts[i]!)).to.deep.equal(
        portfolioMargin(p.cash, book.underlyings, p.collateral, p.positions, book.spec.offsets),
      );
    }
    expect(exactBook.memoSize).to.be.below(62 * 40);
  });

  it("screens a book whose collateral carries concentration add-ons like the exact book, which raises each holding's haircuts as the engine does", function () {
    const plain = generateBook(1000, 21);
    // Depths from $20k to $2M: the book's holdings (a few $100 to about $1M) get add-ons from nothing to the cap.
    const spec = {
      ...plain.spec,
      collateralAssets: plain.spec.collateralAssets.map((a, i) => ({
        ...a,
        concentration: {
          depthUsd: 20_000n * 10n ** BigInt(i % 3) * W,
          impact: (10n + 15n * BigInt(i)) * PCT,
          cap: 40n * PCT,
        },
      })),
    };
    const exactBook = new ExactBook(spec, plain.underlyings);
    const risk = buildRiskArrays(spec, plain.underlyings);
    const accounts = packAccounts(spec, plain.accounts);
    const before = new ExactBook(plain.spec, plain.underlyings);
    let lower = 0;
    let liquidatable = 0;
    plain.accounts.forEach((account, i) => {
      const x = exactBook.evaluate(account);
      if (checkAgainstExact(`concentrated account ${i}`, screenAccount(risk, accounts, i), x)) liquidatable++;
      const without = before.evaluate(account).maintenanceEquity;
      expect(x.maintenanceEquity <= without, `account ${i}: an add-on only lowers equity`).to.equal(true);
      if (x.maintenanceEquity < without) lower++;
    });
    expect(lower, 'accounts whose holdings drew an add-on').to.be.above(900);
    expect(liquidatable, "the add-on makes more accounts liquidatable than the plain book's fifth").to.be.above(250);
    // And the exact book is portfolioMargin on the raised haircuts.
    const p = toPortfolio(spec, plain.accounts[7]!, plain.underlyings);
    expect(
      p.collateral.some(
        (c, k) =>
          c.maintenanceHaircut > spec.collateralAssets[plain.accounts[7]!.collateral[k]!.asset]!.maintenanceHaircut,
      ),
    ).to.equal(true);
    expect(exactBook.evaluate(plain.accounts[7]!)).to.deep.equal(
      portfolioMargin(p.cash, plain.underlyings, p.collateral, p.positions, spec.offsets),
    );
    expect(() => toPortfolio(spec, plain.accounts[7]!), 'no spots, no add-on').to.throw(/spot is needed/);
  });

  it('flags accounts one wei short of their requirement, where rounding alone decides the float comparison', function () {
    const book = generateBook(500, 13);
    const exactBook = new ExactBook(book.spec, book.underlyings);
    // Requirements do not depend on cash once positions are open, so this cash leaves each
    // account exactly one wei liquidatable.
    const edge = book.accounts.map((a) => {
      const x = exactBook.evaluate(a);
      return { ...a, cash: a.cash + x.maintenanceRequirement - x.maintenanceEquity - 1n };
    });
    const risk = buildRiskArrays(book.spec, book.underlyings);
    const accounts = packAccounts(book.spec, edge);
    let floatSaysHealthy = 0;
    edge.forEach((a, i) => {
      const x = exactBook.evaluate(a);
      expect(x.maintenanceRequirement - x.maintenanceEquity).to.equal(1n);
      const f = screenAccount(risk, accounts, i);
      expect(checkAgainstExact(`edge ${i}`, f, x)).to.equal(true);
      if (f.equityM >= f.requirementM) floatSaysHealthy++;
    });
    // Without the bound, a plain float comparison would have passed some of these as healthy.
    expect(floatSaysHealthy).to.be.above(10);
  });

  it('revalues in place on a price update (shared buffers), and the exact book follows the new prices', function () {
    const book = generateBook(300, 11);
    const risk = buildRiskArrays(book.spec, book.underlyings, { shared: true });
    const accounts = packAccounts(book.spec, book.accounts, { shared: true });
    expect(risk.values.buffer).to.be.instanceOf(SharedArrayBuffer);
    const crashed: Underlying[] = book.underlyings.map((u, k) =>
      k === 2 ? u : { ...u, spot: (u.spot * 85n) / 100n, vol: (u.vol * 130n) / 100n },
    );
    updateRiskArrays(risk, book.spec, crashed);
    const exactBook = new ExactBook(book.spec, book.underlyings);
    exactBook.setPrices(crashed);
    let moreLiquidatable = 0;
    book.accounts.forEach((account, i) => {
      const x = exactBook.evaluate(account);
      const p = toPortfolio(book.spec, account);
      if (i % 50 === 0)
        expect(x).to.deep.equal(portfolioMargin(p.cash, crashed, p.collateral, p.positions, book.spec.offsets));
      if (checkAgainstExact(`crashed ${i}`, screenAccount(risk, accounts, i), x)) moreLiquidatable++;
    });
    expect(moreLiquidatable).to.be.above(30);
  });

  it('keeps the requirement rules: none with no positions and no debt, the short-option minimum, pair credits only for opposite deltas', function () {
    // The shared cases (test/unit/riskFixtures.ts), whose exact figures portfolioMargin.test.ts asserts.
    REQUIREMENT_CASES.forEach(
      ({ cash, underlyings: u, collateral: c, positions: p, offsets: o, maintenanceUsd }, i) => {
        const f = screenPortfolio(cash, u, c, p, o);
        expect(f.requirementM, `case ${i}`).to.be.closeTo(maintenanceUsd, 1e-9);
        checkAgainstExact(`case ${i}`, f, portfolioMargin(cash, u, c, p, o));
      },
    );
  });

  it('never flags an account that owes nothing and holds no position (an empty account, or collateral only), which the float margin alone would', function () {
    const u: Underlying = { spot: 3000n * W, vol: 80n * PCT, params: riskParams() };
    const weth = { underlying: 0, amount: W, decimals: 18, initialHaircut: 20n * PCT, maintenanceHaircut: 15n * PCT };
    for (const [label, cash, collateral] of [
      ['empty', 0n, []],
      ['collateral only', 0n, [weth]],
      ['cash only', 5n * W, []],
    ] as const) {
      const f = screenPortfolio(cash, [u], [...collateral], []);
      expect(f.candidate, label).to.equal(false);
      expect(portfolioMargin(cash, [u], [...collateral], []).maintenanceRequirement, label).to.equal(0n);
    }
    // With a debt the same empty-looking account is checked exactly.
    expect(screenPortfolio(-1n, [u], [], []).candidate).to.equal(true);
  });

  it('covers the one non-rounding difference: exact and float d1 on opposite sides of zero', function () {
    // Near expiry at the forward, d1 crosses zero between two float strikes; scan strikes a wei
    // grid apart until the two paths take different A&S branches.
    const spot = 3000n * W;
    const vol = 50n * PCT;
    const timeYears = 10n ** 8n; // 1e-10 years: σ√t = 5e-6
    const forward = spot + (spot * 125n) / 10n ** 13n; // spot × (1 + σ²t/2)
    let worst = { diff: 0, strike: 0n };
    for (let j = -4000n; j <= 4000n; j++) {
      const strike = forward + j * 1000n;
      const exact = usd(blackScholes(spot, strike, vol, timeYears, 0n, true).price);
      const diff = Math.abs(blackScholesFloat(3000, usd(strike), 0.5, 1e-10, true).price - exact);
      if (diff > worst.diff) worst = { diff, strike };
    }
    expect(worst.diff / 3000).to.be.closeTo(NORM_CDF_JUMP_AT_ZERO, 0.1e-9);
    const u: Underlying = { spot, vol, params: riskParams() };
    const positions = [{ underlying: 0, kind: CALL, size: -W, strike: worst.strike, timeYears }];
    const f = screenPortfolio(-W, [u], [], positions);
    const x = portfolioMargin(-W, [u], [], positions);
    const err = Math.abs(f.equityM - usd(x.maintenanceEquity));
    expect(err / f.grossExposure, 'the jump dwarfs rounding').to.be.above(1e-10);
    expect(err / f.grossExposure, 'and fits the bound').to.be.below(SCREENING_ERROR_BOUND.relative / 10);
    checkAgainstExact('straddling option', f, x, false);
  });
});
