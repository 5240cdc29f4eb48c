import { expect } from 'chai';
import { Nonces } from '../../relayer/src/chain/nonces.js';

/** A chain whose pending count is read on demand: each read waits until `answer` is called. */
function chain() {
  const reads: Array<{ resolve: (n: number) => void; reject: (err: Error) => void }> = [];
  return {
    reads,
    wallet: {
      getNonce: () => new Promise<number>((resolve, reject) => reads.push({ resolve, reject })),
    },
  };
}

describe('Nonces (a sender numbering its own transactions)', () => {
  it('reads the chain once for concurrent takes, then hands out consecutive nonces, synchronously once known', async () => {
    const { reads, wallet } = chain();
    const nonces = new Nonces(wallet);
    expect(nonces.takeKnown(), 'nothing before the chain is read').to.equal(undefined);
    expect(nonces.isKnown()).to.equal(false);
    const first = nonces.take(3);
    const second = nonces.take();
    expect(reads, 'one read for both').to.have.length(1);
    reads[0]!.resolve(7);
    expect(await Promise.all([first, second])).to.deep.equal([7, 10]);
    expect(nonces.isKnown()).to.equal(true);
    expect(nonces.takeKnown(2)).to.equal(11);
    expect(await nonces.take()).to.equal(13);
    expect(reads).to.have.length(1);
  });

  it('reads again after a reset, and does not use a read begun before it', async () => {
    const { reads, wallet } = chain();
    const nonces = new Nonces(wallet);
    const taking = nonces.take();
    reads[0]!.resolve(5);
    expect(await taking).to.equal(5);
    nonces.reset();
    const stale = nonces.take();
    expect(reads).to.have.length(2);
    nonces.reset(); // the transaction before failed while the count was being read
    reads[1]!.resolve(6);
    await new Promise((r) => setImmediate(r));
    expect(nonces.takeKnown(), 'the read begun before the reset is not used').to.equal(undefined);
    expect(reads, 'the waiting take reads again').to.have.length(3);
    reads[2]!.resolve(9);
    expect(await stale).to.equal(9);
  });

  it('rejects the takes waiting on a failed read, and reads again on the next', async () => {
    const { reads, wallet } = chain();
    const nonces = new Nonces(wallet);
    const failing = nonces.take().catch((err: Error) => err.message);
    reads[0]!.reject(new Error('node unreachable'));
    expect(await failing).to.equal('node unreachable');
    const next = nonces.take();
    expect(reads).to.have.length(2);
    reads[1]!.resolve(4);
    expect(await next).to.equal(4);
  });
});
