/**
 * The three regimes the simulator compares, each a margin model over the same book:
 *
 * - **Gen 1**, isolated with static ratios (an Aave v1 / isolated-margin venue): each underlying's
 *   holdings are their own account (the book is split), and each needs a fixed share of its gross
 *   exposure: `scanRange` (maintenance) or `scanRange × initialMultiple` (initial) of every
 *   collateral's haircut value and every perp's and short option's notional, nothing netted.
 *   Long options count at their mark and need nothing. Float64: this is not the hub's model.
 * - **Gen 2**, cross margin on the static SPAN grid: the hub's model (`portfolioMargin`), screened
 *   in float64 and sized on the exact figures, as the keeper does.
 * - **Gen 3**, the same model with the grid and haircuts the parameter engine proposes, moved
 *   through the steward's bounds, and the urgency-scaled bonus.
 */
import { ExactBook } from '@omnichain-collateral/sdk/risk/exactBook';
import type { MarginFigures } from '@omnichain-collateral/sdk/risk/marginModel';
import { PERP, type Underlying } from '@omnichain-collateral/sdk/risk/portfolioMargin';
import {
  blackScholesFloat,
  buildRiskArrays,
  screenBook,
  SCREEN_CANDIDATE,
  type BookAccount,
  type BookSpec,
  type PackedAccounts,
  type ScreenOutput,
} from '@omnichain-collateral/sdk/risk/screening';
import { fromWad, usdWad } from './market.js';

export const REGIMES = ['Gen 1', 'Gen 2', 'Gen 3'] as const;
export type RegimeName = (typeof REGIMES)[number];

export interface Regime {
  name: RegimeName;
  /** each underlying margined alone (the book split per underlying) */
  isolated: boolean;
  /** parameters from the engine through the steward */
  dynamic: boolean;
  /** the urgency-scaled bonus instead of the flat one */
  urgencyBonus: boolean;
}

export const REGIME: Record<RegimeName, Regime> = {
  'Gen 1': { name: 'Gen 1', isolated: true, dynamic: false, urgencyBonus: false },
  'Gen 2': { name: 'Gen 2', isolated: false, dynamic: false, urgencyBonus: false },
  'Gen 3': { name: 'Gen 3', isolated: false, dynamic: true, urgencyBonus: true },
};

/** A regime's margin model at one block's prices and parameters. */
export interface MarginModel {
  /** float figures of every account into `out` (`flags` marks the accounts worth an exact check) */
  screen(accounts: PackedAccounts, out: ScreenOutput): void;
  /** the figures a liquidation of this account is sized on */
  figures(account: BookAccount): MarginFigures;
}

/** The hub's model: SPAN risk arrays to screen, the exact bigint model for the candidates. */
export function spanModel(spec: BookSpec, underlyings: readonly Underlying[]): MarginModel {
  const risk = buildRiskArrays(spec, underlyings);
  const exact = new ExactBook(spec, underlyings);
  return {
    screen: (accounts, out) => void screenBook(risk, accounts, out),
    figures: (account) => exact.evaluate(account),
  };
}

/**
 * Gen 1's static ratios (see the file comment), per instrument: collateral assets first, then markets, as in
 * PackedAccounts.
 */
export function staticModel(spec: BookSpec, underlyings: readonly Underlying[]): MarginModel {
  const n = spec.collateralAssets.length + spec.markets.length;
  // Per unit: value counted in equity, and exposure charged the ratio (for options, shorts only).
  const valueM = new Float64Array(n);
  const valueI = new Float64Array(n);
  const riskM = new Float64Array(n);
  const riskI = new Float64Array(n);
  const shortOnly = new Uint8Array(n);
  spec.collateralAssets.forEach((a, i) => {
    const u = underlyings[a.underlying]!;
    const spot = fromWad(u.spot);
    const ratio = fromWad(u.params.scanRange);
    valueM[i] = spot * (1 - fromWad(a.maintenanceHaircut));
    valueI[i] = spot * (1 - fromWad(a.initialHaircut));
    riskM[i] = valueM[i]! * ratio;
    riskI[i] = valueI[i]! * ratio * fromWad(u.params.initialMultiple);
  });
  spec.markets.forEach((m, j) => {
    const i = spec.collateralAssets.length + j;
    const u = underlyings[m.underlying]!;
    const spot = fromWad(u.spot);
    const ratio = fromWad(u.params.scanRange);
    const mark =
      m.kind === PERP
        ? spot
        : blackScholesFloat(spot, fromWad(m.strike), fromWad(u.vol), fromWad(m.timeYears), m.kind === 1).price;
    valueM[i] = valueI[i] = mark;
    riskM[i] = spot * ratio;
    riskI[i] = spot * ratio * fromWad(u.params.initialMultiple);
    shortOnly[i] = m.kind === PERP ? 0 : 1;
  });
  const figuresAt = (
    cash: number,
    instruments: ArrayLike<number>,
    sizes: ArrayLike<number>,
    from: number,
    to: number,
  ) => {
    let equityM = cash;
    let equityI = cash;
    let requirementM = 0;
    let requirementI = 0;
    for (let e = from; e < to; e++) {
      const inst = instruments[e]!;
      const size = sizes[e]!;
      equityM += size * valueM[inst]!;
      equityI += size * valueI[inst]!;
      const charged = shortOnly[inst] ? Math.max(0, -size) : Math.abs(size);
      requirementM += charged * riskM[inst]!;
      requirementI += charged * riskI[inst]!;
    }
    return { equityM, equityI, requirementM, requirementI };
  };
  return {
    screen(accounts, out) {
      for (let i = 0; i < accounts.count; i++) {
        const f = figuresAt(
          accounts.cash[i]!,
          accounts.instrument,
          accounts.size,
          accounts.start[i]!,
          accounts.start[i + 1]!,
        );
        out.equityM[i] = f.equityM;
        out.equityI[i] = f.equityI;
        out.requirementM[i] = out.requirementMCeiling[i] = f.requirementM;
        out.requirementI[i] = f.requirementI;
        out.flags[i] = f.equityM < f.requirementM ? SCREEN_CANDIDATE : 0;
      }
    },
    figures(account) {
      const instruments = [
        ...account.collateral.map((c) => c.asset),
        ...account.positions.map((p) => spec.collateralAssets.length + p.market),
      ];
      const sizes = [
        ...account.collateral.map((c) => Number(c.amount) / 10 ** spec.collateralAssets[c.asset]!.decimals),
        ...account.positions.map((p) => fromWad(p.size)),
      ];
      const f = figuresAt(fromWad(account.cash), instruments, sizes, 0, sizes.length);
      return {
        initialEquity: usdWad(f.equityI),
        maintenanceEquity: usdWad(f.equityM),
        initialRequirement: usdWad(f.requirementI),
        maintenanceRequirement: usdWad(f.requirementM),
      };
    },
  };
}

/** Σ |size| × spot over an account's holdings: the gross notional capital efficiency divides by. */
export function grossNotional(spec: BookSpec, spots: readonly number[], accounts: PackedAccounts, i: number): number {
  let gross = 0;
  for (let e = accounts.start[i]!; e < accounts.start[i + 1]!; e++) {
    const inst = accounts.instrument[e]!;
    const underlying =
      inst < spec.collateralAssets.length
        ? spec.collateralAssets[inst]!.underlying
        : spec.markets[inst - spec.collateralAssets.length]!.underlying;
    gross += Math.abs(accounts.size[e]!) * spots[underlying]!;
  }
  return gross;
}
