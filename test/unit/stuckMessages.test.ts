import { expect } from 'chai';
import { stuckReason } from '../../relayer/src/services/stuckMessages.js';
import type { StoredMessage } from '../../relayer/src/store/store.js';
import { storedMessage } from './storedMessage.js';

describe('stuck messages (why a message in flight stopped moving)', () => {
  const SRC = 40_102;
  const DST = 40_101;
  const message = (over: Partial<StoredMessage>): StoredMessage =>
    storedMessage({ srcEid: SRC, dstEid: DST, sentBlock: 100, ...over });
  const heads = (src: number, dst: number) => (eid: number) => (eid === SRC ? src : eid === DST ? dst : undefined);

  it('a send is stuck once its source chain is `afterBlocks` past it with no verification', () => {
    expect(stuckReason(message({}), heads(129, 0), 30)).to.equal(undefined);
    expect(stuckReason(message({}), heads(130, 0), 30)).to.equal('not-verified');
  });

  it('a verified message is stuck once its destination is `afterBlocks` past the verification with no execution', () => {
    const verified = message({ status: 'verified', verifiedBlock: 500 });
    expect(stuckReason(verified, heads(10_000, 529), 30)).to.equal(undefined);
    expect(stuckReason(verified, heads(10_000, 530), 30)).to.equal('not-executed');
  });

  it('a failed execution is stuck at once, whatever the blocks; a delivered message never is', () => {
    expect(
      stuckReason(message({ status: 'verified', verifiedBlock: 500, lastError: 'out of gas' }), heads(100, 500), 30),
    ).to.equal('execution-failed');
    expect(stuckReason(message({ status: 'delivered', lastError: 'out of gas' }), heads(10_000, 10_000), 1)).to.equal(
      undefined,
    );
  });

  it('says nothing for a chain whose head it does not know', () => {
    expect(stuckReason(message({}), () => undefined, 1)).to.equal(undefined);
  });
});
