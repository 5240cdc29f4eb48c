import { expect } from 'chai';
import {
  accountGas,
  baseGas,
  batchLiquidations,
  MAX_BATCH,
  type Planned,
} from '../../relayer/src/services/keeper/batches.js';
import type { AccountRisk } from '@omnichain-collateral/sdk/risk/accountRisk';

/** A planned liquidation of account `n`: collateral of `assetId`, or a position takeover; `lines` sizes its check. */
function planned(n: number, kind: 'collateral' | 'position', assetId = 0, lines = 1, debt = 1n, round = 0): Planned {
  const risk = {
    accountId: `0x${n.toString(16).padStart(64, '0')}`,
    owner: '0x',
    subAccount: 0,
    block: 1,
    cash: -debt,
    collateral: Array.from({ length: lines }),
    positions: [],
    priceErrors: [],
    feeds: [],
  } as unknown as AccountRisk; // only the lengths of collateral and positions size the gas
  return {
    record: {
      id: String(n),
      account: risk.accountId,
      kind,
      ...(kind === 'collateral' ? { assetId, dstEid: 2 } : { marketId: 0 }),
      status: 'planned',
      attempts: 0,
      healthAtPlan: '0',
      priceSeenAt: 0,
      priceSeenBlock: 0,
      plannedAt: 0,
      plannedBlock: 1,
    },
    risk,
    round,
  };
}

const ids = (batches: ReturnType<typeof batchLiquidations>) => batches.map((b) => b.planned.map((p) => p.record.id));

const roomy = 10n ** 30n;
const wad = 10n ** 18n;

describe('keeper batches', function () {
  it('batches collateral liquidations by asset and position takeovers together, in order', function () {
    const batches = batchLiquidations(
      [planned(1, 'collateral', 3), planned(2, 'position'), planned(3, 'collateral', 4), planned(4, 'collateral', 3)],
      { gas: 100_000_000n, repayUsd: roomy },
    );
    expect(ids(batches)).to.deep.equal([['1', '4'], ['2'], ['3']]);
    // Gas: the kind's base plus each account's share.
    expect(batches[0]!.gas).to.equal(baseGas('collateral') + 2n * accountGas(planned(1, 'collateral').risk));
    expect(batches[1]!.gas).to.equal(baseGas('position') + accountGas(planned(2, 'position').risk));
  });

  it('cuts a group at the gas budget and at the hub limit of accounts per batch', function () {
    const perAccount = accountGas(planned(0, 'collateral', 0, 3).risk);
    const limits = { gas: baseGas('collateral') + 2n * perAccount, repayUsd: roomy }; // room for two accounts
    const five = [1, 2, 3, 4, 5].map((n) => planned(n, 'collateral', 0, 3));
    expect(ids(batchLiquidations(five, limits))).to.deep.equal([['1', '2'], ['3', '4'], ['5']]);
    for (const b of batchLiquidations(five, limits)) expect(b.gas <= limits.gas).to.equal(true);

    const many = Array.from({ length: MAX_BATCH + 1 }, (_, n) => planned(n, 'collateral'));
    const sizes = batchLiquidations(many, { gas: 10n ** 12n, repayUsd: roomy }).map((b) => b.planned.length);
    expect(sizes).to.deep.equal([MAX_BATCH, 1]);
    // One account larger than the budget still goes, alone.
    expect(ids(batchLiquidations([planned(9, 'collateral', 0, 500)], limits))).to.deep.equal([['9']]);
  });

  it('lists no more debt in a collateral batch than the keeper can repay; takeovers repay nothing', function () {
    const debts = [40n, 50n, 30n, 90n].map((usd, i) => planned(i + 1, 'collateral', 0, 1, usd * wad));
    const limits = { gas: 10n ** 12n, repayUsd: 100n * wad };
    // 40 + 50 fit in 100; 30 does not fit beside them; 30 + 90 is over; 90 alone.
    expect(ids(batchLiquidations(debts, limits))).to.deep.equal([['1', '2'], ['3'], ['4']]);
    const takeovers = [1, 2, 3].map((n) => planned(n, 'position', 0, 1, 1000n * wad));
    expect(ids(batchLiquidations(takeovers, limits))).to.deep.equal([['1', '2', '3']]);
  });

  it("puts an account's later liquidations in batches after its earlier ones", function () {
    // Account 1: asset 3, then asset 4 on what that leaves, then a takeover; account 2: asset 4 alone.
    const batches = batchLiquidations(
      [
        planned(1, 'collateral', 3),
        { ...planned(11, 'collateral', 4, 1, 1n, 1), record: { ...planned(11, 'collateral', 4).record, id: '1b' } },
        { ...planned(12, 'position', 0, 1, 1n, 2), record: { ...planned(12, 'position').record, id: '1c' } },
        planned(2, 'collateral', 4),
        planned(3, 'position'),
      ],
      { gas: 100_000_000n, repayUsd: roomy },
    );
    expect(ids(batches)).to.deep.equal([['1'], ['2'], ['3'], ['1b'], ['1c']]);
  });
});
