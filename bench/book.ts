/**
 * A seeded book for the risk bench and the screening test: ETH, BTC and a USD stablecoin;
 * collateral tokens on two chains; ETH and BTC perps plus calls and puts at five strikes and
 * three expiries. Each account holds 3 collateral assets and 5 positions, and its cash is set so
 * its health lands where wanted (a tenth liquidatable, a tenth within 2% of the boundary).
 */
import { WAD } from '@omnichain-collateral/sdk/risk/fixedPoint';
import { CALL, PERP, PUT, type Underlying } from '@omnichain-collateral/sdk/risk/portfolioMargin';
import {
  allocateScreenOutput,
  buildRiskArrays,
  packAccounts,
  screenBook,
  type BookAccount,
  type BookSpec,
  type CollateralAsset,
  type ListedMarket,
} from '@omnichain-collateral/sdk/risk/screening';

const PCT = WAD / 100n;
const ETH = 0;
const BTC = 1;
const USD = 2;

function benchUnderlyings(): Underlying[] {
  const params = (scanRange: bigint, shortOptionMinimum: bigint) => ({
    scanRange,
    volShift: 25n * PCT,
    extremeMultiple: 2n * WAD,
    extremeCover: 35n * PCT,
    initialMultiple: 150n * PCT,
    shortOptionMinimum,
  });
  return [
    { spot: 3000n * WAD, vol: 70n * PCT, params: params(15n * PCT, 2n * PCT) },
    { spot: 60_000n * WAD, vol: 55n * PCT, params: params(12n * PCT, 2n * PCT) },
    { spot: WAD, vol: 2n * PCT, params: params(2n * PCT, 0n) },
  ];
}

const asset = (underlying: number, decimals: number, initialPct: bigint, maintenancePct: bigint): CollateralAsset => ({
  underlying,
  decimals,
  initialHaircut: initialPct * PCT,
  maintenanceHaircut: maintenancePct * PCT,
});

/** WETH and WBTC on two chains, USDC on both, and USDT on one. */
const COLLATERAL_ASSETS: CollateralAsset[] = [
  asset(ETH, 18, 20n, 15n),
  asset(ETH, 18, 20n, 15n),
  asset(BTC, 8, 20n, 15n),
  asset(BTC, 8, 20n, 15n),
  asset(USD, 6, 2n, 1n),
  asset(USD, 6, 2n, 1n),
  asset(USD, 6, 3n, 2n),
];
/** Whole-token amount ranges per collateral asset, for the generator. */
const COLLATERAL_RANGE: [number, number][] = [
  [0.1, 50],
  [0.1, 50],
  [0.005, 2],
  [0.005, 2],
  [100, 200_000],
  [100, 200_000],
  [100, 200_000],
];

const DAY = WAD / 365n;
const EXPIRIES = [7n * DAY, 30n * DAY, 90n * DAY];
const STRIKE_MULTIPLES = [80n, 90n, 100n, 110n, 120n];

function listedMarkets(underlyings: readonly Underlying[]): ListedMarket[] {
  const markets: ListedMarket[] = [
    { underlying: ETH, kind: PERP, strike: 0n, timeYears: 0n },
    { underlying: BTC, kind: PERP, strike: 0n, timeYears: 0n },
  ];
  for (const underlying of [ETH, BTC]) {
    const spot = underlyings[underlying]!.spot;
    for (const timeYears of EXPIRIES)
      for (const m of STRIKE_MULTIPLES)
        for (const kind of [CALL, PUT]) markets.push({ underlying, kind, strike: (spot * m) / 100n, timeYears });
  }
  return markets;
}

function benchSpec(underlyings: readonly Underlying[] = benchUnderlyings()): BookSpec {
  return {
    underlyingCount: underlyings.length,
    collateralAssets: COLLATERAL_ASSETS,
    markets: listedMarkets(underlyings),
    offsets: [{ a: ETH, b: BTC, credit: 50n * PCT }],
  };
}

/** mulberry32: a seedable float generator, enough for test data. */
export function floatRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `x` whole units to an integer with `decimals` decimals, keeping 6 significant decimals. */
function toUnits(x: number, decimals: number): bigint {
  const kept = Math.min(decimals, 6);
  return BigInt(Math.round(x * 10 ** kept)) * 10n ** BigInt(decimals - kept);
}

/** `count` distinct indices below `n`. */
function pick(next: () => number, n: number, count: number): number[] {
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(Math.floor(next() * n));
  return [...chosen];
}

function holdings(
  spec: BookSpec,
  next: () => number,
  collateralCount: number,
  positionCount: number,
): Omit<BookAccount, 'cash'> {
  const collateral = pick(next, spec.collateralAssets.length, collateralCount).map((asset) => {
    const [lo, hi] = COLLATERAL_RANGE[asset]!;
    return { asset, amount: toUnits(lo * (hi / lo) ** next(), spec.collateralAssets[asset]!.decimals) };
  });
  const positions = pick(next, spec.markets.length, positionCount).map((market) => {
    const units = spec.markets[market]!.underlying === BTC ? 0.02 * 150 ** next() : 0.5 * 100 ** next();
    return { market, size: toUnits(next() < 0.5 ? -units : units, 18) };
  });
  return { collateral, positions };
}

/** Health to aim for: a tenth liquidatable, a tenth near the boundary, the rest comfortable. */
function targetHealth(next: () => number): number {
  const r = next();
  if (r < 0.1) return 0.5 + 0.5 * next();
  if (r < 0.2) return 0.98 + 0.04 * next();
  return 1.02 + 4 * next();
}

export interface Book {
  spec: BookSpec;
  underlyings: Underlying[];
  accounts: BookAccount[];
}

/**
 * `count` accounts of 3 collateral assets and 5 positions. Cash is chosen from the screening
 * figures (requirements do not depend on cash when positions are open) to hit a target health.
 */
export function generateBook(count: number, seed: number, shape = { collateral: 3, positions: 5 }): Book {
  const underlyings = benchUnderlyings();
  const spec = benchSpec(underlyings);
  const next = floatRng(seed);
  const drafts = Array.from({ length: count }, () => ({
    cash: 0n,
    ...holdings(spec, next, shape.collateral, shape.positions),
  }));
  const zeroCash = allocateScreenOutput(count);
  screenBook(buildRiskArrays(spec, underlyings), packAccounts(spec, drafts), zeroCash);
  const accounts = drafts.map((d, i) => {
    const cash = zeroCash.requirementM[i]! * targetHealth(next) - zeroCash.equityM[i]!;
    return { ...d, cash: BigInt(Math.round(cash * 100)) * (WAD / 100n) };
  });
  return { spec, underlyings, accounts };
}
