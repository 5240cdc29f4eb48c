/**
 * The per-account screen: dot products of holdings and risk arrays into per-underlying sums, then
 * the non-linear steps (worst loss, extreme cover, short-option minimum) on those sums.
 */
import type { Collateral, PairOffset, Position, Underlying } from '../portfolioMargin.js';
import type { BookSpec, BookAccount } from './book.js';
import { isLiquidationCandidate } from './errorBound.js';
import {
  SCENARIO_COUNT,
  REGULAR_SCENARIOS,
  BASE_M,
  BASE_I,
  DELTA,
  SCEN_M,
  SCEN_I,
  LINEAR,
  DELTA_TOL,
  SHORT_CHARGE,
  ACC_WIDTH,
  EXPOSURE,
  RISK_RECORD_WIDTH,
  float64Array,
  CONCENTRATION_WIDTH,
} from './layout.js';
import { requirementsAfterOffsets } from './offsets.js';
import { type PackedAccounts, packAccounts } from './packing.js';
import { type RiskArrays, buildRiskArrays, concentrationFactors } from './riskArrays.js';

/** `ScreenOutput.flags` bit: check this account exactly (it may be liquidatable). */
export const SCREEN_CANDIDATE = 1;
/** `ScreenOutput.flags` bit: a delta sign deciding a pair credit was within rounding of zero. */
export const SCREEN_OFFSET_UNCERTAIN = 2;

export interface ScreenResult {
  equityM: number;
  requirementM: number;
  equityI: number;
  requirementI: number;
  /** requirementM, or if a pair credit was uncertain the largest requirement any choice gives. */
  requirementMCeiling: number;
  grossExposure: number;
  offsetUncertain: boolean;
  candidate: boolean;
}

/** Per-account results for a whole book, indexed like the accounts. */
export interface ScreenOutput {
  equityM: Float64Array;
  requirementM: Float64Array;
  equityI: Float64Array;
  requirementI: Float64Array;
  requirementMCeiling: Float64Array;
  grossExposure: Float64Array;
  flags: Uint8Array;
}

export function allocateScreenOutput(count: number, options: { shared?: boolean } = {}): ScreenOutput {
  const shared = options.shared ?? false;
  return {
    equityM: float64Array(count, shared),
    requirementM: float64Array(count, shared),
    equityI: float64Array(count, shared),
    requirementI: float64Array(count, shared),
    requirementMCeiling: float64Array(count, shared),
    grossExposure: float64Array(count, shared),
    flags: shared ? new Uint8Array(new SharedArrayBuffer(count)) : new Uint8Array(count),
  };
}

/** Per-call working memory, sized for one book, so the account loop allocates nothing. */
export class Scratch {
  readonly acc: Float64Array;
  readonly reqM: Float64Array;
  readonly reqI: Float64Array;
  readonly work: Float64Array;
  readonly opposite: Uint8Array;
  readonly uncertain: Int32Array;
  readonly apply: Uint8Array;
  readonly factors = new Float64Array(2);
  readonly result: ScreenResult = {
    equityM: 0,
    requirementM: 0,
    equityI: 0,
    requirementI: 0,
    requirementMCeiling: 0,
    grossExposure: 0,
    offsetUncertain: false,
    candidate: false,
  };

  constructor(risk: RiskArrays) {
    this.acc = new Float64Array(risk.underlyingCount * ACC_WIDTH);
    this.reqM = new Float64Array(risk.underlyingCount);
    this.reqI = new Float64Array(risk.underlyingCount);
    this.work = new Float64Array(risk.underlyingCount);
    this.opposite = new Uint8Array(risk.offsetA.length);
    this.uncertain = new Int32Array(risk.offsetA.length);
    this.apply = new Uint8Array(risk.offsetA.length);
  }
}

/** Screens accounts `[from, to)` into `out` (a worker's slice); returns how many are candidates. */
export function screenBook(
  risk: RiskArrays,
  accounts: PackedAccounts,
  out: ScreenOutput,
  from = 0,
  to = accounts.count,
): number {
  if (from < 0 || to > accounts.count || from > to || out.flags.length < accounts.count)
    throw new RangeError(`bad range [${from}, ${to}) for ${accounts.count} accounts`);
  const scratch = new Scratch(risk);
  const r = scratch.result;
  let candidates = 0;
  for (let i = from; i < to; i++) {
    evaluateAccount(risk, accounts, i, scratch);
    out.equityM[i] = r.equityM;
    out.requirementM[i] = r.requirementM;
    out.equityI[i] = r.equityI;
    out.requirementI[i] = r.requirementI;
    out.requirementMCeiling[i] = r.requirementMCeiling;
    out.grossExposure[i] = r.grossExposure;
    out.flags[i] = (r.candidate ? SCREEN_CANDIDATE : 0) | (r.offsetUncertain ? SCREEN_OFFSET_UNCERTAIN : 0);
    if (r.candidate) candidates++;
  }
  return candidates;
}

/** Screens one account of a packed book. */
export function screenAccount(risk: RiskArrays, accounts: PackedAccounts, index: number): ScreenResult {
  if (index < 0 || index >= accounts.count) throw new RangeError(`no account ${index}`);
  const scratch = new Scratch(risk);
  evaluateAccount(risk, accounts, index, scratch);
  return { ...scratch.result };
}

/**
 * Screens one portfolio given as `portfolioMargin` takes it (its collateral entries and
 * positions become a one-account book). For tests and one-offs; books should share risk arrays.
 */
