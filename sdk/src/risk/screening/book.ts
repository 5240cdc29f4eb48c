/** The book a screen runs over: the instruments accounts can hold, and accounts in exact form. */
import type { ConcentrationTerms } from '../concentration.js';
import type { PairOffset } from '../portfolioMargin.js';

/** A collateral token (one per chain and token): what an account's collateral holding refers to. */
export interface CollateralAsset {
  underlying: number;
  decimals: number;
  initialHaircut: bigint;
  maintenanceHaircut: bigint;
  /** the per-account concentration add-on (concentration.ts); absent or depth 0: none */
  concentration?: ConcentrationTerms | undefined;
}

/** A listed perp or option market: what an account's position refers to. */
export interface ListedMarket {
  underlying: number;
  kind: number;
  /** WAD; ignored for perps. */
  strike: bigint;
  /** WAD years to expiry; ignored for perps. */
  timeYears: bigint;
}

/** The instruments accounts can hold, and the correlated-pair credits that apply to every account. */
export interface BookSpec {
  underlyingCount: number;
  collateralAssets: readonly CollateralAsset[];
  markets: readonly ListedMarket[];
  offsets: readonly PairOffset[];
}

/**
 * One account in exact form (the units `portfolioMargin` takes): cash in WAD USD, amounts in token units, sizes in WAD.
 */
export interface BookAccount {
  cash: bigint;
  collateral: readonly { asset: number; amount: bigint }[];
  positions: readonly { market: number; size: bigint }[];
}
