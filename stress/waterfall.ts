/**
 * The hub's default waterfall, as the simulator applies it to each bankrupt account's shortfall
 * (docs/risk-model.md section 8.3): the insurance fund first, then the rest charged to positive cash
 * through the cash index (`HubLedger._socialise`). What the backstop vault loses on the accounts it
 * took over before they were bankrupt (stress/backstop.ts) is shortfall its depositors absorb.
 *
 * What the hub socialises, positive cash always covers while its custody holds (a debt was some
 * account's positive cash, and the hub holds the tokens of the rest): the loss left unowned is
 * zero by the hub's rule, and is reported so that a change to that rule shows.
 */

/** Where a shortfall went. */
export interface Absorbed {
  backstop: number;
  insurance: number;
  socialized: number;
}

export class Waterfall {
  readonly absorbed: Absorbed = { backstop: 0, insurance: 0, socialized: 0 };
  unowned = 0;
  /** every bankrupt account's shortfall together (loss beyond its own collateral) */
  shortfall = 0;
  /** what position penalties paid into the fund */
  fed = 0;
  /** the two largest single-account shortfalls (PFMI 4.4's Cover 2 takes the two largest members') */
  readonly largest: [number, number] = [0, 0];

  /** @param insurance the fund at the start, USD */
  constructor(private insurance: number) {}

  /** The fund's share of a position penalty (`LiquidationParams.insuranceShare`). */
  feed(usd: number): void {
    this.insurance += usd;
    this.fed += usd;
  }

  /**
   * What the backstop vault lost on the accounts it took over, together: its depositors bear it.
   * It is no one account's default, so Cover 2 leaves it out.
   */
  absorbByBackstop(usd: number): void {
    if (usd <= 0) return;
    this.shortfall += usd;
    this.absorbed.backstop += usd;
  }

  /** A bankrupt account's shortfall, down the waterfall. */
  absorb(usd: number): void {
    if (usd <= 0) return;
    this.shortfall += usd;
    const covered = Math.min(usd, this.insurance);
    this.insurance -= covered;
    this.absorbed.insurance += covered;
    this.absorbed.socialized += usd - covered;
    this.track(usd);
  }

  private track(usd: number): void {
    if (usd > this.largest[0]) this.largest.splice(0, 2, usd, this.largest[0]);
    else if (usd > this.largest[1]) this.largest[1] = usd;
  }

  get insuranceLeft(): number {
    return this.insurance;
  }
}

/**
 * Cover 2 over a set of runs: the largest sum, in any one run, of its two largest single-account
 * shortfalls. A CCP's prefunded resources must cover the default of the two members that would
 * cost it most in extreme but plausible conditions (CPMI-IOSCO PFMI, Principle 4, key
 * consideration 4); each scenario is one such set of conditions, so the two defaults are taken
 * within one scenario, not from two different ones.
 */
export function cover2(largest: ReadonlyArray<readonly [number, number]>): number {
  return Math.max(0, ...largest.map(([a, b]) => a + b));
}
