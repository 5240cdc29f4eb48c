/**
 * The keeper's fast pass: every account in the book through the float64 screening path
 * (sdk/src/risk/screening.ts, SPAN risk arrays) at the latest prices, using the holdings the book
 * last read. Only the candidates it returns are checked with the exact model, then on-chain.
 */
import {
  MARKET_KINDS,
  modelAmount,
  rateFeedOf,
  settledCash,
  yearsToExpiry,
} from '@omnichain-collateral/sdk/risk/accountRisk';
import type { HubReader } from '../../chain/hubReader.js';
import type { Underlying } from '@omnichain-collateral/sdk/risk/portfolioMargin';
import {
  allocateScreenOutput,
  buildRiskArrays,
  packAccounts,
  screenBook,
  SCREEN_CANDIDATE,
  type BookAccount,
  type BookSpec,
} from '@omnichain-collateral/sdk/risk/screening';
import type { BookEntry } from '../book.js';

export interface ScreenCandidate {
  accountId: string;
  /** screened maintenance equity / requirement (float; Infinity when nothing is required) */
  health: number;
}

/**
 * @param spots guarded price of every feed id (risk asset) that has one, at the screening block
 * @param now block timestamp, for the options' time to expiry
 */
export function screenCandidates(
  reader: HubReader,
  entries: readonly BookEntry[],
  spots: ReadonlyMap<number, bigint>,
  now: bigint,
): ScreenCandidate[] {
  const scenarios = reader.scenarioParams();
  const markets = reader.listedMarkets();
  const assets = reader.listedAssets();
  const spec: BookSpec = {
    underlyingCount: scenarios.length,
    // As in the engine: a yield-bearing token enters as its underlying units (18 decimals), and
    // a concentration add-on follows each holding's value.
    collateralAssets: assets.map((a) => ({
      underlying: a.riskAsset,
      decimals: rateFeedOf(a) === null ? a.decimals : 18,
      initialHaircut: a.initialHaircut,
      maintenanceHaircut: a.maintenanceHaircut,
      concentration: a.concentration,
    })),
    markets: markets.map((m) => ({
      underlying: m.riskAsset,
      kind: MARKET_KINDS.indexOf(m.kind),
      strike: m.strike,
      timeYears: yearsToExpiry(m, now),
    })),
    offsets: reader.configuredPairOffsets(),
  };
  const underlyings: Underlying[] = scenarios.map((params, id) => ({
    // A feed without a trusted price screens at 1 wei: its accounts are checked exactly, where a
    // holding it prices counts for nothing and a position on it keeps the account from liquidation.
    spot: spots.get(id) ?? 1n,
    vol: params.volFeed === null ? 0n : (spots.get(params.volFeed) ?? 0n),
    params,
  }));
  const accounts: BookAccount[] = entries.map(({ holdings }) => {
    let cash = holdings.cash;
    const positions: BookAccount['positions'][number][] = [];
    for (const p of holdings.positions) {
      const settled = settledCash(markets[p.marketId]!, p.size);
      if (settled !== undefined) cash += settled;
      else positions.push({ market: p.marketId, size: p.size });
    }
    const collateral = holdings.collateral.map((c) => {
      const asset = assets[c.assetId]!;
      // An untrusted rate screens at 0, as the exact check counts the holding: for nothing.
      const rateFeed = rateFeedOf(asset);
      const rate = rateFeed === null ? 0n : (spots.get(rateFeed) ?? 0n);
      return { asset: c.assetId, amount: modelAmount(asset, c.amount, rate).amount };
    });
    return { cash, collateral, positions };
  });
  const risk = buildRiskArrays(spec, underlyings);
  const packed = packAccounts(spec, accounts);
  const out = allocateScreenOutput(accounts.length);
  screenBook(risk, packed, out);
  const candidates: ScreenCandidate[] = [];
  entries.forEach((e, i) => {
    if ((out.flags[i]! & SCREEN_CANDIDATE) === 0) return;
    const req = out.requirementM[i]!;
    candidates.push({ accountId: e.accountId, health: req > 0 ? out.equityM[i]! / req : Infinity });
  });
  return candidates.sort((a, b) => a.health - b.health);
}
