import { expect } from 'chai';
import { ContractFactory, JsonRpcProvider, Wallet, hexlify, randomBytes, toBigInt } from 'ethers';
import { messageCodecHarnessAbi } from './abi/messageCodecHarness.js';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { anvilKey, startAnvil, type AnvilChain } from '../../relayer/src/devnet/anvil.js';
import { loadArtifact } from '../../deploy/artifacts.js';
import {
  decodeMessage,
  encodeMessage,
  MessageDecodeError,
  MESSAGE_LENGTH,
  type MessageInput,
} from '@omnichain-collateral/sdk/messageCodec';
import { fromAccountId, toAccountId } from '@omnichain-collateral/sdk/accountId';

const DEV_KEY = anvilKey(0);

function randomMessage(): MessageInput {
  const types = [1, 2, 3] as const;
  return {
    msgType: types[randomBytes(1)[0]! % 3]!,
    id: toBigInt(randomBytes(8)),
    account: hexlify(randomBytes(20)),
    subAccount: Number(toBigInt(randomBytes(4))),
    token: hexlify(randomBytes(20)),
    amount: toBigInt(randomBytes(32)),
    recipient: hexlify(randomBytes(20)),
  };
}

describe('message codec: TypeScript and Solidity agree byte for byte (real anvil chain)', function () {
  let chain: AnvilChain;
  let harness: TypedContract<typeof messageCodecHarnessAbi>;

  before(async function () {
    chain = await startAnvil({ chainId: 31337 });
    const signer = new Wallet(DEV_KEY, new JsonRpcProvider(chain.rpcUrl));
    const { bytecode } = loadArtifact('MessageCodecHarness.sol');
    const deployed = await new ContractFactory(messageCodecHarnessAbi as never, bytecode, signer).deploy();
    await deployed.waitForDeployment();
    harness = new TypedContract(messageCodecHarnessAbi, await deployed.getAddress(), signer);
  });

  after(async function () {
    await chain?.stop();
  });

  it('encodes 50 random messages exactly as the contract does, and decodes what it encodes', async function () {
    for (let i = 0; i < 50; i++) {
      const m = randomMessage();
      const onChain = await harness.read('encode', [m]);
      const offChain = encodeMessage(m);
      expect(offChain).to.equal(onChain);
      expect(offChain.length).to.equal(2 + 2 * MESSAGE_LENGTH);
      const decoded = decodeMessage(onChain);
      expect(decoded.id).to.equal(m.id);
      expect(decoded.amount).to.equal(m.amount);
      expect(decoded.account.toLowerCase()).to.equal(m.account.toLowerCase());
      const back = await harness.read('decode', [offChain]);
      expect(back.subAccount).to.equal(m.subAccount);
      expect(back.recipient.toLowerCase()).to.equal(m.recipient.toLowerCase());
    }
  });

  it('refuses the same malformed bytes the contract refuses, with the same reason', async function () {
    const good = encodeMessage(randomMessage());
    const cases: Array<[string, MessageDecodeError['reason']]> = [
      [good.slice(0, -2), 'InvalidMessageLength'],
      ['0x02' + good.slice(4), 'UnsupportedVersion'],
      [good.slice(0, 4) + '09' + good.slice(6), 'UnknownMessageType'],
    ];
    for (const [bytes, reason] of cases) {
      expect(() => decodeMessage(bytes))
        .to.throw(MessageDecodeError)
        .with.property('reason', reason);
      let revertData = '';
      try {
        await harness.read('decode', [bytes]);
      } catch (err) {
        revertData = harness.interface.parseError((err as { data: string }).data)?.name ?? '';
      }
      expect(revertData).to.equal(reason);
    }
  });

  it('rejects out-of-range fields before encoding', function () {
    expect(() => encodeMessage({ ...randomMessage(), subAccount: 2 ** 32 })).to.throw();
    expect(() => encodeMessage({ ...randomMessage(), account: '0x1234' })).to.throw(/20-byte hex address/);
  });
});

describe('account ids', function () {
  it('pack owner and sub-account as AccountIdLib does, and unpack them', function () {
    const owner = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
    expect(toAccountId(owner, 7)).to.equal('0x0000000000000000' + owner.slice(2).toLowerCase() + '00000007');
    expect(fromAccountId(toAccountId(owner, 7))).to.deep.equal({ owner, subAccount: 7 });
    expect(() => toAccountId(owner, -1)).to.throw(RangeError);
  });
});
