import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BlockClock } from '../../relayer/src/devnet/blockClock.js';

/**
 * A node that answers `evm_mine` after `mineMs(n)` for its n-th block (0 first), as a node does
 * once it has executed the block, and records when each request came and was answered.
 */
async function miningNode(mineMs: (n: number) => number) {
  const mines: Array<{ asked: number; answered: number }> = [];
  let pending = 0;
  let mostPending = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const { id, method } = JSON.parse(body) as { id: number; method: string };
      expect(method).to.equal('evm_mine');
      const n = mines.length;
      const mine = { asked: Date.now(), answered: 0 };
      mines.push(mine);
      mostPending = Math.max(mostPending, ++pending);
      setTimeout(() => {
        pending--;
        mine.answered = Date.now();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id, result: '0x0' }));
      }, mineMs(n));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, url, mines, mostPending: () => mostPending };
}

describe('BlockClock (devnet blocks at a fixed pace)', function () {
  this.timeout(20_000);
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('mines one block per slot, and after a block that overran its slot, none until the next slot', async () => {
    const period = 300;
    // The third block (asked for at the third slot) takes 2.3 slots; the others are quick.
    const node = await miningNode((n) => (n === 2 ? 2.3 * period : 5));
    server = node.server;
    const start = Date.now();
    const clock = new BlockClock(node.url, period / 1000);
    await new Promise((r) => setTimeout(r, 9.5 * period));
    await clock.stop();

    const { mines } = node;
    // Slots 1, 2, 3 (the long block, until 5.3), then 6, 7, 8, 9: timers can run late on a busy
    // machine, never early, so each block is asked for at its slot or after.
    expect(mines.length).to.be.within(5, 7);
    expect(clock.mined).to.equal(mines.length);
    const slotOf = [1, 2, 3, 6, 7, 8, 9];
    mines.forEach((m, i) => expect(m.asked - start, `block ${i}`).to.be.at.least(slotOf[i]! * period - 15));
    // Never two blocks asked for at once, so a paused node makes no burst when it resumes.
    expect(node.mostPending()).to.equal(1);
    // The long block covered slots 4 and 5: the next block waits for slot 6, 0.7 slot after it
    // ended (anvil's --block-time makes the covered blocks at once, right after it).
    expect(mines[3]!.asked - mines[2]!.answered).to.be.greaterThan(0.25 * period);
  });

  it('stops while the node has not answered, and asks for no block after', async () => {
    const node = await miningNode(() => 60_000);
    server = node.server;
    const clock = new BlockClock(node.url, 0.05);
    await new Promise((r) => setTimeout(r, 200));
    const stopped = clock.stop();
    // The node's answer never comes within the test: closing the connections ends the wait.
    node.server.closeAllConnections();
    await stopped;
    expect(node.mines).to.have.length(1);
    expect(clock.mined).to.equal(0);
  });
});
