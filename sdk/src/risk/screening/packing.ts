/** The book's accounts packed struct-of-arrays into typed arrays, once: price updates do not touch them. */
import type { BookSpec, BookAccount } from './book.js';
import { toFloat, float64Array, int32Array } from './layout.js';

/** The book's accounts, struct-of-arrays: account i holds entries `[start[i], start[i + 1])`. */
export interface PackedAccounts {
  count: number;
  /** USD. */
  cash: Float64Array;
  start: Int32Array;
  /** Instrument index (see RiskArrays): collateral assets first, then markets. */
  instrument: Int32Array;
  /** Whole tokens for collateral, units of the underlying for positions. */
  size: Float64Array;
}

/** Converts exact accounts to the float book (once; later price updates do not touch it). */
export function packAccounts(
  spec: BookSpec,
  accounts: readonly BookAccount[],
  options: { shared?: boolean } = {},
): PackedAccounts {
  const shared = options.shared ?? false;
  let entries = 0;
  for (const a of accounts) entries += a.collateral.length + a.positions.length;
  const packed: PackedAccounts = {
    count: accounts.length,
    cash: float64Array(accounts.length, shared),
    start: int32Array(accounts.length + 1, shared),
    instrument: int32Array(entries, shared),
    size: float64Array(entries, shared),
  };
  const scale = spec.collateralAssets.map((asset) => 10 ** asset.decimals);
  let e = 0;
  accounts.forEach((a, i) => {
    packed.cash[i] = toFloat(a.cash);
    packed.start[i] = e;
    for (const { asset, amount } of a.collateral) {
      if (asset < 0 || asset >= scale.length) throw new Error(`UnknownCollateral(${asset})`);
      packed.instrument[e] = asset;
      packed.size[e++] = Number(amount) / scale[asset]!;
    }
    for (const { market, size } of a.positions) {
      if (market < 0 || market >= spec.markets.length) throw new Error(`UnknownMarket(${market})`);
      packed.instrument[e] = spec.collateralAssets.length + market;
      packed.size[e++] = toFloat(size);
    }
  });
  packed.start[accounts.length] = e;
  return packed;
}
