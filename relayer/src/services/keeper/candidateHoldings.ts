/**
 * The keeper's candidates with their holdings at the pass's block, in the order they are to be
 * confirmed: those the book knows without a read (no event since it read them, see
 * AccountBook.knownHoldings) in chunks, the most urgent first, then the others as their reads
 * are answered.
 */
import type { Holdings } from '@omnichain-collateral/sdk/risk/accountRisk';
import type { HubReader } from '../../chain/hubReader.js';
import type { AccountBook } from '../book.js';
import type { ScreenCandidate } from './screen.js';

/**
 * Of the candidates whose holdings the book knows, this many of the most urgent are confirmed
 * first: a small first chunk starts the signing thread early, and its transactions are the first broadcast.
 */
const URGENT_FIRST = 200;
/**
 * The rest are confirmed in chunks of this many: each goes to the signing thread as soon as it is
 * confirmed, and is signed while the next is confirmed.
 */
const CONFIRM_CHUNK = 500;

/** A candidate and its holdings at the pass's block. */
export interface HeldBy {
  accountId: string;
  holdings: Holdings;
}

/** The candidates' holdings: the known ones in chunks, and a read per `HubReader.holdingsBatches` batch of the others, every read started now. */
export interface CandidateHoldings {
  known: HeldBy[][];
  reads: Array<Promise<HeldBy[]>>;
  /** how many were known, and how many read */
  count: { known: number; read: number };
}

export function candidateHoldings(
  book: AccountBook,
  reader: HubReader,
  candidates: readonly ScreenCandidate[],
  block: number,
  indexedTo: number,
): CandidateHoldings {
  const known: HeldBy[] = [];
  const unknown: string[] = [];
  for (const { accountId } of candidates) {
    const holdings = book.knownHoldings(accountId, block, indexedTo);
    if (holdings) known.push({ accountId, holdings });
    else unknown.push(accountId);
  }
  const reads = reader
    .holdingsBatches(unknown, block)
    .map(({ accountIds, holdings }) =>
      holdings.then((rows) => accountIds.map((accountId, j) => ({ accountId, holdings: rows[j]! }))),
    );
  // Every read is awaited by the pass unless a send fails first: none may reject unobserved.
  void Promise.allSettled(reads);
  const chunks = known.length > 0 ? [known.slice(0, URGENT_FIRST)] : [];
  for (let start = URGENT_FIRST; start < known.length; start += CONFIRM_CHUNK)
    chunks.push(known.slice(start, start + CONFIRM_CHUNK));
  return { known: chunks, reads, count: { known: known.length, read: unknown.length } };
}
