/**
 * `contracts/src/risk/PortfolioMargin.sol` in bigint: SPAN-style scenario margin per underlying
 * with collateral shocked alongside perps and options (docs/risk-model.md section 6). Same
 * integer operations, same order, so both return the same figures to the wei.
 */
import { mulWadDown, mulWadUp, pow10, WAD } from './fixedPoint.js';
import { blackScholes, type Greeks } from './optionMath.js';

/** Prices one option at rate 0; the model's only use of Black-Scholes, so a book can memoize it. */
export type OptionPricer = (spot: bigint, strike: bigint, vol: bigint, timeYears: bigint, isCall: boolean) => Greeks;
export const blackScholesPricer: OptionPricer = (spot, strike, vol, timeYears, isCall) =>
  blackScholes(spot, strike, vol, timeYears, 0n, isCall);

export const PERP = 0;
export const CALL = 1;
export const PUT = 2;

export interface RiskParams {
  scanRange: bigint;
  volShift: bigint;
  extremeMultiple: bigint;
  extremeCover: bigint;
  initialMultiple: bigint;
  shortOptionMinimum: bigint;
}

export interface Underlying {
  spot: bigint;
  vol: bigint;
  params: RiskParams;
}

export interface Collateral {
  underlying: number;
  amount: bigint;
  decimals: number;
  initialHaircut: bigint;
  maintenanceHaircut: bigint;
}

export interface Position {
  underlying: number;
  kind: number;
  size: bigint;
  strike: bigint;
  timeYears: bigint;
}

/** Credit `credit` of the smaller requirement of `a` and `b` when exposures to them point opposite ways. */
export interface PairOffset {
  a: number;
  b: number;
  credit: bigint;
}

export interface PortfolioResult {
  initialEquity: bigint;
  maintenanceEquity: bigint;
  initialRequirement: bigint;
  maintenanceRequirement: bigint;
  delta: bigint[];
  vega: bigint[];
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);

export function collateralValue(c: Collateral, spot: bigint, haircut: bigint): bigint {
  return (((c.amount * spot) / pow10(c.decimals)) * (WAD - haircut)) / WAD;
}

/** The pricer's figures for an option position; rejects kinds other than CALL and PUT. */
function optionGreeks(p: Position, spot: bigint, vol: bigint, price: OptionPricer): Greeks {
  if (p.kind !== CALL && p.kind !== PUT) throw new Error(`UnknownKind(${p.kind})`);
  return price(spot, p.strike, vol, p.timeYears, p.kind === CALL);
}

/**
 * A position's value, the one definition: size × spot for a perp, size × the option's price
 * otherwise, rounded toward minus infinity. What each scenario sums, without delta or vega.
 */
export function positionMark(p: Position, spot: bigint, vol: bigint, price: OptionPricer = blackScholesPricer): bigint {
  return mulWadDown(p.size, p.kind === PERP ? spot : optionGreeks(p, spot, vol, price).price);
}

export function positionValue(
  p: Position,
  spot: bigint,
  vol: bigint,
  price: OptionPricer = blackScholesPricer,
): { value: bigint; delta: bigint; vega: bigint } {
  if (p.kind === PERP) return { value: positionMark(p, spot, vol, price), delta: p.size, vega: 0n };
  const g = optionGreeks(p, spot, vol, price);
  // The value from the figures already in hand: the option is priced once.
  return { value: positionMark(p, spot, vol, () => g), delta: (p.size * g.delta) / WAD, vega: (p.size * g.vega) / WAD };
}

export function shiftedSpot(spot: bigint, move: bigint): bigint {
  const s = spot + (spot * move) / WAD;
  return s < 1n ? 1n : s;
}

function exposureValue(
  k: number,
  c: readonly Collateral[],
  p: readonly Position[],
  spot: bigint,
  vol: bigint,
  initial: boolean,
  price: OptionPricer,
): bigint {
  let v = 0n;
  for (const col of c)
    if (col.underlying === k) v += collateralValue(col, spot, initial ? col.initialHaircut : col.maintenanceHaircut);
  for (const pos of p) if (pos.underlying === k) v += positionMark(pos, spot, vol, price);
  return v;
}

export function worstLoss(
  und: Underlying,
  k: number,
  c: readonly Collateral[],
  p: readonly Position[],
  range: bigint,
  initial: boolean,
  price: OptionPricer = blackScholesPricer,
): bigint {
  let worst = 0n;
  const base = exposureValue(k, c, p, und.spot, und.vol, initial, price);
  for (let step = -3n; step <= 3n; step++) {
    const spot = shiftedSpot(und.spot, (range * step) / 3n);
    for (let sign = -1n; sign <= 1n; sign += 2n) {
      const vol = und.vol + (und.vol * und.params.volShift * sign) / WAD;
      worst = max(worst, base - exposureValue(k, c, p, spot, vol < 0n ? 0n : vol, initial, price));
    }
  }
  const extreme = (range * und.params.extremeMultiple) / WAD;
  for (let sign = -1n; sign <= 1n; sign += 2n) {
    const loss = base - exposureValue(k, c, p, shiftedSpot(und.spot, extreme * sign), und.vol, initial, price);
    if (loss > 0n) worst = max(worst, mulWadUp(loss, und.params.extremeCover));
  }
  return worst;
}

function shortOptionCharge(p: readonly Position[], k: number, spot: bigint, minimum: bigint): bigint {
  let charge = 0n;
  for (const pos of p)
    if (pos.underlying === k && pos.kind !== PERP && pos.size < 0n)
      charge += mulWadUp(mulWadUp(-pos.size, spot), minimum);
  return charge;
}

