import { expect } from 'chai';
import { firstRoundAtOrAfter } from '../../relayer/src/services/keeper/settlementPrices.js';

/** A feed whose rounds of phase `phase` were answered at `times` (round 1 first), counting the reads. */
function feed(times: number[], phase = 1n) {
  const id = (round: number) => (phase << 64n) | BigInt(round);
  let reads = 0;
  return {
    latest: { roundId: id(times.length), updatedAt: BigInt(times.at(-1)!) },
    updatedAt: async (roundId: bigint) => {
      reads++;
      expect(roundId >> 64n, 'reads stay in the latest round phase').to.equal(phase);
      const round = Number(roundId & ((1n << 64n) - 1n));
      expect(round).to.be.within(1, times.length);
      return BigInt(times[round - 1]!);
    },
    id,
    reads: () => reads,
  };
}

describe('the round an option settles at (keeper/settlementPrices)', () => {
  it('is the first round answered at or after expiry, found in about log2(rounds) reads', async () => {
    const times = Array.from({ length: 1000 }, (_, i) => 1_000 + 10 * i); // 1000, 1010, ... 10990
    for (const [expiry, round] of [
      [1_000, 1],
      [1_001, 2],
      [5_000, 401],
      [5_005, 402],
      [10_990, 1000],
    ] as const) {
      const f = feed(times);
      expect(await firstRoundAtOrAfter(f.latest, BigInt(expiry), f.updatedAt), `expiry ${expiry}`).to.equal(
        f.id(round),
      );
      expect(f.reads()).to.be.at.most(11);
    }
  });

  it('is none while the latest round is before expiry, without reading any round', async () => {
    const f = feed([100, 200, 300]);
    expect(await firstRoundAtOrAfter(f.latest, 301n, f.updatedAt)).to.equal(undefined);
    expect(f.reads()).to.equal(0);
  });

  it("crosses into the previous phase when the latest phase's first round is at or after expiry (finding 7a)", async () => {
    // Phase 2 answered at 100, 200, 450; the aggregator was upgraded and phase 3 answered at 500, 600, 700.
    const phases = new Map<bigint, number[]>([
      [2n, [100, 200, 450]],
      [3n, [500, 600, 700]],
    ]);
    const id = (phase: bigint, round: number) => (phase << 64n) | BigInt(round);
    const updatedAt = async (roundId: bigint) =>
      BigInt(phases.get(roundId >> 64n)![Number(roundId & ((1n << 64n) - 1n)) - 1]!);
    const lastOfPhase = async (phase: bigint) => {
      const times = phases.get(phase);
      if (!times) throw new Error(`no phase ${phase}`);
      return { roundId: id(phase, times.length), updatedAt: BigInt(times.at(-1)!) };
    };
    const latest = await lastOfPhase(3n);
    expect(await firstRoundAtOrAfter(latest, 400n, updatedAt, lastOfPhase)).to.equal(id(2n, 3));
    expect(await firstRoundAtOrAfter(latest, 150n, updatedAt, lastOfPhase)).to.equal(id(2n, 2));
    expect(await firstRoundAtOrAfter(latest, 480n, updatedAt, lastOfPhase)).to.equal(id(3n, 1));
    // The first phase has none before it: its first round stands.
    phases.set(1n, [10]);
    expect(await firstRoundAtOrAfter(latest, 5n, updatedAt, lastOfPhase)).to.equal(id(1n, 1));
  });

  it('takes a round answered exactly at expiry, not the one after', async () => {
    const f = feed([100, 200, 200, 300]);
    expect(await firstRoundAtOrAfter(f.latest, 200n, f.updatedAt)).to.equal(f.id(2));
  });
});
