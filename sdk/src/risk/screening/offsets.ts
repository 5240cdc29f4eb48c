/**
 * Pair credits in float: applied when two underlyings' deltas have opposite signs, with the
 * ceiling over every choice when a delta is within rounding of zero.
 */
import { DELTA, DELTA_TOL, ACC_WIDTH } from './layout.js';
import type { RiskArrays } from './riskArrays.js';
import type { Scratch } from './screen.js';

/**
 * Pair credits apply when the two deltas have opposite signs. A delta within its tolerance of
 * zero could have either sign in the exact path, and credits interact (each one shrinks what the
 * next can match), so the ceiling is the largest total over every choice for uncertain pairs.
 */
export function requirementsAfterOffsets(risk: RiskArrays, s: Scratch): void {
  const r = s.result;
  let uncertainCount = 0;
  for (let p = 0; p < risk.offsetA.length; p++) {
    const a = risk.offsetA[p]! * ACC_WIDTH;
    const b = risk.offsetB[p]! * ACC_WIDTH;
    const da = s.acc[a + DELTA]!;
    const db = s.acc[b + DELTA]!;
    s.opposite[p] = (da > 0 && db < 0) || (da < 0 && db > 0) ? 1 : 0;
    const signA = deltaSign(da, s.acc[a + DELTA_TOL]!);
    const signB = deltaSign(db, s.acc[b + DELTA_TOL]!);
    const exactZero = signA === 0 || signB === 0;
    if (!exactZero && (Number.isNaN(signA) || Number.isNaN(signB))) s.uncertain[uncertainCount++] = p;
  }
  r.requirementM = afterOffsets(risk, s.reqM, s.work, s.opposite);
  r.requirementI = afterOffsets(risk, s.reqI, s.work, s.opposite);
  r.requirementMCeiling = r.requirementM;
  if (uncertainCount === 0) return;
  r.offsetUncertain = true;
  r.requirementMCeiling = ceilingOverChoices(risk, s, uncertainCount);
}

/** 1 or −1 when certain, 0 when the delta is exactly zero in both paths, NaN when uncertain. */
function deltaSign(delta: number, tolerance: number): number {
  // Integer truncation of each holding's delta adds up to a wei per holding; 1e-16 units covers it.
  if (delta === 0 && tolerance === 0) return 0;
  if (Math.abs(delta) <= tolerance + 1e-16) return NaN;
  return delta > 0 ? 1 : -1;
}

/** More than this many uncertain pairs: fall back to no credit at all (the sum bounds every choice). */
const MAX_ENUMERATED_PAIRS = 10;

function ceilingOverChoices(risk: RiskArrays, s: Scratch, uncertainCount: number): number {
  if (uncertainCount > MAX_ENUMERATED_PAIRS) {
    let sum = 0;
    for (let k = 0; k < risk.underlyingCount; k++) sum += s.reqM[k]!;
    return sum;
  }
  let ceiling = 0;
  for (let choice = 0; choice < 1 << uncertainCount; choice++) {
    s.apply.set(s.opposite);
    for (let j = 0; j < uncertainCount; j++) s.apply[s.uncertain[j]!] = (choice >> j) & 1;
    ceiling = Math.max(ceiling, afterOffsets(risk, s.reqM, s.work, s.apply));
  }
  return ceiling;
}

/** `afterOffsets` of portfolioMargin.ts in float, on a copy of `req`, crediting the pairs marked in `apply`. */
function afterOffsets(risk: RiskArrays, req: Float64Array, work: Float64Array, apply: Uint8Array): number {
  let total = 0;
  let largest = 0;
  for (let k = 0; k < req.length; k++) {
    work[k] = req[k]!;
    total += req[k]!;
    largest = Math.max(largest, req[k]!);
  }
  for (let p = 0; p < apply.length; p++) {
    if (apply[p] !== 1) continue;
    const a = risk.offsetA[p]!;
    const b = risk.offsetB[p]!;
    const matched = Math.min(work[a]!, work[b]!);
    work[a]! -= matched;
    work[b]! -= matched;
    total -= matched * risk.offsetCredit[p]!;
  }
  return Math.max(total, largest);
}
