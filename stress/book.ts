/**
 * The stress book: N seeded accounts of five kinds, the same holdings in every regime, each
 * account's cash set so it uses a drawn share (30–90%) of that regime's initial margin at the
 * start. A regime that asks more margin of the same positions gets more cash posted, so regimes
 * are compared at the same utilisation, and capital efficiency shows what each asks.
 *
 * - borrowers (35%): one or two collateral tokens and debt;
 * - perp traders (25%): ETH and/or BTC perps, long or short, on cash;
 * - basis traders (20%): a collateral token and a short perp of 80–100% of it;
 * - pair traders (10%): long one perp, short 70–100% of the other;
 * - option writers (10%): WETH with a covered call, or a cash-secured short put.
 * Account sizes are log-normal around $30,000 (a half-percent are 50 times larger).
 */
import { floatRng } from '../bench/book.js';
import { WAD } from '@omnichain-collateral/sdk/risk/fixedPoint';
import {
  allocateScreenOutput,
  packAccounts,
  type BookAccount,
  type BookSpec,
} from '@omnichain-collateral/sdk/risk/screening';
import { BTC, BTC_PERP, ETH, ETH_CALL, ETH_PERP, ETH_PUT, toUnits } from './market.js';
import type { MarginModel } from './regimes.js';

export interface DraftAccount {
  collateral: Array<{ asset: number; amount: bigint }>;
  positions: Array<{ market: number; size: bigint }>;
  /** share of the initial requirement the account's equity covers ÷ 1: equity_i = requirement_i / utilisation */
  utilisation: number;
}

/** `count` accounts' holdings at starting prices `spots` (USD per whole unit, by underlying). */
export function draftBook(spec: BookSpec, spots: readonly number[], count: number, seed: number): DraftAccount[] {
  const next = floatRng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * next();
  const collateralOf = (underlying: number) => (underlying === BTC ? 2 : next() < 0.55 ? 0 : 1);
  const units = (usd: number, underlying: number) => usd / spots[underlying]!;
  const coll = (asset: number, usd: number) => ({
    asset,
    amount: toUnits(units(usd, spec.collateralAssets[asset]!.underlying), spec.collateralAssets[asset]!.decimals),
  });
  const pos = (market: number, usd: number) => ({
    market,
    size: toUnits(usd / spots[spec.markets[market]!.underlying]!, 18),
  });
  const perpOf = (underlying: number) => (underlying === ETH ? ETH_PERP : BTC_PERP);

  return Array.from({ length: count }, (): DraftAccount => {
    const size = Math.min(5e6, Math.max(1000, 30_000 * Math.exp(1.1 * normal()))) * (next() < 0.005 ? 50 : 1);
    const underlying = next() < 0.6 ? ETH : BTC;
    const kind = next();
    const draft: DraftAccount = { collateral: [], positions: [], utilisation: uniform(0.3, 0.9) };
    if (kind < 0.35) {
      draft.collateral.push(coll(collateralOf(underlying), size));
      if (next() < 0.3) draft.collateral.push(coll(collateralOf(1 - underlying), size * uniform(0.2, 1)));
    } else if (kind < 0.6) {
      draft.positions.push(pos(perpOf(underlying), next() < 0.6 ? size : -size));
      if (next() < 0.3)
        draft.positions.push(pos(perpOf(1 - underlying), (next() < 0.6 ? 1 : -1) * size * uniform(0.2, 1)));
    } else if (kind < 0.8) {
      draft.collateral.push(coll(collateralOf(underlying), size));
      draft.positions.push(pos(perpOf(underlying), -size * uniform(0.8, 1)));
    } else if (kind < 0.9) {
      const sign = next() < 0.5 ? 1 : -1;
      draft.positions.push(pos(ETH_PERP, sign * size), pos(BTC_PERP, -sign * size * uniform(0.7, 1)));
    } else if (next() < 0.5) {
      draft.collateral.push(coll(collateralOf(ETH), size));
      draft.positions.push(pos(ETH_CALL, -size * uniform(0.5, 1)));
    } else {
      draft.positions.push(pos(ETH_PUT, -size));
    }
    // The engine orders holdings by id: collateral by asset, positions by market.
    draft.collateral.sort((a, b) => a.asset - b.asset);
    draft.positions.sort((a, b) => a.market - b.market);
    return draft;
  });
}

/** Gen 1's book: each account split into one account per underlying it holds. */
export function isolate(spec: BookSpec, drafts: readonly DraftAccount[]): DraftAccount[] {
  return drafts.flatMap((d) => {
    const underlyings = new Set([
      ...d.collateral.map((c) => spec.collateralAssets[c.asset]!.underlying),
      ...d.positions.map((p) => spec.markets[p.market]!.underlying),
    ]);
    return [...underlyings].map((u) => ({
      collateral: d.collateral.filter((c) => spec.collateralAssets[c.asset]!.underlying === u),
      positions: d.positions.filter((p) => spec.markets[p.market]!.underlying === u),
      utilisation: d.utilisation,
    }));
  });
}

/** Cash for each draft so its initial equity is its initial requirement ÷ its utilisation, in `model` (to the cent). */
export function fundBook(spec: BookSpec, model: MarginModel, drafts: readonly DraftAccount[]): BookAccount[] {
  // With a wei of debt every account has a requirement, and the requirement does not depend on cash.
  const probe = drafts.map((d) => ({ cash: -1n, collateral: d.collateral, positions: d.positions }));
  const out = allocateScreenOutput(probe.length);
  model.screen(packAccounts(spec, probe), out);
  return drafts.map((d, i) => {
    const cash = out.requirementI[i]! / d.utilisation - out.equityI[i]!;
    return {
      cash: BigInt(Math.round(cash * 100)) * (WAD / 100n),
      collateral: d.collateral.map((c) => ({ ...c })),
      positions: d.positions.map((p) => ({ ...p })),
    };
  });
}
