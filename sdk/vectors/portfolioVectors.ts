/**
 * Shared test vectors for the portfolio margin model: seeded random portfolios (one to three
 * underlyings at prices from $0.01 to $10M with volatility from none to 300%; collateral of
 * several tokens and decimals per underlying, as on several chains; perps, calls and puts near
 * and far from the money, from expired to two years; correlated-pair credits) with the figures
 * the TypeScript model computes. `PortfolioMarginVectors.t.sol` asserts the Solidity library
 * returns the same to the wei; the mocha test asserts that regenerating gives the committed file
 * byte for byte.
 *
 *   npx tsx sdk/vectors/portfolioVectors.ts   # rewrites contracts/test/vectors/portfolio-margin.hex
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AbiCoder } from 'ethers';
import { WAD } from '../src/risk/fixedPoint.js';
import {
  CALL,
  PERP,
  PUT,
  portfolioMargin,
  type Collateral,
  type PairOffset,
  type PortfolioResult,
  type Position,
  type Underlying,
} from '../src/risk/portfolioMargin.js';
import { rng } from './optionMathVectors.js';

/** Four files of 500, so forge checks them in parallel and each fits comfortably in EVM memory. */
export const PORTFOLIO_VECTOR_FILES = [0, 1, 2, 3].map((i) =>
  fileURLToPath(new URL(`../../contracts/test/vectors/portfolio-margin-${i}.hex`, import.meta.url)),
);
export const PORTFOLIO_VECTOR_COUNT = 2000;
const PCT = WAD / 100n;

export interface PortfolioVector {
  cash: bigint;
  underlyings: Underlying[];
  collateral: Collateral[];
  positions: Position[];
  offsets: PairOffset[];
  result: PortfolioResult;
}

/** The ABI shape the forge test decodes; field order is the Solidity structs'. */
export const PORTFOLIO_VECTOR_ABI =
  'tuple(int256 cash,tuple(int256 spot,int256 vol,tuple(int256 scanRange,int256 volShift,int256 extremeMultiple,int256 extremeCover,int256 initialMultiple,int256 shortOptionMinimum) params)[] underlyings,' +
  'tuple(uint256 underlying,int256 amount,uint8 decimals,int256 initialHaircut,int256 maintenanceHaircut)[] collateral,' +
  'tuple(uint256 underlying,uint8 kind,int256 size,int256 strike,int256 timeYears)[] positions,' +
  'tuple(uint256 a,uint256 b,int256 credit)[] offsets,' +
  'tuple(int256 initialEquity,int256 maintenanceEquity,int256 initialRequirement,int256 maintenanceRequirement,int256[] delta,int256[] vega) result)[]';

export function randomPortfolios(count: number, seed: bigint): Omit<PortfolioVector, 'result'>[] {
  const next = rng(seed);
  const pow10 = (e: number) => (e >= 0 ? WAD * 10n ** BigInt(e) : WAD / 10n ** BigInt(-e));
  const out: Omit<PortfolioVector, 'result'>[] = [];
  for (let n = 0; n < count; n++) {
    const underlyings: Underlying[] = [];
    const nU = 1 + Number(next(3n));
    for (let k = 0; k < nU; k++) {
      // Log-uniform spot from $0.01 to $10M; a tenth without a volatility oracle.
      const base = pow10(Number(next(9n)) - 2);
      underlyings.push({
        spot: base + next(9n * base),
        vol: next(10n) === 0n ? 0n : 5n * PCT + next(295n * PCT),
        params: {
          scanRange: 5n * PCT + next(35n * PCT),
          volShift: 10n * PCT + next(40n * PCT),
          extremeMultiple: 2n * WAD + next(WAD),
          extremeCover: 20n * PCT + next(30n * PCT),
          initialMultiple: WAD + next(WAD),
          shortOptionMinimum: next(10n * PCT),
        },
      });
    }
    const collateral: Collateral[] = [];
    for (let i = Number(next(5n)); i > 0; i--) {
      const decimals = [6, 8, 18][Number(next(3n))]!;
      const maintenanceHaircut = next(30n * PCT);
      collateral.push({
        underlying: Number(next(BigInt(nU))),
        amount: next(10n ** BigInt(decimals) * 10n ** next(7n)),
        decimals,
        initialHaircut: maintenanceHaircut + next(20n * PCT),
        maintenanceHaircut,
      });
    }
    const positions: Position[] = [];
    const nP = next(20n) === 0n ? 10 + Number(next(11n)) : Number(next(8n));
    for (let i = 0; i < nP; i++) {
      const underlying = Number(next(BigInt(nU)));
      const spot = underlyings[underlying]!.spot;
      const kind = Number(next(3n));
      const size = (1n + next(100n * WAD)) * (next(2n) === 0n ? 1n : -1n);
      // Half near the money (0.9x to 1.1x), half far (0.2x to 5x).
      const moneyness = next(2n) === 0n ? 90n * PCT + next(20n * PCT) : 20n * PCT + next(480n * PCT);
      const pick = next(10n);
      const timeYears = pick === 0n ? 0n : pick <= 2n ? next(WAD / 52n) : next(2n * WAD);
      positions.push(
        kind === PERP
          ? { underlying, kind, size, strike: 0n, timeYears: 0n }
          : { underlying, kind: kind === 1 ? CALL : PUT, size, strike: (spot * moneyness) / WAD, timeYears },
      );
    }
    const offsets: PairOffset[] = [];
    if (nU >= 2 && next(2n) === 0n) offsets.push({ a: 0, b: 1, credit: next(80n * PCT) });
    if (nU === 3 && next(2n) === 0n) offsets.push({ a: 1, b: 2, credit: next(80n * PCT) });
    const cashScale = pow10(Number(next(8n)) - 1);
    out.push({ cash: next(2n * cashScale) - cashScale, underlyings, collateral, positions, offsets });
  }
  return out;
}

/** The contents of each of PORTFOLIO_VECTOR_FILES: hex ABI encoding and a newline. */
export function generatePortfolioVectors(): string[] {
  const vectors = randomPortfolios(PORTFOLIO_VECTOR_COUNT, 0x5eed2n).map((v) => ({
    ...v,
    result: portfolioMargin(v.cash, v.underlyings, v.collateral, v.positions, v.offsets),
  }));
  const per = PORTFOLIO_VECTOR_COUNT / PORTFOLIO_VECTOR_FILES.length;
  return PORTFOLIO_VECTOR_FILES.map(
    (_, i) => AbiCoder.defaultAbiCoder().encode([PORTFOLIO_VECTOR_ABI], [vectors.slice(i * per, (i + 1) * per)]) + '\n',
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  generatePortfolioVectors().forEach((text, i) => writeFileSync(PORTFOLIO_VECTOR_FILES[i]!, text));
  process.stdout.write(`wrote ${PORTFOLIO_VECTOR_COUNT} portfolio vectors to ${PORTFOLIO_VECTOR_FILES.join(', ')}\n`);
}
