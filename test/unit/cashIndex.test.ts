import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { WAD } from '../../sdk/src/risk/fixedPoint.js';
import {
  cashValue,
  changeCash,
  freshCashLedger,
  resolveIfBankrupt,
  socialise,
  totalCash,
} from '../../sdk/src/risk/cashIndex.js';
import { CASH_INDEX_VECTOR_FILE, generateCashIndexVectors } from '../../sdk/vectors/cashIndexVectors.js';

const usd = (n: bigint) => n * WAD;

describe('cash index (the SDK twin of the hub socialising a loss on positive cash)', function () {
  it('regenerating the shared vectors reproduces the committed file byte for byte', function () {
    expect(generateCashIndexVectors() + '\n').to.equal(readFileSync(CASH_INDEX_VECTOR_FILE, 'utf8'));
  });

  it('a shortfall beyond the insurance fund lowers every positive balance by the same fraction', function () {
    const ledger = freshCashLedger();
    ledger.insuranceFund = usd(30n);
    let bob = changeCash(ledger, 0n, usd(1_000n));
    const carol = changeCash(ledger, 0n, usd(3_000n));
    // A payment of 100 from an empty account: 30 from the fund, 70 charged to the 4,100 held.
    let dave = changeCash(ledger, 0n, -usd(100n));
    bob = changeCash(ledger, bob, usd(100n));
    dave = resolveIfBankrupt(ledger, dave);
    expect(dave).to.equal(0n);
    expect(ledger.insuranceFund).to.equal(0n);
    expect(ledger.socialisedLoss).to.equal(usd(70n));
    expect(ledger.cashIndex).to.equal((WAD * 4_030n) / 4_100n);
    const [b, c] = [cashValue(bob, ledger.cashIndex), cashValue(carol, ledger.cashIndex)];
    const gap = b * 3_000n - c * 1_100n;
    expect(gap >= -(10n ** 7n) && gap <= 10n ** 7n, `pro rata, but for rounding: ${gap}`).to.equal(true);
    expect(totalCash(ledger) <= usd(4_030n) && totalCash(ledger) > usd(4_030n) - 10n ** 4n).to.equal(true);
  });

  it('a loss beyond all positive cash is left unowned, and the index stays above zero', function () {
    const ledger = freshCashLedger();
    changeCash(ledger, 0n, usd(50n));
    // The index floors at 1 wei: the 50 shares keep 50 wei of value, the rest of the 50 is taken.
    expect(socialise(ledger, usd(80n))).to.equal(usd(50n) - 50n);
    expect(ledger.cashIndex).to.equal(1n);
    expect(ledger.unownedLoss).to.equal(usd(30n) + 50n);
    expect(ledger.socialisedLoss).to.equal(usd(50n) - 50n);
  });
});
