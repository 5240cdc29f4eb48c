/**
 * Exact (bigint) margin for a book of accounts: the same figures as `portfolioMargin`, to the
 * wei, but each Black-Scholes evaluation is computed once per (spot, strike, vol, time, kind)
 * and reused. Accounts of one book hold the same listed markets and are revalued at the same
 * scenario spots and vols, so nearly every option evaluation after the first account is a hit.
 *
 * The scenario walk below repeats portfolioMargin.ts step for step with only `blackScholes`
 * swapped for the memo; test/screening.test.ts asserts the results are identical, so a change
 * to the model that is not mirrored here fails there.
 */
import { blackScholes, type Greeks } from './optionMath.js';
import {
  afterOffsets,
  CALL,
  collateralValue,
  mulWadDown,
  mulWadUp,
  PERP,
  PUT,
  shiftedSpot,
  type Collateral,
  type PairOffset,
  type PortfolioResult,
  type Position,
  type Underlying,
} from './portfolioMargin.js';
import type { BookAccount, BookSpec } from './screening.js';

const WAD = 10n ** 18n;
const max = (a: bigint, b: bigint) => (a > b ? a : b);

interface PositionValue {
  value: bigint;
  delta: bigint;
  vega: bigint;
}

/** `portfolioMargin` with a Black-Scholes memo; one instance per price update (or call `clear`). */
export class MemoizedMargin {
  // Nested by value: bigint Map keys compare by value, and four lookups cost less than
  // stringifying four bigints into one key.
  private readonly memo = new Map<bigint, Map<bigint, Map<bigint, Map<bigint, [Greeks | undefined, Greeks | undefined]>>>>();
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

  positionValue(p: Position, spot: bigint, vol: bigint): PositionValue {
    if (p.kind === PERP) return { value: mulWadDown(p.size, spot), delta: p.size, vega: 0n };
    if (p.kind !== CALL && p.kind !== PUT) throw new Error(`UnknownKind(${p.kind})`);
    const g = this.greeks(spot, p.strike, vol, p.timeYears, p.kind === CALL);
    return { value: mulWadDown(p.size, g.price), delta: (p.size * g.delta) / WAD, vega: (p.size * g.vega) / WAD };
  }

  /** Same arguments and result as `portfolioMargin`. */
  portfolioMargin(cash: bigint, u: readonly Underlying[], c: readonly Collateral[], p: readonly Position[], offsets: readonly PairOffset[] = []): PortfolioResult {
    const r: PortfolioResult = {
      initialEquity: cash,
      maintenanceEquity: cash,
      initialRequirement: 0n,
      maintenanceRequirement: 0n,
      delta: u.map(() => 0n),
      vega: u.map(() => 0n),
    };
    for (const col of c) {
      const und = u[col.underlying];
      if (!und) throw new Error(`UnknownUnderlying(${col.underlying})`);
      r.initialEquity += collateralValue(col, und.spot, col.initialHaircut);
      r.maintenanceEquity += collateralValue(col, und.spot, col.maintenanceHaircut);
      r.delta[col.underlying]! += (col.amount * WAD) / 10n ** BigInt(col.decimals);
    }
    for (const pos of p) {
      const und = u[pos.underlying];
      if (!und) throw new Error(`UnknownUnderlying(${pos.underlying})`);
      const { value, delta, vega } = this.positionValue(pos, und.spot, und.vol);
      r.initialEquity += value;
      r.maintenanceEquity += value;
      r.delta[pos.underlying]! += delta;
      r.vega[pos.underlying]! += vega;
    }
    if (p.length === 0 && cash >= 0n) return r;
    const reqM: bigint[] = [];
    const reqI: bigint[] = [];
    u.forEach((und, k) => {
      const rp = und.params;
      const shortMin = shortOptionCharge(p, k, und.spot, rp.shortOptionMinimum);
      const m = max(this.worstLoss(und, k, c, p, rp.scanRange, false), shortMin);
      reqM.push(m);
      reqI.push(max(max(this.worstLoss(und, k, c, p, (rp.scanRange * rp.initialMultiple) / WAD, true), shortMin), m));
    });
    r.maintenanceRequirement = afterOffsets(reqM, r.delta, offsets);
    r.initialRequirement = afterOffsets(reqI, r.delta, offsets);
    return r;
  }

  private exposureValue(k: number, c: readonly Collateral[], p: readonly Position[], spot: bigint, vol: bigint, initial: boolean): bigint {
    let v = 0n;
    for (const col of c) if (col.underlying === k) v += collateralValue(col, spot, initial ? col.initialHaircut : col.maintenanceHaircut);
    for (const pos of p) if (pos.underlying === k) v += this.positionValue(pos, spot, vol).value;
    return v;
  }

  private worstLoss(und: Underlying, k: number, c: readonly Collateral[], p: readonly Position[], range: bigint, initial: boolean): bigint {
    let worst = 0n;
    const base = this.exposureValue(k, c, p, und.spot, und.vol, initial);
    for (let step = -3n; step <= 3n; step++) {
      const spot = shiftedSpot(und.spot, (range * step) / 3n);
      for (let sign = -1n; sign <= 1n; sign += 2n) {
        const vol = und.vol + (und.vol * und.params.volShift * sign) / WAD;
        worst = max(worst, base - this.exposureValue(k, c, p, spot, vol < 0n ? 0n : vol, initial));
      }
    }
    const extreme = (range * und.params.extremeMultiple) / WAD;
    for (let sign = -1n; sign <= 1n; sign += 2n) {
      const loss = base - this.exposureValue(k, c, p, shiftedSpot(und.spot, extreme * sign), und.vol, initial);
      if (loss > 0n) worst = max(worst, mulWadUp(loss, und.params.extremeCover));
    }
    return worst;
  }
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = create();
    map.set(key, v);
  }
  return v;
}

function shortOptionCharge(p: readonly Position[], k: number, spot: bigint, minimum: bigint): bigint {
  let charge = 0n;
  for (const pos of p) if (pos.underlying === k && pos.kind !== PERP && pos.size < 0n) charge += mulWadUp(mulWadUp(-pos.size, spot), minimum);
  return charge;
}

/** A book account in `portfolioMargin`'s terms. */
export interface Portfolio {
  cash: bigint;
  collateral: Collateral[];
  positions: Position[];
}

export function toPortfolio(spec: BookSpec, account: BookAccount): Portfolio {
  return {
    cash: account.cash,
    collateral: account.collateral.map(({ asset, amount }) => {
      const a = spec.collateralAssets[asset];
      if (!a) throw new Error(`UnknownCollateral(${asset})`);
      return { underlying: a.underlying, amount, decimals: a.decimals, initialHaircut: a.initialHaircut, maintenanceHaircut: a.maintenanceHaircut };
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
    const { cash, collateral, positions } = toPortfolio(this.spec, account);
    return this.margin.portfolioMargin(cash, this.prices, collateral, positions, this.spec.offsets);
  }

  /** Black-Scholes evaluations memoized so far. */
  get memoSize(): number {
    return this.margin.size;
  }
}
