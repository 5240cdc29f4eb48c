/**
 * What the keeper reads off the book for its duties beside liquidation: who still holds a settled
 * option (settled so that its market id is free for a new listing, docs/risk-model.md section
 * 5.3), and which underlyings positions are on (whose prices it records, section 2.1).
 */
import type { MarketInfo } from '@omnichain-collateral/sdk/risk/accountRisk';
import type { AccountBook } from '../book.js';

/** Account ids with a non-zero position in each of `markets`, as the book last read them: one pass over the book. */
export function holdersOf(book: Pick<AccountBook, 'holdings'>, markets: ReadonlySet<number>): Map<number, string[]> {
  const holders = new Map<number, string[]>();
  if (markets.size === 0) return holders;
  for (const { accountId, holdings } of book.holdings()) {
    for (const { marketId, size } of holdings.positions) {
      if (size === 0n || !markets.has(marketId)) continue;
      const list = holders.get(marketId);
      if (list) list.push(accountId);
      else holders.set(marketId, [accountId]);
    }
  }
  return holders;
}

/** The risk assets some position in the book is on: one pass over the book. */
export function positionUnderlyings(book: Pick<AccountBook, 'holdings'>, markets: readonly MarketInfo[]): Set<number> {
  const underlyings = new Set<number>();
  for (const { holdings } of book.holdings()) {
    for (const { marketId, size } of holdings.positions) {
      const market = markets[marketId];
      if (size !== 0n && market) underlyings.add(market.riskAsset);
    }
  }
  return underlyings;
}
