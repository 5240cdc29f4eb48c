import { expect } from 'chai';
import type { MaintenanceRisk } from '@omnichain-collateral/sdk/risk/accountRisk';
import { WAD } from '@omnichain-collateral/sdk/risk/fixedPoint';
import type { HubReader } from '../../relayer/src/chain/hubReader.js';
import { createLogger } from '../../relayer/src/log.js';
import type { AccountBook } from '../../relayer/src/services/book.js';
import type { LiquidationRecords } from '../../relayer/src/services/keeper/liquidationRecords.js';
import { OracleWatch } from '../../relayer/src/services/keeper/oracleWatch.js';
import { LiquidationPlanner } from '../../relayer/src/services/keeper/planner.js';
import type { LiquidationRecord } from '../../relayer/src/store/store.js';

/** An unhealthy account with no debt and two perps: the hedge (market 0, larger) and another (market 1). */
function hedged(): MaintenanceRisk {
  const perp = (marketId: number, valueUsd: bigint) => ({
    market: { marketId } as MaintenanceRisk['positions'][number]['market'],
    size: -WAD,
    price: 3000n * WAD,
    markUsd: 3000n * WAD,
    valueUsd,
  });
  return {
    accountId: '0xaccount',
    owner: '0x0',
    subAccount: 0,
    block: 1,
    cash: 0n,
    collateral: [],
    positions: [perp(0, -3000n * WAD), perp(1, -1000n * WAD)],
    health: WAD / 2n,
    priceErrors: [],
    feeds: [0],
  } as unknown as MaintenanceRisk;
}

describe('keeper planner: what the hub refused', function () {
  // Stand-ins for the pieces around the planner: the book's entry for the account never changes here.
  const finished: Array<{ id: string; reason: string }> = [];
  const records = {
    put: () => undefined,
    finish: (r: LiquidationRecord, _status: string, reason: string) => finished.push({ id: r.id, reason }),
  } as unknown as LiquidationRecords;
  const book = { entry: () => ({ block: 5 }) } as unknown as AccountBook;
  const reader = { liquidationParams: () => ({}) } as unknown as HubReader;
  const planner = () =>
    new LiquidationPlanner(
      reader,
      book,
      new OracleWatch({ maxJump: 0.25, confirmations: 2 }),
      records,
      1,
      createLogger('silent'),
    );
  const terms = { budget: 0n, settlementScale: 10n ** 12n };

  it('takes over another position once the hub refuses one as lowering the account health (a position whose slice of the book lowers it too)', function () {
    const p = planner();
    const first = p.planAccount(hedged(), {} as never, {} as never, 7, terms);
    expect(first.map((x) => x.record.marketId)).to.deep.equal([0], 'the largest position first');
    p.refuse(first[0]!.record, 'TakeoverLowersHealth(500000000000000000, 400000000000000000)');
    const next = p.planAccount(hedged(), {} as never, {} as never, 8, terms);
    expect(next.map((x) => x.record.marketId)).to.deep.equal([1], 'not the refused one again');
    expect(finished.at(-1)?.reason).to.match(/^TakeoverLowersHealth\(/);

    // A refusal for another reason (the keeper's own margin, say) is not remembered.
    const other = planner();
    const again = other.planAccount(hedged(), {} as never, {} as never, 7, terms);
    other.refuse(again[0]!.record, 'InsufficientMargin(1, 2)');
    expect(other.planAccount(hedged(), {} as never, {} as never, 8, terms).map((x) => x.record.marketId)).to.deep.equal(
      [0],
    );
  });
});
