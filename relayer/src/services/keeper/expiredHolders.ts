/**
 * Who still holds a settled option: what the keeper settles so that the option's market id is
 * free for a new listing (docs/risk-model.md section 5.3).
 */
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
