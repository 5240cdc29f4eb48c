import { expect } from 'chai';
import { Interface } from 'ethers';
import { marginHubAbi } from '@omnichain-collateral/sdk/abi';
import type { Holdings } from '@omnichain-collateral/sdk/risk/accountRisk';
import { decodeHoldingsOf } from '../../relayer/src/chain/holdingsCodec.js';

/** The relayer decodes `holdingsOf` answers itself; it must agree with the ABI coder on every shape. */
describe('holdingsOf decoder (what the hub reader decodes without the ABI coder)', () => {
  const hub = new Interface(marginHubAbi);
  const encode = (rows: Holdings[]) =>
    hub.encodeFunctionResult('holdingsOf', [
      rows.map((r) => [
        r.cash,
        r.collateral.map((c) => [c.assetId, c.amount]),
        r.positions.map((p) => [p.marketId, p.size]),
      ]),
    ]);
  const viaCoder = (data: string): Holdings[] =>
    (
      hub.decodeFunctionResult('holdingsOf', data)[0] as Array<
        [bigint, Array<[bigint, bigint]>, Array<[bigint, bigint]>]
      >
    ).map(([cash, collateral, positions]) => ({
      cash,
      collateral: collateral.map(([assetId, amount]) => ({ assetId: Number(assetId), amount })),
      positions: positions.map(([marketId, size]) => ({ marketId: Number(marketId), size })),
    }));
  let seed = 7;
  const random = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
  const big = () => (BigInt(random(2 ** 30)) << BigInt(random(220))) + BigInt(random(1000));

  it('decodes books of every shape as the ABI coder does', () => {
    const extremes: Holdings = {
      cash: -(2n ** 255n),
      collateral: [{ assetId: 65_535, amount: 2n ** 256n - 1n }],
      positions: [
        { marketId: 0, size: 2n ** 255n - 1n },
        { marketId: 1, size: -1n },
      ],
    };
    const books: Holdings[][] = [[], [{ cash: 0n, collateral: [], positions: [] }], [extremes]];
    for (let n = 0; n < 30; n++) {
      books.push(
        Array.from({ length: random(12) }, () => ({
          cash: random(2) ? big() : -big(),
          collateral: Array.from({ length: random(5) }, () => ({ assetId: random(65_536), amount: big() })),
          positions: Array.from({ length: random(5) }, () => ({
            marketId: random(65_536),
            size: random(2) ? big() : -big(),
          })),
        })),
      );
    }
    for (const book of books) {
      const data = encode(book);
      expect(decodeHoldingsOf(data)).to.deep.equal(viaCoder(data));
      expect(decodeHoldingsOf(data)).to.deep.equal(book);
    }
  });

  it('refuses data that is not a holdingsOf answer, naming where', () => {
    const data = encode([{ cash: 5n, collateral: [{ assetId: 1, amount: 2n }], positions: [] }]);
    expect(() => decodeHoldingsOf(data.slice(0, -64))).to.throw(/past the answer/);
    expect(() => decodeHoldingsOf('0x12345')).to.throw(/not hex data/);
    expect(() => decodeHoldingsOf('0x' + 'ff'.repeat(32))).to.throw(/exceeds the answer/);
    // the asset id word (before the amount and the empty positions' length) set above uint16
    const row = data.length - 192;
    expect(() => decodeHoldingsOf(data.slice(0, row) + 'f'.repeat(64) + data.slice(row + 64))).to.throw(
      /is not a uint16/,
    );
  });
});
