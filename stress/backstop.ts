/**
 * The backstop vault in the simulator (docs/risk-model.md section 8.3), as the relayer's backstop
 * caller hands it accounts: after the keeper's rounds of a block (the keeper's pass is faster than
 * the caller's, and reaches an account first), it takes over whole each account the keeper left
 * at or below its backstop health (`BACKSTOP_HEALTH`, the devnet vault's, unless given) with
 * equity left, and each one the keeper left liquidatable in the block before too (its patience,
 * 30 hub blocks, is far shorter than a block here), while its margin lasts (the maintenance
 * requirement of what it holds within its deposits). It takes each account as it is, debt and
 * all, and holds them all, as one hub account, to the end of the path: if they are then worth
 * less than nothing together, that is a loss its depositors bear, the shortfall it absorbed.
 * (Nothing sells or hedges what it took yet, on-chain or here.)
 */
import type { BookAccount, BookSpec } from '@omnichain-collateral/sdk/risk/screening';
import { netValue } from './bookValue.js';

/** The devnet's vault: accounts at a quarter health or below. */
export const BACKSTOP_HEALTH = 0.25;

/** The vault's deposits: its margin for what it takes, USD (the crash demo's). */
export const BACKSTOP_CAPITAL_USD = 10_000_000;

export class SimBackstop {
  private readonly taken: BookAccount[] = [];
  private requirement = 0;
  takeovers = 0;

  constructor(
    private readonly capitalUsd: number,
    private readonly backstopHealth = BACKSTOP_HEALTH,
  ) {}

  /**
   * Whether the vault takes an account of this health, maintenance equity and requirement (USD):
   * at or below its backstop health, or at any health below 1 once its patience has passed
   * (`patient`).
   */
  wouldTake(health: number, equityUsd: number, requirementUsd: number, patient = false): boolean {
    return (
      (patient || health <= this.backstopHealth) &&
      health < 1 &&
      equityUsd > 0 &&
      this.requirement + requirementUsd <= this.capitalUsd
    );
  }

  /**
   * Takes `account`, whose maintenance requirement is `requirementUsd`, over (the caller asked
   * `wouldTake` first): its holdings move to the vault and the account is left empty.
   */
  take(account: BookAccount, requirementUsd: number): void {
    this.taken.push({
      cash: account.cash,
      collateral: account.collateral.map((c) => ({ ...c })),
      positions: account.positions.map((p) => ({ ...p })),
    });
    this.requirement += requirementUsd;
    this.takeovers++;
    account.cash = 0n;
    for (const c of account.collateral) c.amount = 0n;
    for (const p of account.positions) p.size = 0n;
  }

  /** What the vault's holdings are worth together at the path's last prices (no haircut): its profit or loss. */
  valueAt(spec: BookSpec, spots: readonly number[], vols: readonly bigint[]): number {
    return this.taken.reduce((sum, a) => sum + netValue(spec, a, spots, vols), 0);
  }
}
