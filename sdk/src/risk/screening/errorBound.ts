/** How far the float path can be from the exact one, and the candidate test that keeps it safe. */

/**
 * Bound on |float − exact| for each of equity_m, equity_i, requirement_m and requirement_i:
 * `relative × grossExposure + absolute` (USD). `grossExposure` is |cash| plus Σ |size| × the
 * largest price each holding is exposed to: its underlying's highest scenario spot (pre-haircut
 * for collateral), or the strike if higher for options. That is the scale of every value the
 * model computes for it (a call is worth at most spot, a put at most strike), hence of its
 * rounding errors; an option's premium is not (a far out-of-the-money short call is worth
 * nothing now and a lot in the up-move).
 *
 * Measured: at most 4.9e-16 of the exposure (test/unit/screening.test.ts: 2,000 random portfolios of
 * sdk/vectors and 2,800 book accounts; offline: 12,000 more portfolios, 20,000 more accounts).
 * What random tests practically never hit sets the bound: where the exact and float d1 (or d2)
 * fall on opposite sides of zero, the A&S CDF's branch at 0 jumps by J = `NORM_CDF_JUMP_AT_ZERO` ≈ 1.04e-9, so a
 * value moves by up to J × (spot + strike) ≤ 2J of its exposure; a scenario loss takes two
 * values (4J), and two chained pair credits (each 1-Lipschitz, credit ≤ 1) at most quadruple
 * that: 16J ≈ 1.7e-8. `relative` = 5e-8 is 3× that and 10^8× the measured rounding (the test
 * provokes the jump and checks it fits). `absolute` covers the integer path's wei truncations
 * (a few wei per holding and per unit of option size), for underlyings priced above $1e-9.
 *
 * It holds for requirements when no pair credit was uncertain (see `SCREEN_OFFSET_UNCERTAIN`);
 * otherwise `requirementMCeiling` is at least the exact requirement less the bound.
 */
export const SCREENING_ERROR_BOUND = { relative: 5e-8, absolute: 1e-9 } as const;

/** `SCREENING_ERROR_BOUND` for an account of this gross exposure, in USD. */
export function screeningErrorBound(grossExposure: number): number {
  return SCREENING_ERROR_BOUND.relative * grossExposure + SCREENING_ERROR_BOUND.absolute;
}

/**
 * True unless the account is certainly not liquidatable: equity and requirement can each be
 * off by the bound, so healthy needs `equity_m >= ceiling + 2 × bound`. Written so NaN (which
 * compares false) lands on the safe side.
 */
export function isLiquidationCandidate(equityM: number, requirementMCeiling: number, grossExposure: number): boolean {
  return !(equityM >= requirementMCeiling + 2 * screeningErrorBound(grossExposure));
}
