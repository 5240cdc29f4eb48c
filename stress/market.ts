/**
 * The market the stress simulator runs: two underlyings (ETH, BTC), their collateral tokens on
 * two spoke chains, perps on both and ETH options, with the devnet's static grid and liquidation
 * parameters (relayer/src/devnet/deploySystem.ts, RiskConfig's defaults). Gen 3 moves the grid
 * and haircuts within the devnet steward's bounds.
 */
import { WAD } from '@omnichain-collateral/sdk/risk/fixedPoint';
import type { LiquidationParams } from '@omnichain-collateral/sdk/risk/liquidation';
import { CALL, PERP, PUT, type PairOffset, type RiskParams } from '@omnichain-collateral/sdk/risk/portfolioMargin';
import type { BookSpec, CollateralAsset, ListedMarket } from '@omnichain-collateral/sdk/risk/screening';
import type { StewardBounds } from '../relayer/src/riskParameters/proposals.js';

const PCT = WAD / 100n;

/** `x` whole units as an integer with `decimals` (at least 6) decimals, kept to a millionth. */
export const toUnits = (x: number, decimals: number): bigint =>
  BigInt(Math.round(x * 1e6)) * 10n ** BigInt(decimals - 6);
/** A USD amount or price as WAD, to a millionth of a dollar. */
export const usdWad = (x: number): bigint => toUnits(x, 18);
/** A WAD figure as a float. */
export const fromWad = (wad: bigint): number => Number(wad) / 1e18;

export const ETH = 0;
export const BTC = 1;
export const UNDERLYINGS = ['ETH', 'BTC'] as const;

/**
 * The devnet's ETH grid, for both underlyings: 10% maintenance range, 20% initial, vol ±25%, a 35%-covered extreme of
 * twice the range.
 */
export const STATIC_GRID: RiskParams = {
  scanRange: 10n * PCT,
  volShift: 25n * PCT,
  extremeMultiple: 2n * WAD,
  extremeCover: 35n * PCT,
  initialMultiple: 2n * WAD,
  shortOptionMinimum: PCT,
};

export interface StressAsset extends CollateralAsset {
  name: string;
  liquidationBonus: bigint;
}

/**
 * The devnet's WETH terms (20% / 15% haircuts, 5% bonus) for every token; all sit on spokes, so every seizure crosses
 * the bridge.
 */
export const ASSETS: readonly StressAsset[] = [
  {
    name: 'WETH@spoke-1',
    underlying: ETH,
    decimals: 18,
    initialHaircut: 20n * PCT,
    maintenanceHaircut: 15n * PCT,
    liquidationBonus: 5n * PCT,
  },
  {
    name: 'WETH@spoke-2',
    underlying: ETH,
    decimals: 18,
    initialHaircut: 20n * PCT,
    maintenanceHaircut: 15n * PCT,
    liquidationBonus: 5n * PCT,
  },
  {
    name: 'WBTC@spoke-2',
    underlying: BTC,
    decimals: 8,
    initialHaircut: 20n * PCT,
    maintenanceHaircut: 15n * PCT,
    liquidationBonus: 5n * PCT,
  },
];

export const ETH_PERP = 0;
export const BTC_PERP = 1;
export const ETH_CALL = 2;
export const ETH_PUT = 3;

/** Option tenor, held constant (options roll): 30 days. */
export const OPTION_YEARS = (30n * WAD) / 365n;

/** ETH and BTC perps, and a 30-day ETH call 10% above and put 10% below the starting price. */
export function listedMarkets(ethSpot: bigint): ListedMarket[] {
  return [
    { underlying: ETH, kind: PERP, strike: 0n, timeYears: 0n },
    { underlying: BTC, kind: PERP, strike: 0n, timeYears: 0n },
    { underlying: ETH, kind: CALL, strike: (ethSpot * 110n) / 100n, timeYears: OPTION_YEARS },
    { underlying: ETH, kind: PUT, strike: (ethSpot * 90n) / 100n, timeYears: OPTION_YEARS },
  ];
}

/** Opposite ETH and BTC exposures offset half of the smaller requirement. */
export const PAIR_OFFSETS: readonly PairOffset[] = [{ a: ETH, b: BTC, credit: 50n * PCT }];

export function bookSpec(ethSpot: bigint, assets: readonly StressAsset[] = ASSETS): BookSpec {
  return {
    underlyingCount: UNDERLYINGS.length,
    collateralAssets: assets,
    markets: listedMarkets(ethSpot),
    offsets: PAIR_OFFSETS,
  };
}

/**
 * RiskConfig's defaults: Gen 3's incentive is the hub's, a fifth of the asset's bonus at health 1, all of it at 0.9
 * (docs/risk-model.md section 8.1).
 */
export const LIQUIDATION: LiquidationParams = {
  closeFactor: 50n * PCT,
  fullCloseHealth: 95n * PCT,
  targetHealth: 105n * PCT,
  positionPenalty: 2n * PCT,
  insuranceShare: 50n * PCT,
  minBonusShare: 20n * PCT,
  fullBonusHealth: 90n * PCT,
};

/** Gen 1 and 2: the same, with the asset's whole bonus at any health. */
export const FLAT_BONUS_LIQUIDATION: LiquidationParams = { ...LIQUIDATION, minBonusShare: WAD };

/** The settlement token has 6 decimals: repayments are whole units of 1e-6 USD. */
export const SETTLEMENT_STEP = 10n ** 12n;

/** Gen 3's concentration add-on: at most 25% (the devnet's wstETH cap). */
export const CONCENTRATION_CAP = 25n * PCT;

/**
 * Gen 3's on-chain limits: the devnet steward's (a quarter of the value per change, at most double
 * within a day, lowerings a day late). The maintenance parameters' floors are the static grid's:
 * Gen 3 never margins below Gen 2.
 */
const STEP = { maxStep: 25n * PCT, maxDailyRaise: 100n * PCT };
export const STEWARD = {
  scanRange: { min: STATIC_GRID.scanRange, max: 50n * PCT, ...STEP },
  volShift: { min: 10n * PCT, max: 100n * PCT, ...STEP },
  initialHaircut: { min: 15n * PCT, max: 60n * PCT, ...STEP },
  maintenanceHaircut: { min: 15n * PCT, max: 50n * PCT, ...STEP },
  concentrationImpact: { min: 1n * PCT, max: 20n * PCT, ...STEP },
  /** a lowering proposed now takes effect this long after (hours = blocks) */
  loweringDelayHours: 24,
  /** raises within this many hours (blocks) of a window's first add at most `maxDailyRaise` */
  raiseWindowHours: 24,
} satisfies Record<string, StewardBounds | number>;