/** Sum of per-underlying requirements less pair credits (each unit of risk offset once), never below the largest. */
export function afterOffsets(req: bigint[], delta: readonly bigint[], offsets: readonly PairOffset[]): bigint {
  let total = 0n;
  let largest = 0n;
  for (const r of req) {
    total += r;
    largest = max(largest, r);
  }
  for (const { a, b, credit } of offsets) {
    if (a >= req.length || b >= req.length || a === b) throw new Error(`UnknownUnderlying(${a >= req.length ? a : b})`);
    const da = delta[a]!;
    const db = delta[b]!;
    if ((da > 0n && db < 0n) || (da < 0n && db > 0n)) {
      const matched = req[a]! < req[b]! ? req[a]! : req[b]!;
      req[a]! -= matched;
      req[b]! -= matched;
      total -= (matched * credit) / WAD;
    }
  }
  return max(total, largest);
}

/** What an account's margin check starts from: its equities and its exposure to each underlying. */
function exposures(
  cash: bigint,
  u: readonly Underlying[],
  c: readonly Collateral[],
  p: readonly Position[],
  price: OptionPricer,
): PortfolioResult {
  const r: PortfolioResult = {
    initialEquity: cash,
    maintenanceEquity: cash,
    initialRequirement: 0n,
    maintenanceRequirement: 0n,
    delta: u.map(() => 0n),
    vega: u.map(() => 0n),
  };
  for (const col of c) {
    const und = u[col.underlying];
    if (!und) throw new Error(`UnknownUnderlying(${col.underlying})`);
    r.initialEquity += collateralValue(col, und.spot, col.initialHaircut);
    r.maintenanceEquity += collateralValue(col, und.spot, col.maintenanceHaircut);
    r.delta[col.underlying]! += (col.amount * WAD) / pow10(col.decimals);
  }
  for (const pos of p) {
    const und = u[pos.underlying];
    if (!und) throw new Error(`UnknownUnderlying(${pos.underlying})`);
    const { value, delta, vega } = positionValue(pos, und.spot, und.vol, price);
    r.initialEquity += value;
    r.maintenanceEquity += value;
    r.delta[pos.underlying]! += delta;
    r.vega[pos.underlying]! += vega;
  }
  return r;
}

/** Nothing owed and nothing open: no move can make the account owe the protocol anything. */
const nothingAtRisk = (cash: bigint, p: readonly Position[]) => p.length === 0 && cash >= 0n;

/** Each underlying's short-option minimum: the least either requirement on it can be. */
function shortOptionMinimums(u: readonly Underlying[], p: readonly Position[]): bigint[] {
  return u.map((und, k) => shortOptionCharge(p, k, und.spot, und.params.shortOptionMinimum));
}

/** Each underlying's maintenance requirement before pair credits: its worst loss on the grid, at least its short-option minimum. */
function maintenanceByUnderlying(
  u: readonly Underlying[],
  c: readonly Collateral[],
  p: readonly Position[],
  price: OptionPricer,
  shortMinimums: readonly bigint[],
): bigint[] {
  return u.map((und, k) => max(worstLoss(und, k, c, p, und.params.scanRange, false, price), shortMinimums[k]!));
}

export function portfolioMargin(
  cash: bigint,
  u: readonly Underlying[],
  c: readonly Collateral[],
  p: readonly Position[],
  offsets: readonly PairOffset[] = [],
  price: OptionPricer = blackScholesPricer,
): PortfolioResult {
  const r = exposures(cash, u, c, p, price);
  if (nothingAtRisk(cash, p)) return r;
  const shortMinimums = shortOptionMinimums(u, p);
  const reqM = maintenanceByUnderlying(u, c, p, price, shortMinimums);
  // At least the maintenance figure: the initial grid is wider but coarser.
  const reqI = u.map((und, k) => {
    const range = (und.params.scanRange * und.params.initialMultiple) / WAD;
    return max(max(worstLoss(und, k, c, p, range, true, price), shortMinimums[k]!), reqM[k]!);
  });
  r.maintenanceRequirement = afterOffsets(reqM, r.delta, offsets);
  r.initialRequirement = afterOffsets(reqI, r.delta, offsets);
  return r;
}

/** The maintenance half of `portfolioMargin`'s result: what liquidation is decided on. */
export type MaintenanceResult = Pick<
  PortfolioResult,
  'maintenanceEquity' | 'maintenanceRequirement' | 'delta' | 'vega'
>;

/**
 * `portfolioMargin`'s maintenance figures, to the wei, without the initial grid: half the
 * scenarios. Whether an account can be liquidated, and how much, depends on these alone; the
 * keeper confirms thousands of candidates with them in one pass of a crash.
 */
export function maintenanceMargin(
  cash: bigint,
  u: readonly Underlying[],
  c: readonly Collateral[],
  p: readonly Position[],
  offsets: readonly PairOffset[] = [],
  price: OptionPricer = blackScholesPricer,
): MaintenanceResult {
  const { maintenanceEquity, delta, vega } = exposures(cash, u, c, p, price);
  const maintenanceRequirement = nothingAtRisk(cash, p)
    ? 0n
    : afterOffsets(maintenanceByUnderlying(u, c, p, price, shortOptionMinimums(u, p)), delta, offsets);
  return { maintenanceEquity, maintenanceRequirement, delta, vega };
}
