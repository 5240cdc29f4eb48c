/**
 * The hub's cash index (`HubLedger._changeCash`, `_cashValue`, `_socialise`; docs/risk-model.md
 * section 8.3), step for step in bigint: positive cash is held as shares of an index that starts
 * at WAD and falls when a loss beyond the insurance fund is charged to positive cash, so every
 * positive balance loses the same fraction at once. Rounding is down, in the hub's favour, as
 * there. With it an integrator works out what a socialised loss does to a balance, to the wei,
 * without asking the chain; the shared vectors (`sdk/vectors/cashIndexVectors.ts`) hold the
 * contract to the same figures.
 */
import { mulDiv, WAD } from './fixedPoint.js';

/** The hub's totals the index moves (USD WAD; shares in WAD units of the index). */
export interface CashLedger {
  cashIndex: bigint;
  /** shares every account with positive cash holds together */
  cashShares: bigint;
  /** what every account with negative cash owes together */
  cashDebt: bigint;
  socialisedLoss: bigint;
  unownedLoss: bigint;
  insuranceFund: bigint;
}

/** A ledger before any loss was socialised. */
export const freshCashLedger = (): CashLedger => ({
  cashIndex: WAD,
  cashShares: 0n,
  cashDebt: 0n,
  socialisedLoss: 0n,
  unownedLoss: 0n,
  insuranceFund: 0n,
});

/** All positive cash less all debt, USD WAD (`MarginHub.totalCash`). */
export const totalCash = (ledger: CashLedger): bigint =>
  mulDiv(ledger.cashShares, ledger.cashIndex, WAD) - ledger.cashDebt;

/** USD WAD of an account's stored cash: shares at `index` when positive, a debt as it is. */
export function cashValue(stored: bigint, index: bigint): bigint {
  return stored >= 0n ? mulDiv(stored, index, WAD) : stored;
}

/**
 * Adds `delta` (USD WAD) to an account whose stored cash is `stored`, updating the ledger's
 * totals; returns the account's new stored cash (shares when positive, the debt when negative).
 */
export function changeCash(ledger: CashLedger, stored: bigint, delta: bigint): bigint {
  const index = ledger.cashIndex;
  if (stored >= 0n) ledger.cashShares -= stored;
  else ledger.cashDebt -= -stored;
  const next = cashValue(stored, index) + delta;
  if (next >= 0n) {
    const shares = mulDiv(next, WAD, index);
    ledger.cashShares += shares;
    return shares;
  }
  ledger.cashDebt += -next;
  return next;
}

/**
 * Charges `loss` (USD WAD) to positive cash by lowering the index. The index never reaches zero;
 * what positive cash cannot take is `unownedLoss`.
 * @returns what positive cash fell by (at least `loss`, but for dust)
 */
export function socialise(ledger: CashLedger, loss: bigint): bigint {
  const index = ledger.cashIndex;
  const shares = ledger.cashShares;
  const positive = mulDiv(shares, index, WAD);
  let next = loss < positive ? mulDiv(index, positive - loss, positive) : 0n;
  if (next === 0n) next = 1n;
  ledger.cashIndex = next;
  const absorbed = positive - mulDiv(shares, next, WAD);
  if (absorbed < loss) ledger.unownedLoss += loss - absorbed;
  ledger.socialisedLoss += absorbed < loss ? absorbed : loss;
  return absorbed;
}

/**
 * `HubLedger._resolveBadDebtIfBankrupt` for an account left with nothing but `stored` cash below
 * zero: the insurance fund covers what it can, the account is set to zero, the rest is
 * socialised. Returns the account's new stored cash.
 */
export function resolveIfBankrupt(ledger: CashLedger, stored: bigint): bigint {
  if (stored >= 0n) return stored;
  const shortfall = -stored;
  const covered = shortfall < ledger.insuranceFund ? shortfall : ledger.insuranceFund;
  ledger.insuranceFund -= covered;
  const cleared = changeCash(ledger, stored, shortfall);
  if (shortfall > covered) socialise(ledger, shortfall - covered);
  return cleared;
}
