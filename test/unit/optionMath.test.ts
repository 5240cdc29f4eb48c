import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { blackScholes, normCdf } from '@omnichain-collateral/sdk/risk/optionMath';
import { expWad, lnWad, sqrtWad, FixedPointError } from '@omnichain-collateral/sdk/risk/fixedPoint';
import { generateOptionVectors, VECTOR_FILE } from '../../sdk/vectors/optionMathVectors.js';

const W = 10n ** 18n;
const near = (x: bigint, target: number, tol: number) =>
  expect(Math.abs(Number(x) / 1e18 - target)).to.be.lessThan(tol);

describe('sdk option maths (bit-exact twin of OptionMath.sol)', function () {
  it('regenerating the shared vectors reproduces the committed file byte for byte', function () {
    // forge's OptionMathVectors test checks the contracts against this file; if the TypeScript
    // model changes, this fails until the file is regenerated and the contracts agree again.
    expect(generateOptionVectors() + '\n').to.equal(readFileSync(VECTOR_FILE, 'utf8'));
  });

  it('matches textbook values (Hull 15.6) and put-call parity', function () {
    const c = blackScholes(42n * W, 40n * W, W / 5n, W / 2n, W / 10n, true);
    const p = blackScholes(42n * W, 40n * W, W / 5n, W / 2n, W / 10n, false);
    near(c.price, 4.7594, 1e-4);
    near(p.price, 0.8086, 1e-4);
    near(c.delta, 0.7791, 1e-4);
    near(c.price - p.price, 42 - 40 * Math.exp(-0.05), 1e-6);
    near(normCdf((196n * W) / 100n), 0.9750021, 1e-7);
  });

  it('solady-compatible exp, ln and sqrt', function () {
    near(expWad(W), Math.E, 1e-15);
    near(lnWad(2n * W), Math.LN2, 1e-15);
    expect(sqrtWad(4n * W)).to.equal(2n * W);
    expect(expWad(-42n * W)).to.equal(0n);
    expect(() => lnWad(0n)).to.throw(FixedPointError, 'LnWadUndefined');
    expect(() => expWad(136n * W)).to.throw(FixedPointError, 'ExpOverflow');
  });

  it('prices an expired option at intrinsic value', function () {
    expect(blackScholes(3000n * W, 2500n * W, W, 0n, 0n, true)).to.deep.equal({ price: 500n * W, delta: W, vega: 0n });
    expect(blackScholes(3000n * W, 2500n * W, W, 0n, 0n, false)).to.deep.equal({ price: 0n, delta: 0n, vega: 0n });
  });
});
