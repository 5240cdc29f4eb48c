/**
 * Shared test vectors for OptionMath: seeded random inputs (spots from $1 to $1M, strikes from
 * 0.2x to 5x spot, volatility 5% to 300%, expiry from zero to three years, rates 0 to 20%, calls
 * and puts) with the figures the TypeScript model computes. The forge test
 * `OptionMathVectors.t.sol` asserts the Solidity library returns the same to the wei; the mocha
 * test asserts that regenerating gives the committed file byte for byte.
 *
 *   npx tsx sdk/vectors/optionMathVectors.ts   # rewrites contracts/test/vectors/option-math.hex
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AbiCoder } from 'ethers';
import { WAD } from '../src/risk/fixedPoint.js';
import { blackScholes, normCdf } from '../src/risk/optionMath.js';

export const VECTOR_FILE = fileURLToPath(new URL('../../contracts/test/vectors/option-math.hex', import.meta.url));
export const OPTION_VECTOR_COUNT = 1000;
export const CDF_VECTOR_COUNT = 400;

/** xorshift64*: small, seedable, and the same on every platform. */
export function rng(seed: bigint) {
  let s = seed & 0xffffffffffffffffn;
  return (bound: bigint): bigint => {
    s ^= s >> 12n;
    s ^= (s << 25n) & 0xffffffffffffffffn;
    s ^= s >> 27n;
    return ((s * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn) % bound;
  };
}

export function generateOptionVectors(): string {
  const next = rng(0x5eedn);
  const options: Array<[bigint, bigint, bigint, bigint, bigint, boolean, bigint, bigint, bigint]> = [];
  for (let i = 0; i < OPTION_VECTOR_COUNT; i++) {
    const spot = WAD + next(1_000_000n * WAD);
    const strike = (spot * (WAD / 5n + next((48n * WAD) / 10n))) / WAD;
    const vol = WAD / 20n + next((295n * WAD) / 100n);
    // A tenth of the cases at expiry, a tenth within a day, the rest up to three years.
    const pick = next(10n);
    const t = pick === 0n ? 0n : pick === 1n ? next(WAD / 365n) : next(3n * WAD);
    const rate = next(WAD / 5n);
    const isCall = next(2n) === 1n;
    const g = blackScholes(spot, strike, vol, t, rate, isCall);
    options.push([spot, strike, vol, t, rate, isCall, g.price, g.delta, g.vega]);
  }
  const cdf: Array<[bigint, bigint]> = [];
  for (let i = 0; i < CDF_VECTOR_COUNT; i++) {
    const x = next(24n * WAD) - 12n * WAD;
    cdf.push([x, normCdf(x)]);
  }
  return AbiCoder.defaultAbiCoder().encode(
    [
      'tuple(int256 spot,int256 strike,int256 vol,int256 timeYears,int256 rate,bool isCall,int256 price,int256 delta,int256 vega)[]',
      'tuple(int256 x,int256 n)[]',
    ],
    [options, cdf],
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(VECTOR_FILE, generateOptionVectors() + '\n');
  process.stdout.write(
    `wrote ${OPTION_VECTOR_COUNT} option and ${CDF_VECTOR_COUNT} normal-CDF vectors to ${VECTOR_FILE}\n`,
  );
}
