/** What the simulator reads off its book: values at given prices, the feeds an account depends on, the packed copy. */
import { PERP } from '@omnichain-collateral/sdk/risk/portfolioMargin';
import {
  blackScholesFloat,
  type BookAccount,
  type BookSpec,
  type PackedAccounts,
} from '@omnichain-collateral/sdk/risk/screening';
import { fromWad } from './market.js';

/** Cash plus holdings at `spots`, no haircut: what the account is worth if everything were sold. */
export function netValue(
  spec: BookSpec,
  account: BookAccount,
  spots: readonly number[],
  vols: readonly bigint[],
): number {
  let v = fromWad(account.cash);
  for (const c of account.collateral)
    v +=
      (Number(c.amount) / 10 ** spec.collateralAssets[c.asset]!.decimals) *
      spots[spec.collateralAssets[c.asset]!.underlying]!;
  for (const p of account.positions) {
    const m = spec.markets[p.market]!;
    const spot = spots[m.underlying]!;
    const mark =
      m.kind === PERP
        ? spot
        : blackScholesFloat(spot, fromWad(m.strike), fromWad(vols[m.underlying]!), fromWad(m.timeYears), m.kind === 1)
            .price;
    v += fromWad(p.size) * mark;
  }
  return v;
}

/** USD value of each collateral asset held across the book, at `spots`. */
export function holdingsUsd(spec: BookSpec, accounts: readonly BookAccount[], spots: readonly number[]): number[] {
  const held = spec.collateralAssets.map(() => 0);
  for (const a of accounts)
    for (const c of a.collateral)
      held[c.asset]! +=
        (Number(c.amount) / 10 ** spec.collateralAssets[c.asset]!.decimals) *
        spots[spec.collateralAssets[c.asset]!.underlying]!;
  return held;
}

/** Bit k set: the account's figures depend on underlying k's price. */
export function dependsOn(spec: BookSpec, a: BookAccount): number {
  let mask = 0;
  for (const c of a.collateral) mask |= 1 << spec.collateralAssets[c.asset]!.underlying;
  for (const p of a.positions) mask |= 1 << spec.markets[p.market]!.underlying;
  return mask;
}

/**
 * The packed (float) book follows a liquidated account: liquidations change cash, amounts and sizes, never which
 * holdings it has.
 */
export function repack(spec: BookSpec, a: BookAccount, i: number, packed: PackedAccounts): void {
  packed.cash[i] = fromWad(a.cash);
  let e = packed.start[i]!;
  for (const c of a.collateral) packed.size[e++] = Number(c.amount) / 10 ** spec.collateralAssets[c.asset]!.decimals;
  for (const p of a.positions) packed.size[e++] = fromWad(p.size);
}
