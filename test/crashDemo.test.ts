import { expect } from 'chai';
import { DEFAULT_CRASH, runCrashDemo } from '../relayer/src/devnet/crashDemo.js';

describe('npm run demo (the crash scenario, smaller book)', function () {
  this.timeout(240_000);

  it('liquidates the accounts a 40% ETH crash makes unhealthy, on the chains holding their collateral, with no bad debt', async function () {
    const r = await runCrashDemo({ ...DEFAULT_CRASH, accounts: 12 });
    expect(r.accounts).to.equal(12);
    expect(r.liquidations, 'the crash must make some accounts liquidatable').to.be.greaterThan(0);
    expect(r.seizedByChain.length).to.be.greaterThan(0);
    expect(r.byStatus.failed ?? 0).to.equal(0);
    expect(r.unhealthyAtEnd).to.equal(0);
    expect(r.badDebtUsd).to.equal('0');
    expect(r.latencyBlocks.max).to.be.greaterThan(0);
  });
});
