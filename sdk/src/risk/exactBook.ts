/**
 * Exact (bigint) margin for a book of accounts: the same figures as `portfolioMargin`, to the
 * wei, but each Black-Scholes evaluation is computed once per (spot, strike, vol, time, kind)
 * and reused. Accounts of one book hold the same listed markets and are revalued at the same
 * scenario spots and vols, so nearly every option evaluation after the first account is a hit.
 *
 * It is `portfolioMargin` itself with a memoizing OptionPricer; test/unit/screening.test.ts asserts
 * the results are identical.
 */
import { concentratedHaircuts } from './concentration.js';
import { blackScholes, type Greeks } from './optionMath.js';
import {
  maintenanceMargin,
  portfolioMargin,
  type MaintenanceResult,
  type Collateral,
  type OptionPricer,
  type PairOffset,
  type PortfolioResult,
  type Position,
  type Underlying,
} from './portfolioMargin.js';
import type { BookAccount, BookSpec } from './screening.js';

/** `portfolioMargin` with a Black-Scholes memo; one instance per price update (or call `clear`). */
export class MemoizedMargin {
  // Nested by value: bigint Map keys compare by value, and four lookups cost less than
  // stringifying four bigints into one key.
  private readonly memo = new Map<
    bigint,
    Map<bigint, Map<bigint, Map<bigint, [Greeks | undefined, Greeks | undefined]>>>
  >();
  private entries = 0;

  /** Entries beyond this clear the memo, so a long-lived instance fed changing prices stays bounded. */
  constructor(private readonly maxEntries = 1_000_000) {}

  get size(): number {
    return this.entries;
  }

  clear(): void {
    this.memo.clear();
    this.entries = 0;
  }

  /** `blackScholes(spot, strike, vol, timeYears, 0, isCall)`, computed once per distinct input. */
  greeks(spot: bigint, strike: bigint, vol: bigint, timeYears: bigint, isCall: boolean): Greeks {
    const pair = this.slot(spot, vol, strike, timeYears);
    const side = isCall ? 0 : 1;
    let g = pair[side];
    if (g === undefined) {
      g = blackScholes(spot, strike, vol, timeYears, 0n, isCall);
      pair[side] = g;
      this.entries++;
    }
    return g;
  }

  /** The [call, put] slot for these inputs, created empty on first use. */
  private slot(spot: bigint, vol: bigint, strike: bigint, timeYears: bigint): [Greeks | undefined, Greeks | undefined] {
    if (this.entries >= this.maxEntries) this.clear();
    const bySpot = getOrCreate(this.memo, spot, () => new Map());
    const byVol = getOrCreate(bySpot, vol, () => new Map());
    const byStrike = getOrCreate(byVol, strike, () => new Map());
    return getOrCreate(byStrike, timeYears, (): [Greeks | undefined, Greeks | undefined] => [undefined, undefined]);
  }

  /** Same arguments and result as `portfolioMargin`, to the wei: only Black-Scholes is memoized. */
  portfolioMargin(
    cash: bigint,
    u: readonly Underlying[],
    c: readonly Collateral[],
    p: readonly Position[],
    offsets: readonly PairOffset[] = [],
  ): PortfolioResult {
    return portfolioMargin(cash, u, c, p, offsets, this.pricer);
  }

  /** Same arguments and result as `maintenanceMargin`, to the wei. */
  maintenanceMargin(
    cash: bigint,
    u: readonly Underlying[],
    c: readonly Collateral[],
    p: readonly Position[],
    offsets: readonly PairOffset[] = [],
  ): MaintenanceResult {
    return maintenanceMargin(cash, u, c, p, offsets, this.pricer);
  }

  private readonly pricer: OptionPricer = (spot, strike, vol, timeYears, isCall) =>
    this.greeks(spot, strike, vol, timeYears, isCall);
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = create();
    map.set(key, v);
  }
  return v;
}

/** A book account in `portfolioMargin`'s terms. */
export interface Portfolio {
  cash: bigint;
  collateral: Collateral[];
  positions: Position[];
}

/**
 * `account` as `portfolioMargin` takes it. A collateral asset with concentration terms needs the
 * `underlyings`' spots: its haircuts rise with the holding's value, as the engine's do.
 */
export function toPortfolio(spec: BookSpec, account: BookAccount, underlyings?: readonly Underlying[]): Portfolio {
  return {
    cash: account.cash,
    collateral: account.collateral.map(({ asset, amount }) => {
      const a = spec.collateralAssets[asset];
      if (!a) throw new Error(`UnknownCollateral(${asset})`);
      const line = {
        underlying: a.underlying,
        amount,
        decimals: a.decimals,
        initialHaircut: a.initialHaircut,
        maintenanceHaircut: a.maintenanceHaircut,
      };
      if (a.concentration === undefined || a.concentration.depthUsd === 0n) return line;
      const spot = underlyings?.[a.underlying]?.spot;
      if (spot === undefined)
        throw new Error(`collateral ${asset} has a concentration add-on: its underlying's spot is needed`);
      const { initialHaircut, maintenanceHaircut } = concentratedHaircuts(a, amount, a.decimals, spot);
      return { ...line, initialHaircut, maintenanceHaircut };
    }),
    positions: account.positions.map(({ market, size }) => {
      const m = spec.markets[market];
      if (!m) throw new Error(`UnknownMarket(${market})`);
      return { underlying: m.underlying, kind: m.kind, size, strike: m.strike, timeYears: m.timeYears };
    }),
  };
}

/** Exact figures for the accounts of one book at one set of prices. */
export class ExactBook {
  private readonly margin = new MemoizedMargin();
  private prices: readonly Underlying[];

  constructor(
    private readonly spec: BookSpec,
    underlyings: readonly Underlying[],
  ) {
    this.prices = underlyings;
  }

  /** New spots and vols: the memo of the old ones is dropped. */
  setPrices(underlyings: readonly Underlying[]): void {
    this.prices = underlyings;
    this.margin.clear();
  }

  evaluate(account: BookAccount): PortfolioResult {
    const { cash, collateral, positions } = toPortfolio(this.spec, account, this.prices);
    return this.margin.portfolioMargin(cash, this.prices, collateral, positions, this.spec.offsets);
  }

  /** Black-Scholes evaluations memoized so far. */
  get memoSize(): number {
    return this.margin.size;
  }
}