export function screenPortfolio(
  cash: bigint,
  underlyings: readonly Underlying[],
  collateral: readonly Collateral[],
  positions: readonly Position[],
  offsets: readonly PairOffset[] = [],
): ScreenResult {
  const spec: BookSpec = {
    underlyingCount: underlyings.length,
    collateralAssets: collateral.map(({ underlying, decimals, initialHaircut, maintenanceHaircut }) => ({
      underlying,
      decimals,
      initialHaircut,
      maintenanceHaircut,
    })),
    markets: positions.map(({ underlying, kind, strike, timeYears }) => ({ underlying, kind, strike, timeYears })),
    offsets,
  };
  const account: BookAccount = {
    cash,
    collateral: collateral.map((c, asset) => ({ asset, amount: c.amount })),
    positions: positions.map((p, market) => ({ market, size: p.size })),
  };
  return screenAccount(buildRiskArrays(spec, underlyings), packAccounts(spec, [account]), 0);
}

/** The hot path: dot products into per-underlying sums, then the non-linear steps on those sums. */
function evaluateAccount(risk: RiskArrays, accounts: PackedAccounts, i: number, s: Scratch): void {
  const { acc } = s;
  const cash = accounts.cash[i]!;
  acc.fill(0);
  let exposure = Math.abs(cash);
  let positions = 0;
  const values = risk.values;
  for (let e = accounts.start[i]!, end = accounts.start[i + 1]!; e < end; e++) {
    const inst = accounts.instrument[e]!;
    const size = accounts.size[e]!;
    const rec = inst * RISK_RECORD_WIDTH;
    const a = risk.underlyingOf[inst]! * ACC_WIDTH;
    if (inst < risk.collateralCount && risk.concentration[inst * CONCENTRATION_WIDTH] !== 0)
      addConcentrated(risk, inst, size, acc, a, s.factors);
    else for (let k = 0; k < LINEAR; k++) acc[a + k]! += size * values[rec + k]!;
    const abs = Math.abs(size);
    acc[a + DELTA_TOL]! += abs * values[rec + DELTA_TOL]!;
    if (size < 0) acc[a + SHORT_CHARGE]! -= size * values[rec + SHORT_CHARGE]!;
    exposure += abs * values[rec + EXPOSURE]!;
    if (inst >= risk.collateralCount) positions++;
  }
  const r = s.result;
  r.equityM = cash;
  r.equityI = cash;
  for (let k = 0; k < risk.underlyingCount; k++) {
    r.equityM += acc[k * ACC_WIDTH + BASE_M]!;
    r.equityI += acc[k * ACC_WIDTH + BASE_I]!;
  }
  r.grossExposure = exposure;
  r.offsetUncertain = false;
  // Nothing owed and nothing open: no requirement (the same test as portfolioMargin's, on exact inputs).
  if (positions === 0 && cash >= 0) {
    r.requirementM = r.requirementI = r.requirementMCeiling = 0;
  } else {
    underlyingRequirements(risk, s);
    requirementsAfterOffsets(risk, s);
  }
  // With nothing owed and nothing open the requirement is exactly 0 and equity is at least 0, so
  // the account is never liquidatable (health is infinite); only the float margin could flag it.
  r.candidate =
    positions === 0 && cash >= 0 ? false : isLiquidationCandidate(r.equityM, r.requirementMCeiling, r.grossExposure);
}

/** A collateral holding with a concentration add-on: its values scaled per grid, its delta not. */
function addConcentrated(
  risk: RiskArrays,
  inst: number,
  size: number,
  acc: Float64Array,
  a: number,
  factors: Float64Array,
): void {
  concentrationFactors(risk, inst, size, factors);
  const [fM, fI] = [factors[0]!, factors[1]!];
  const rec = inst * RISK_RECORD_WIDTH;
  const v = risk.values;
  acc[a + BASE_M]! += size * v[rec + BASE_M]! * fM;
  acc[a + BASE_I]! += size * v[rec + BASE_I]! * fI;
  acc[a + DELTA]! += size * v[rec + DELTA]!;
  for (let k = 0; k < SCENARIO_COUNT; k++) {
    acc[a + SCEN_M + k]! += size * v[rec + SCEN_M + k]! * fM;
    acc[a + SCEN_I + k]! += size * v[rec + SCEN_I + k]! * fI;
  }
}

function underlyingRequirements(risk: RiskArrays, s: Scratch): void {
  for (let k = 0; k < risk.underlyingCount; k++) {
    const a = k * ACC_WIDTH;
    const cover = risk.extremeCover[k]!;
    const shortCharge = s.acc[a + SHORT_CHARGE]!;
    const m = Math.max(worstLoss(s.acc, a + SCEN_M, s.acc[a + BASE_M]!, cover), shortCharge);
    s.reqM[k] = m;
    // At least the maintenance figure, as portfolioMargin does.
    s.reqI[k] = Math.max(worstLoss(s.acc, a + SCEN_I, s.acc[a + BASE_I]!, cover), shortCharge, m);
  }
}

/** Worst loss over one grid's 16 scenario sums starting at `first`; extreme moves count at `cover`. */
function worstLoss(acc: Float64Array, first: number, base: number, cover: number): number {
  let worst = 0;
  for (let k = 0; k < REGULAR_SCENARIOS; k++) worst = Math.max(worst, base - acc[first + k]!);
  for (let k = REGULAR_SCENARIOS; k < SCENARIO_COUNT; k++) {
    const loss = base - acc[first + k]!;
    if (loss > 0) worst = Math.max(worst, loss * cover);
  }
  return worst;
}
