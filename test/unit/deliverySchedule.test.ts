import { expect } from 'chai';
import { duePackets, nextAttemptAt, nextRetryAt } from '../../relayer/src/devnet/deliverySchedule.js';
import { storedMessage } from './storedMessage.js';

const policy = { maxAttempts: 4, backoffMs: 500 };

describe("the devnet worker's retry schedule", function () {
  it('doubles the wait after each failed attempt', function () {
    expect(nextAttemptAt({ attempts: 0 }, policy)).to.equal(-Infinity);
    expect(nextAttemptAt({ attempts: 1, lastAttemptAt: 10_000 }, policy)).to.equal(10_500);
    expect(nextAttemptAt({ attempts: 2, lastAttemptAt: 10_000 }, policy)).to.equal(11_000);
    expect(nextAttemptAt({ attempts: 3, lastAttemptAt: 10_000 }, policy)).to.equal(12_000);
  });

  it('offers a packet when its backoff is over, never after the last attempt, in the order the endpoint accepts', function () {
    const now = 20_000;
    const inFlight = [
      storedMessage({ guid: '0xa', nonce: '10' }),
      storedMessage({ guid: '0xb', nonce: '9', attempts: 1, lastAttemptAt: now - 500 }), // due just now
      storedMessage({ guid: '0xc', nonce: '11', attempts: 2, lastAttemptAt: now - 999 }), // due in 1 ms
      storedMessage({ guid: '0xd', nonce: '12', attempts: 4, lastAttemptAt: 0 }), // given up
      storedMessage({ guid: '0xe', nonce: '1', srcEid: 3 }), // a later source chain
      storedMessage({ guid: '0xf', nonce: '1', dstEid: 2 }), // another destination
    ];
    expect(duePackets(inFlight, 1, now, policy).map((m) => m.guid)).to.deep.equal(['0xb', '0xa', '0xe']);
    expect(duePackets(inFlight, 1, now + 1, policy).map((m) => m.guid)).to.deep.equal(['0xb', '0xa', '0xc', '0xe']);
  });

  it('wakes for the earliest packet still waiting out its backoff, and not for one it gave up on', function () {
    const now = 50_000;
    const inFlight = [
      storedMessage({ guid: '0xa', attempts: 3, lastAttemptAt: now - 100 }), // due at +1,900
      storedMessage({ guid: '0xb', attempts: 1, lastAttemptAt: now - 100 }), // due at +400
      storedMessage({ guid: '0xc', attempts: 4, lastAttemptAt: now }), // given up
      storedMessage({ guid: '0xd', attempts: 1, lastAttemptAt: now - 10_000 }), // already due: the next run takes it
    ];
    expect(nextRetryAt(inFlight, 1, now, policy)).to.equal(now + 400);
    expect(nextRetryAt(inFlight.slice(2), 1, now, policy)).to.equal(undefined);
    expect(nextRetryAt(inFlight, 2, now, policy), 'no packet to eid 2').to.equal(undefined);
  });
});
