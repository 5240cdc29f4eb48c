import { expect } from 'chai';
import { hexlify, Interface, randomBytes, Wallet, zeroPadValue } from 'ethers';
import { collateralVaultAbi, endpointV2Abi, marginHubAbi } from '@omnichain-collateral/sdk/abi';
import { indexedParamTopics, topicOf, word, wordAddress, wordBytes } from '../../relayer/src/chain/rawLogs.js';

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
});
