import { expect } from 'chai';
import { hexlify, keccak256, randomBytes, Transaction, Wallet } from 'ethers';
import { signEip1559, type Eip1559Request } from '../../relayer/src/chain/transactionSigner.js';

describe('signEip1559 (the keeper signing many transactions in a row)', () => {
  const wallet = Wallet.createRandom();
  const base: Eip1559Request = {
    chainId: 31337,
    nonce: 7,
    to: '0x5fbdb2315678afecb367f032d93f642f64180aa3', // not checksummed: the signer normalises it
    data: hexlify(randomBytes(2_276)), // a 64-account liquidateBatch
    value: 12_345_678_901_234n,
    gasLimit: 20_000_000n,
    maxFeePerGas: 2_000_000_000n,
    maxPriorityFeePerGas: 1n,
  };
  const cases: Array<[string, Partial<Eip1559Request>]> = [
    ['a batch with calldata and a LayerZero fee', {}],
    ['zero nonce, value and tip (RLP empty strings)', { nonce: 0, value: 0n, maxPriorityFeePerGas: 0n }],
    ['no calldata', { data: '0x' }],
    ['one byte of calldata below 0x80 (RLP encodes it as itself)', { data: '0x7f' }],
    ['55 and 56 bytes of calldata (the RLP long-string boundary)', { data: hexlify(randomBytes(56)) }],
    ['a large chain id, nonce and fee', { chainId: 42161n * 1_000_000n, nonce: 2 ** 40, maxFeePerGas: 2n ** 100n }],
  ];

  for (const [name, change] of cases) {
    it(`gives the bytes and hash ethers' Wallet gives: ${name}`, async () => {
      const tx = { ...base, ...change };
      const signed = signEip1559(wallet.signingKey, tx);
      const expected = await wallet.signTransaction({ type: 2, ...tx });
      expect(signed.raw).to.equal(expected);
      expect(signed.hash).to.equal(keccak256(expected));
      const parsed = Transaction.from(signed.raw);
      expect(parsed.from).to.equal(wallet.address);
      expect(parsed.hash).to.equal(signed.hash);
    });
  }

  it('refuses calldata that is not whole bytes of hex, naming it', () => {
    expect(() => signEip1559(wallet.signingKey, { ...base, data: '0x123' })).to.throw(/not hex bytes: 0x123/);
    expect(() => signEip1559(wallet.signingKey, { ...base, data: 'abcd' })).to.throw(/not hex bytes/);
  });
});
