import { expect } from 'chai';
import { MessageType } from '@omnichain-collateral/sdk/messageCodec';
import { BreachStrikes, custodyHolds, inFlightTotals, vaultReads } from '../../relayer/src/services/custody.js';
import { storedMessage } from './storedMessage.js';

const HUB = 1;
const WETH_A = '0x' + 'aa'.repeat(20);
const WBTC_B = '0x' + 'bb'.repeat(20);
const assets = [
  { assetId: 1, eid: 2, token: WETH_A },
  { assetId: 2, eid: 3, token: WBTC_B },
];

describe("the reconciler's custody arithmetic", function () {
  it('sums credits to the hub and payouts to the vault per asset, and what the delegate dropped', function () {
    const credit = (amount: string, srcEid: number, token: string) =>
      storedMessage({ msgType: MessageType.CREDIT, srcEid, dstEid: HUB, token, amount });
    const payout = (msgType: number, amount: string, dstEid: number, token: string) =>
      storedMessage({ msgType, srcEid: HUB, dstEid, token, amount });
    const inFlight = [
      credit('100', 2, WETH_A),
      credit('50', 2, WETH_A.toUpperCase().replace('0X', '0x')), // token case does not matter
      credit('7', 3, WBTC_B),
      credit('9', 3, WETH_A), // WETH_A is not listed on eid 3: no asset's
      payout(MessageType.RELEASE, '30', 2, WETH_A),
      payout(MessageType.SEIZE, '5', 2, WETH_A),
    ];
    const dropped = [credit('11', 2, WETH_A), payout(MessageType.SEIZE, '3', 3, WBTC_B)];
    expect(inFlightTotals(assets, inFlight, dropped, HUB)).to.deep.equal([
      { credits: 150n, payouts: 35n, stranded: 11n },
      { credits: 7n, payouts: 0n, stranded: 3n },
    ]);
  });

  it('holds when ledger + credits in flight <= custody <= balance, to the unit', function () {
    expect(custodyHolds(90n, 10n, 100n, 100n)).to.equal(true);
    expect(custodyHolds(90n, 11n, 100n, 200n), 'the ledger claims more than custody').to.equal(false);
    expect(custodyHolds(0n, 0n, 100n, 99n), 'custody claims more than the balance').to.equal(false);
  });

  it('alerts an asset once, at its second failing check in a row; a passing check resets it', function () {
    const strikes = new BreachStrikes();
    expect(strikes.record(1, false), 'one failing check can be a race').to.equal(false);
    expect(strikes.inBreach(1)).to.equal(false);
    expect(strikes.record(1, true)).to.equal(false);
    expect(strikes.record(1, false)).to.equal(false);
    expect(strikes.record(1, false), 'two in a row: alert').to.equal(true);
    expect(strikes.inBreach(1)).to.equal(true);
    expect(strikes.record(1, false), 'alerted once').to.equal(false);
    expect(strikes.inBreach(1)).to.equal(true);
    expect(strikes.inBreach(2), 'per asset').to.equal(false);
    expect(strikes.record(1, true)).to.equal(false);
    expect(strikes.inBreach(1)).to.equal(false);
  });

  it("reads the hub chain's vault at the ledger's block, and the others only while the hub indexer is within a block of the head", function () {
    const assets = [
      { assetId: 0, eid: 1 },
      { assetId: 1, eid: 2 },
      { assetId: 2, eid: 3 },
    ];
    const plan = (head: number) => vaultReads(assets, 1, 100, head).map((r) => [r.asset.assetId, r.block]);
    expect(plan(101), 'caught up').to.deep.equal([
      [0, 100],
      [1, undefined],
      [2, undefined],
    ]);
    expect(plan(-1), 'no head seen yet: as caught up').to.have.length(3);
    expect(plan(102), 'two blocks behind: a payout may have left a spoke vault unseen').to.deep.equal([[0, 100]]);
  });
});
