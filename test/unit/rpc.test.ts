import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RpcProvider } from '../../relayer/src/chain/rpc.js';

/** A JSON-RPC endpoint that answers every request with `result`, streamed in 64 KiB chunks, or never. */
function rpcServer(result: unknown): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const request = JSON.parse(body) as { id: number; method: string } | Array<{ id: number; method: string }>;
      if (!Array.isArray(request) && request.method === 'never') return; // a paused node: the connection stays open
      const answer = (r: { id: number }) => ({ jsonrpc: '2.0', id: r.id, result });
      const text = Buffer.from(JSON.stringify(Array.isArray(request) ? request.map(answer) : answer(request)));
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < text.length; i += 65_536) res.write(text.subarray(i, i + 65_536));
      res.end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

describe('RpcProvider (HTTP transport)', function () {
  this.timeout(60_000);
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('takes a 48 MB answer (the getLogs of a 10,000-account cold start) within its deadline', async () => {
    // 60,000 logs of about 800 bytes: ethers' own Node transport re-copies the body for every
    // chunk, which for an answer this size runs for minutes and fails the 10 s deadline.
    const log = {
      address: '0x' + '11'.repeat(20),
      topics: ['0x' + '22'.repeat(32)],
      data: '0x' + '33'.repeat(360),
      blockNumber: '0x1',
      transactionHash: '0x' + '44'.repeat(32),
      transactionIndex: '0x0',
      blockHash: '0x' + '55'.repeat(32),
      logIndex: '0x0',
      removed: false,
    };
    const logs = Array.from({ length: 60_000 }, () => log);
    const started = await rpcServer(logs);
    server = started.server;
    const provider = new RpcProvider(started.url, { chainId: 1, timeoutMs: 10_000 });
    try {
      const answer = (await provider.send('eth_getLogs', [{}])) as unknown[];
      expect(answer).to.have.length(60_000);
      expect(provider.requests).to.equal(1);
    } finally {
      provider.destroy();
    }
  });

  it('fails a request the node never answers at its deadline, naming the node', async () => {
    const started = await rpcServer(null);
    server = started.server;
    const provider = new RpcProvider(started.url, { chainId: 1, timeoutMs: 300 });
    try {
      const err = await provider.send('never', []).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).to.include(started.url);
    } finally {
      provider.destroy();
    }
  });
});
