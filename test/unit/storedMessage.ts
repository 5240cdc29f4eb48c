import type { StoredMessage } from '../../relayer/src/store/store.js';

/** A stored CREDIT from eid 2 to the hub (eid 1), with `over` changed: the unit tests' message. */
export function storedMessage(over: Partial<StoredMessage> = {}): StoredMessage {
  return {
    guid: '0x' + '11'.repeat(32),
    srcEid: 2,
    dstEid: 1,
    nonce: '1',
    sender: '0x' + '00'.repeat(12) + '22'.repeat(20),
    receiver: '0x' + '33'.repeat(20),
    msgType: 1,
    id: '1',
    account: '0x' + '44'.repeat(20),
    subAccount: 0,
    token: '0x' + '55'.repeat(20),
    amount: '1000',
    recipient: '0x' + '44'.repeat(20),
    encodedPacket: '0x',
    status: 'sent',
    sentBlock: 1,
    sentAt: 0,
    attempts: 0,
    ...over,
  };
}
