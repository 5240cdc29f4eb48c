import { expect } from 'chai';
import { hexlify, Interface, randomBytes, Transaction, Wallet } from 'ethers';
import { marginHubAbi } from '@omnichain-collateral/sdk/abi';
import { SigningWorker, type CallTransaction } from '../../relayer/src/chain/signingWorker.js';

describe('SigningWorker (the keeper encoding and signing on another thread)', function () {
  this.timeout(30_000);
  const wallet = Wallet.createRandom();
  const hub = new Interface(marginHubAbi as never);
  const accounts = Array.from({ length: 64 }, () => hexlify(randomBytes(32)));
  const batch = (nonce: number): CallTransaction<typeof marginHubAbi> => ({
    chainId: 31337,
    nonce,
    to: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
    call: { name: 'liquidateBatch', args: [accounts, 3, 10n ** 24n, wallet.address, '0x'] },
    value: 123n,
    gasLimit: 20_000_000n,
    maxFeePerGas: 2_000_000_000n,
    maxPriorityFeePerGas: 1n,
  });
  let signer: SigningWorker<typeof marginHubAbi>;
  beforeEach(() => (signer = new SigningWorker(wallet.privateKey, marginHubAbi)));
  afterEach(() => signer.close());

  it("gives the transactions ethers' Wallet gives for the same calls, in the order asked, across requests", async () => {
    const asked = performance.timeOrigin + performance.now();
    const [first, second] = await Promise.all([signer.sign([batch(0), batch(1)]), signer.sign([batch(2)])]);
    expect(first!.finishedAt).to.be.within(asked, second!.finishedAt);
    const signed = [...first!.transactions, ...second!.transactions];
    expect(signed).to.have.length(3);
    for (const [nonce, { raw, hash }] of signed.entries()) {
      const { call, ...tx } = batch(nonce);
      const data = hub.encodeFunctionData(call.name, call.args);
      expect(raw).to.equal(await wallet.signTransaction({ type: 2, ...tx, data }));
      const parsed = Transaction.from(raw);
      expect(parsed.hash).to.equal(hash);
      expect(parsed.nonce).to.equal(nonce);
      expect(parsed.from).to.equal(wallet.address);
    }
  });

  it('fails a request it cannot encode, naming why, and goes on signing the next', async () => {
    const bad = { ...batch(0), call: { name: 'liquidateBatch', args: [['0x12'], 3] } };
    expect(await rejection(signer.sign([bad as never]))).to.match(/^signing failed: ./);
    expect((await signer.sign([batch(1)])).transactions).to.have.length(1);
  });

  it('fails what it still holds when closed, and starts a new thread for the next request', async () => {
    const held = rejection(signer.sign([batch(0)]));
    await signer.close();
    expect(await held).to.equal('the signing thread was closed');
    const [again] = (await signer.sign([batch(5)])).transactions;
    expect(Transaction.from(again!.raw).nonce).to.equal(5);
  });
});

/** The message a promise rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error('expected a rejection');
}
