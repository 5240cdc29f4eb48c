/**
 * Starts a local EVM chain with the anvil binary that npm installed (@foundry-rs/anvil), so
 * devnets and integration tests need nothing on PATH and nothing from the internet.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { HDNodeWallet } from 'ethers';
import { RpcProvider } from '../chain/rpc.js';
import { BlockClock } from './blockClock.js';

const require = createRequire(import.meta.url);

export interface AnvilOptions {
  chainId: number;
  /** TCP port on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /** Seconds between blocks (a BlockClock makes them); omitted means a block per transaction (instant mining). */
  blockTime?: number;
  /** Block gas limit (anvil's default is 30M). */
  gasLimit?: bigint;
  /** Base fee of the first block, in wei (anvil's default is 1 gwei). */
  baseFee?: bigint;
}

export interface AnvilChain {
  chainId: number;
  port: number;
  rpcUrl: string;
  /** the anvil process id (a test may pause it with SIGSTOP to play a chain whose RPC stops answering) */
  pid: number;
  /**
   * From now on, a block every `seconds` and none per transaction (see blockClock.ts); for a
   * chain started without `blockTime`, once what needs instant blocks (a deployment) is done.
   */
  mineEvery(seconds: number): Promise<void>;
  stop(): Promise<void>;
}

function anvilBinary(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/bin/anvil`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether nothing listens on `port` of 127.0.0.1 (it can be bound right now). */
export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Our anvil could not serve its port: another process took it between `freePort` and the bind. */
class PortTaken extends Error {}

/**
 * Starts an anvil chain. Without `options.port` it takes a free port, and takes another when a
 * process elsewhere (a test running beside this one) binds that port first.
 */
export async function startAnvil(options: AnvilOptions): Promise<AnvilChain> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchAnvil(options, options.port ?? (await freePort()));
    } catch (err) {
      if (!(err instanceof PortTaken) || options.port !== undefined || attempt >= 3) throw err;
    }
  }
}

async function launchAnvil(options: AnvilOptions, port: number): Promise<AnvilChain> {
  // Twelve funded accounts: the first ten as anvil has them, the eleventh the devnet's risk steward
  // key, the twelfth its backstop caller's.
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--chain-id',
    String(options.chainId),
    '--accounts',
    '12',
    '--silent',
  ];
  if (options.blockTime !== undefined) args.push('--no-mining');
  if (options.gasLimit !== undefined) args.push('--gas-limit', String(options.gasLimit));
  if (options.baseFee !== undefined) args.push('--block-base-fee-per-gas', String(options.baseFee));
  const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const rpcUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForRpc(rpcUrl, child, options.chainId);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  let clock: BlockClock | undefined;
  const mineEvery = async (seconds: number) => {
    if (clock) throw new Error(`chain ${options.chainId} already has a block clock`);
    const rpc = new RpcProvider(rpcUrl, { chainId: options.chainId });
    try {
      await rpc.send('evm_setAutomine', [false]);
    } finally {
      rpc.destroy();
    }
    clock = new BlockClock(rpcUrl, seconds);
  };
  if (options.blockTime !== undefined) await mineEvery(options.blockTime);
  return {
    chainId: options.chainId,
    port,
    rpcUrl,
    pid: child.pid!,
    mineEvery,
    stop: async () => {
      // The clock may be waiting on the chain: it ends once the process is gone.
      const clockStopped = clock?.stop();
      await stopProcess(child);
      await clockStopped;
    },
  };
}

/**
 * Until `child` serves `rpcUrl` as chain `chainId`. An answer from another process on the port (ours
 * failed to bind it) is told apart by the chain id, or by our process having exited meanwhile.
 */
async function waitForRpc(rpcUrl: string, child: ChildProcess, chainId: number, timeoutMs = 15_000): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(
        /address already in use/i.test(stderr)
          ? new PortTaken(`${rpcUrl} was taken by another process`)
          : new Error(`anvil exited with code ${code} before serving ${rpcUrl}: ${stderr.trim()}`),
      ),
    ),
  );
  // Observed by the race below; also handled here, so an exit after a failed wait is no unhandled rejection.
  exited.catch(() => undefined);
  const deadline = Date.now() + timeoutMs;
  const ready = (async () => {
    while (Date.now() < deadline) {
      try {
        const res = await fetch(rpcUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
        });
        if (res.ok) {
          const { result } = (await res.json()) as { result?: string };
          // A moment for an anvil that lost the port to exit before we trust the answer.
          await new Promise((r) => setTimeout(r, 100));
          if (Number(result) !== chainId || child.exitCode !== null)
            throw new PortTaken(`${rpcUrl} answers as chain ${Number(result)}, not as our anvil`);
          return;
        }
      } catch (err) {
        if (err instanceof PortTaken) throw err;
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`anvil did not answer on ${rpcUrl} within ${timeoutMs} ms`);
  })();
  await Promise.race([ready, exited]);
  child.removeAllListeners('exit');
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  child.kill('SIGCONT'); // a paused chain must run to hear SIGTERM
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** anvil's default mnemonic: every fresh anvil chain funds its first ten accounts from it. Local chains only. */
const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';

/** Private key of anvil's default account `index` (0 deploys and relays on the devnet). */
export function anvilKey(index: number): string {
  return HDNodeWallet.fromPhrase(ANVIL_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).privateKey;
}
