import { expect } from 'chai';
import { hexlify, Interface, randomBytes, Wallet, zeroPadValue } from 'ethers';
import { collateralVaultAbi, endpointV2Abi, marginHubAbi } from '@omnichain-collateral/sdk/abi';
import { indexedParamTopics, topicOf, word, wordAddress, wordBytes } from '../../relayer/src/chain/rawLogs.js';
import { eventKey, hubEvents } from '../../relayer/src/services/keeper/receiptEvents.js';

/** The indexer reads fields straight from topics and data words; each reader must agree with the ABI coder. */
describe('raw log readers (what the indexer reads without the ABI coder)', () => {
  const endpoint = new Interface(endpointV2Abi);
  const vault = new Interface(collateralVaultAbi);
  const hub = new Interface(marginHubAbi);
  const address = () => Wallet.createRandom().address;
  const bytes32 = () => hexlify(randomBytes(32));

  it('reads PacketSent.encodedPayload', () => {
    for (const size of [0, 1, 31, 32, 33, 213, 1000]) {
      const payload = hexlify(randomBytes(size));
      const log = endpoint.encodeEventLog('PacketSent', [payload, hexlify(randomBytes(34)), address()]);
      expect(log.topics[0]).to.equal(topicOf(endpointV2Abi, 'PacketSent'));
      expect(wordBytes(log.data, 0)).to.equal(payload);
      expect(wordBytes(log.data, 0)).to.equal(endpoint.decodeEventLog('PacketSent', log.data, log.topics)[0]);
    }
  });

  it('reads the origin and receiver of PacketVerified and PacketDelivered', () => {
    const origin = { srcEid: 40_102, sender: bytes32(), nonce: 2n ** 63n + 7n };
    const receiver = address();
    for (const log of [
      endpoint.encodeEventLog('PacketVerified', [origin, receiver, bytes32()]),
      endpoint.encodeEventLog('PacketDelivered', [origin, receiver]),
    ]) {
      expect(Number(BigInt(word(log.data, 0)))).to.equal(origin.srcEid);
      expect(word(log.data, 1)).to.equal(origin.sender);
      expect(BigInt(word(log.data, 2))).to.equal(origin.nonce);
      expect(wordAddress(word(log.data, 3))).to.equal(receiver.toLowerCase());
    }
  });

  it("reads Deposited's account (a topic) and sub-account (the first data word)", () => {
    const account = address();
    const log = vault.encodeEventLog('Deposited', [
      12n,
      account,
      4_000_000_000,
      address(),
      10n ** 18n,
      address(),
      bytes32(),
    ]);
    const decoded = vault.decodeEventLog('Deposited', log.data, log.topics);
    expect(wordAddress(log.topics[2]!)).to.equal(account.toLowerCase());
    expect(Number(BigInt(word(log.data, 0)))).to.equal(Number(decoded.subAccount));
  });

  it("finds every hub event's AccountId parameters among its topics", () => {
    const positions = indexedParamTopics(
      marginHubAbi,
      /^(account|buyer|seller|payer|receiver|from|to|keeper)$/,
      'bytes32',
    );
    const id = zeroPadValue('0x01', 32);
    const traded = hub.encodeEventLog('Traded', [bytes32(), bytes32(), 3, 1n, 2n, address()]);
    expect(positions.get(traded.topics[0]!)).to.deep.equal([1, 2]);
    const liquidated = hub.encodeEventLog('PositionLiquidated', [id, bytes32(), 1, -5n, 1n, 1n]);
    expect(positions.get(liquidated.topics[0]!)).to.deep.equal([1, 2]);
    expect(liquidated.topics[1]).to.equal(id);
    // Liquidated's keeper is an address, not an account: only the account topic.
    expect(positions.get(hub.getEvent('Liquidated')!.topicHash)).to.deep.equal([1]);
    // Every hub event that names an account is covered: none has an AccountId outside its topics.
    hub.forEachEvent((event) => {
      const named = event.inputs.filter(
        (i) => i.type === 'bytes32' && /^(account|buyer|seller|payer|receiver|from|to|keeper)$/.test(i.name),
      );
      expect(positions.get(event.topicHash), event.name).to.have.length(named.length);
    });
  });

  it('refuses an event whose account parameter is not indexed', () => {
    const abi = [
      { type: 'event', name: 'Moved', inputs: [{ name: 'account', type: 'bytes32', indexed: false }] },
    ] as const;
    expect(() => indexedParamTopics(abi, /^account$/, 'bytes32')).to.throw(/Moved.account is not indexed/);
  });

  it('refuses data too short for the word asked for', () => {
    expect(() => word('0x' + '00'.repeat(32), 1)).to.throw(RangeError);
  });

  it("reads the keeper's liquidation events from a receipt's logs as the ABI coder does, the hub's only", () => {
    const hubAddress = address();
    const [account, other] = [bytes32(), bytes32()];
    const skippedReason = hub.encodeErrorResult('AccountHealthy', [1_234n]);
    const ofHub = (log: { topics: string[]; data: string }) => ({ ...log, address: hubAddress.toLowerCase() });
    const liquidated = ofHub(
      hub.encodeEventLog('Liquidated', [account, address(), 7, 2n ** 200n + 3n, 5n, address(), 2n ** 63n, bytes32()]),
    );
    const taken = ofHub(hub.encodeEventLog('PositionLiquidated', [account, bytes32(), 3, -(2n ** 100n), 1n, 2n]));
    const skipped = ofHub(hub.encodeEventLog('LiquidationSkipped', [other, 7, skippedReason]));
    const elsewhere = {
      ...hub.encodeEventLog('Liquidated', [other, address(), 7, 1n, 1n, address(), 1n, bytes32()]),
      address: address(),
    };
    const events = hubEvents([liquidated, elsewhere, taken, skipped], hubAddress);

    const decoded = hub.decodeEventLog('Liquidated', liquidated.data, liquidated.topics);
    expect(events.liquidated.get(eventKey(account, 7))).to.deep.equal({
      repaidTokens: decoded.repaidTokens,
      seized: decoded.seized,
      orderId: decoded.orderId,
      guid: decoded.guid,
    });
    expect(events.taken.get(eventKey(account, 3))!.sizeTaken).to.equal(
      hub.decodeEventLog('PositionLiquidated', taken.data, taken.topics).sizeTaken,
    );
    expect(events.skipped.get(eventKey(other, 7))).to.deep.equal({ reason: skippedReason });
    expect(events.liquidated.has(eventKey(other, 7)), "a log of another contract is not the hub's").to.equal(false);
  });
});
