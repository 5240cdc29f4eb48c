/**
 * Shared test vectors for the cash index (`sdk/src/risk/cashIndex.ts`): seeded sequences of
 * what moves the hub's cash, on five accounts holding cash only, with the figures the
 * TypeScript twin gives after each step:
 * - a deposit of settlement tokens (`depositCash`);
 * - a venue's payment between two accounts (`settleCash`), from one wei to 1.3 times what the
 *   payer holds: a payer left below zero has nothing to liquidate, so the hub resolves it at
 *   once (the insurance fund, then positive cash through the index);
 * - an insurance top-up (`fundInsurance`).
 * `contracts/test/flows/CashIndexFlows.sol` replays them on a real MarginHub and asserts every
 * account's cash, the index, the socialised and unowned loss, the fund and the total cash equal
 * to the wei after every step. The mocha test asserts regenerating gives the committed file.
 *
 *   npx tsx sdk/vectors/cashIndexVectors.ts   # rewrites contracts/test/vectors/cash-index.hex
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AbiCoder } from 'ethers';
import {
  cashValue,
  changeCash,
  freshCashLedger,
  resolveIfBankrupt,
  totalCash,
  type CashLedger,
} from '../src/risk/cashIndex.js';
import { rng } from './optionMathVectors.js';

export const CASH_INDEX_VECTOR_FILE = fileURLToPath(
  new URL('../../contracts/test/vectors/cash-index.hex', import.meta.url),
);
export const CASH_INDEX_ACCOUNTS = 5;
export const CASH_INDEX_STEPS = 400;

export const DEPOSIT = 0;
export const SETTLE = 1;
export const FUND_INSURANCE = 2;

/** The settlement token has 6 decimals: a token unit is 1e12 USD WAD. */
const SCALE = 10n ** 12n;

const STEP_TUPLE =
  'tuple(uint8 kind,uint8 from,uint8 to,uint256 amount,int256[5] cash,uint256 cashIndex,' +
  'uint256 socialisedLoss,uint256 unownedLoss,uint256 insuranceFund,int256 totalCash)[]';

export interface CashIndexStep {
  kind: number;
  from: number;
  to: number;
  /** tokens for a deposit or top-up, USD WAD for a payment */
  amount: bigint;
  cash: bigint[];
  ledger: CashLedger;
}

/** The steps, with the twin's figures after each. */
export function cashIndexSteps(): CashIndexStep[] {
  const next = rng(0xca5bn);
  const big = (bound: bigint) => ((next(1n << 64n) << 64n) | next(1n << 64n)) % bound;
  const ledger = freshCashLedger();
  const stored: bigint[] = Array.from({ length: CASH_INDEX_ACCOUNTS }, () => 0n);
  const steps: CashIndexStep[] = [];
  for (let i = 0; i < CASH_INDEX_STEPS; i++) {
    const pick = next(10n);
    const from = Number(next(BigInt(CASH_INDEX_ACCOUNTS)));
    const to = (from + 1 + Number(next(BigInt(CASH_INDEX_ACCOUNTS - 1)))) % CASH_INDEX_ACCOUNTS;
    let kind: number;
    let amount: bigint;
    const payerHolds = cashValue(stored[from]!, ledger.cashIndex);
    if (pick < 4n || (pick < 9n && payerHolds === 0n)) {
      // Deposits from one token unit to a million dollars, often round.
      kind = DEPOSIT;
      amount = 1n + (next(3n) === 0n ? next(1_000n) * 10n ** 6n : big(1_000_000n * 10n ** 6n));
      stored[to] = changeCash(ledger, stored[to]!, amount * SCALE);
    } else if (pick < 9n) {
      // A payment up to 1.3 times what the payer holds: now and then it leaves the payer short.
      kind = SETTLE;
      amount = 1n + big((payerHolds * 13n) / 10n);
      stored[from] = changeCash(ledger, stored[from]!, -amount);
      stored[to] = changeCash(ledger, stored[to]!, amount);
      stored[from] = resolveIfBankrupt(ledger, stored[from]!);
    } else {
      kind = FUND_INSURANCE;
      amount = 1n + big(50_000n * 10n ** 6n);
      ledger.insuranceFund += amount * SCALE;
    }
    steps.push({
      kind,
      from,
      to,
      amount,
      cash: stored.map((s) => cashValue(s, ledger.cashIndex)),
      ledger: { ...ledger },
    });
  }
  return steps;
}

export function generateCashIndexVectors(): string {
  return AbiCoder.defaultAbiCoder().encode(
    [STEP_TUPLE],
    [
      cashIndexSteps().map((s) => [
        s.kind,
        s.from,
        s.to,
        s.amount,
        s.cash,
        s.ledger.cashIndex,
        s.ledger.socialisedLoss,
        s.ledger.unownedLoss,
        s.ledger.insuranceFund,
        totalCash(s.ledger),
      ]),
    ],
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(CASH_INDEX_VECTOR_FILE, generateCashIndexVectors() + '\n');
  console.log(`wrote ${CASH_INDEX_STEPS} steps to ${CASH_INDEX_VECTOR_FILE}`);
}
