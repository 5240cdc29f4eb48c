import { expect } from 'chai';
import { startAnvil, type AnvilChain } from '../../relayer/src/devnet/anvil.js';

describe('startAnvil (a real anvil from npm)', function () {
  this.timeout(30_000);
  const started: AnvilChain[] = [];
  after(async () => Promise.all(started.map((c) => c.stop())));

  it('refuses a port another chain already serves, rather than taking that chain for its own', async function () {
    const first = await startAnvil({ chainId: 31_901 });
    started.push(first);
    const err = await startAnvil({ chainId: 31_902, port: first.port }).then(
      (c) => (started.push(c), undefined),
      (e: unknown) => e as Error,
    );
    expect(err?.message).to.match(/taken by another process|not as our anvil/);
    // Without a port it finds a free one, whatever else runs.
    const second = await startAnvil({ chainId: 31_902 });
    started.push(second);
    expect(second.port).to.not.equal(first.port);
  });
});
