/**
 * One liquidation of the simulator's keeper, as the relayer's keeper and the hub make it: debt
 * repaid against a collateral with the hub's sizing, or a position taken over at the mark with the
 * position penalty (stress/takeover.ts); and the hub's resolution of an account left with nothing
 * but debt.
 */
import { WAD } from '@omnichain-collateral/sdk/risk/fixedPoint';
import { liquidationAmounts } from '@omnichain-collateral/sdk/risk/liquidation';
import type { MarginFigures } from '@omnichain-collateral/sdk/risk/marginModel';
import { PERP, type Underlying } from '@omnichain-collateral/sdk/risk/portfolioMargin';
import { blackScholes } from '@omnichain-collateral/sdk/risk/optionMath';
import type { BookAccount, BookSpec } from '@omnichain-collateral/sdk/risk/screening';
import { FLAT_BONUS_LIQUIDATION, fromWad, LIQUIDATION, SETTLEMENT_STEP, type StressAsset } from './market.js';
import type { Regime } from './regimes.js';
import { takeOver } from './takeover.js';

/** One liquidation: what the account paid, the keeper's repayment and the tokens it is owed, the insurance fund's share. */
export type Action = { costUsd: number; repay: bigint; units: number; underlying: number; insuranceUsd: number };

/**
 * One liquidation of a liquidatable account, the keeper's way (relayer/src/services/keeper): debt
 * against the collateral with the lowest bonus (then the largest), sized by the hub's rule;
 * without debt or collateral, the largest position taken over at the mark.
 */
export function liquidateOnce(
  spec: BookSpec,
  u: readonly Underlying[],
  regime: Regime,
  account: BookAccount,
  f: MarginFigures,
  h: bigint,
  budget: bigint,
  evaluate: (account: BookAccount) => MarginFigures,
): Action | 'no capital' | undefined {
  const held = account.collateral.filter((c) => c.amount > 0n);
  if (account.cash < 0n && held.length > 0) {
    const value = (c: { asset: number; amount: bigint }) =>
      (c.amount * u[spec.collateralAssets[c.asset]!.underlying]!.spot) /
      10n ** BigInt(spec.collateralAssets[c.asset]!.decimals);
    const choice = held.sort(
      (x, y) =>
        cmp(
          (spec.collateralAssets[x.asset] as StressAsset).liquidationBonus,
          (spec.collateralAssets[y.asset] as StressAsset).liquidationBonus,
        ) || cmp(value(y), value(x)),
    )[0]!;
    const asset = spec.collateralAssets[choice.asset] as StressAsset;
    const maxRepay = (budget / SETTLEMENT_STEP) * SETTLEMENT_STEP;
    if (maxRepay === 0n) return 'no capital';
    const price = u[asset.underlying]!.spot;
    const { repay, seized } = liquidationAmounts({
      equity: f.maintenanceEquity,
      requirement: f.maintenanceRequirement,
      debt: -account.cash,
      held: choice.amount,
      maxRepay,
      step: SETTLEMENT_STEP,
      price,
      decimals: asset.decimals,
      maintenanceHaircut: asset.maintenanceHaircut,
      maxBonus: asset.liquidationBonus,
      params: regime.urgencyBonus ? LIQUIDATION : FLAT_BONUS_LIQUIDATION,
    });
    if (repay === 0n || seized === 0n) return undefined;
    account.cash += repay;
    choice.amount -= seized;
    const units = Number(seized) / 10 ** asset.decimals;
    return {
      costUsd: units * fromWad(price) - fromWad(repay),
      repay,
      units,
      underlying: asset.underlying,
      insuranceUsd: 0,
    };
  }
  const open = account.positions.filter((p) => p.size !== 0n);
  if (open.length === 0) return undefined;
  const markOf = (market: number) => {
    const m = spec.markets[market]!;
    const und = u[m.underlying]!;
    return m.kind === PERP ? und.spot : blackScholes(und.spot, m.strike, und.vol, m.timeYears, 0n, m.kind === 1).price;
  };
  const byNotional = open
    .map((p) => ({ p, mark: markOf(p.market) }))
    .sort((x, y) => cmp(abs(y.p.size * y.mark), abs(x.p.size * x.mark)));
  // The largest position the hub lets the keeper take, alone or as a slice of the book (the hub
  // refuses one whose slice lowers health).
  for (const marked of byNotional) {
    const penalty = takeOver(account, marked, byNotional, f, h, evaluate);
    if (penalty !== undefined) {
      const insuranceUsd = fromWad((penalty * LIQUIDATION.insuranceShare) / WAD);
      return { costUsd: fromWad(penalty), repay: 0n, units: 0, underlying: 0, insuranceUsd };
    }
  }
  return undefined;
}

/** An account left with nothing but debt: the debt is bad debt (the hub's `_resolveBadDebtIfBankrupt`). */
export function resolveIfBankrupt(account: BookAccount): number {
  if (
    account.cash >= 0n ||
    account.collateral.some((c) => c.amount > 0n) ||
    account.positions.some((p) => p.size !== 0n)
  )
    return 0;
  const debt = -fromWad(account.cash);
  account.cash = 0n;
  return debt;
}

const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
const abs = (x: bigint) => (x < 0n ? -x : x);
