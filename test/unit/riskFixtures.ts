/**
 * Shared fixtures of the risk tests: an ETH-like underlying, WETH collateral, perps, and the
 * small portfolios whose maintenance requirement is known in whole dollars. The exact model's
 * test (portfolioMargin.test.ts) asserts those figures to the wei; the screening test asserts
 * the float path lands on them.
 */
import { WAD } from '@omnichain-collateral/sdk/risk/fixedPoint';
import {
  CALL,
  PERP,
  type Collateral,
  type PairOffset,
  type Position,
  type RiskParams,
  type Underlying,
} from '@omnichain-collateral/sdk/risk/portfolioMargin';

export const W = WAD;
export const PCT = W / 100n;

/** Scenario grid of the fixtures: 15% moves, vol ±25%, 2× extremes at 35%, initial 1.5×, 2% short-option minimum. */
export const riskParams = (): RiskParams => ({
  scanRange: 15n * PCT,
  volShift: 25n * PCT,
  extremeMultiple: 2n * W,
  extremeCover: 35n * PCT,
  initialMultiple: 150n * PCT,
  shortOptionMinimum: 2n * PCT,
});

export const eth = (): Underlying => ({ spot: 3000n * W, vol: 80n * PCT, params: riskParams() });
export const btc = (): Underlying => ({ ...eth(), spot: 60_000n * W });
export const weth = (amount: bigint): Collateral => ({
  underlying: 0,
  amount,
  decimals: 18,
  initialHaircut: 5n * PCT,
  maintenanceHaircut: 2n * PCT,
});
export const perp = (size: bigint, underlying = 0): Position => ({
  underlying,
  kind: PERP,
  size,
  strike: 0n,
  timeYears: 0n,
});
/** Half the smaller requirement back when ETH and BTC exposures point opposite ways. */
export const ethBtcCredit = (): PairOffset[] => [{ a: 0, b: 1, credit: 50n * PCT }];

export interface RequirementCase {
  /** The rule the case shows; cases of one rule are one test of the exact model. */
  rule: string;
  cash: bigint;
  underlyings: Underlying[];
  collateral: Collateral[];
  positions: Position[];
  offsets: PairOffset[];
  /** Maintenance requirement, whole USD. */
  maintenanceUsd: number;
}

const NO_DEBT =
  'requires nothing of an account with no positions and no debt, and prices collateral risk once it borrows';
const SHORT_MINIMUM = 'charges a far out-of-the-money short call at least the short-option minimum';
const PAIR_CREDIT = 'credits a correlated pair only when the exposures point opposite ways';

export const REQUIREMENT_CASES: readonly RequirementCase[] = [
  {
    rule: NO_DEBT,
    cash: 0n,
    underlyings: [eth()],
    collateral: [weth(10n * W)],
    positions: [],
    offsets: [],
    maintenanceUsd: 0,
  },
  {
    rule: NO_DEBT,
    cash: -W,
    underlyings: [eth()],
    collateral: [weth(10n * W)],
    positions: [],
    offsets: [],
    maintenanceUsd: 4410,
  },
  {
    rule: SHORT_MINIMUM,
    cash: 10_000n * W,
    underlyings: [eth()],
    collateral: [],
    positions: [{ underlying: 0, kind: CALL, size: -W, strike: 30_000n * W, timeYears: 2n * PCT }],
    offsets: [],
    maintenanceUsd: 60,
  },
  {
    rule: PAIR_CREDIT,
    cash: 0n,
    underlyings: [eth(), btc()],
    collateral: [],
    positions: [perp(20n * W), perp(-W, 1)],
    offsets: ethBtcCredit(),
    maintenanceUsd: 13_500,
  },
  {
    rule: PAIR_CREDIT,
    cash: 0n,
    underlyings: [eth(), btc()],
    collateral: [],
    positions: [perp(20n * W), perp(W, 1)],
    offsets: ethBtcCredit(),
    maintenanceUsd: 18_000,
  },
];
