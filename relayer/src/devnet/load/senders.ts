/**
 * Many transactions from many senders at once, for opening large books on a devnet: each sender
 * signs locally with its own nonces (no round trip per transaction), everything is broadcast in
 * JSON-RPC batches, and every wait has a deadline and names what it waited for.
 */
import { Wallet, keccak256, toBeHex } from 'ethers';
import type { RpcProvider } from '../../chain/rpc.js';
import { waitFor } from '../../wait.js';

export interface TxRequest {
  to: string;
  data: string;
  value?: bigint;
  gasLimit: bigint;
}

/** Devnet base fee is 0 (see crashDemo): this caps what a transaction may pay. */
const MAX_FEE = 10n ** 10n;

export class Sender {
  readonly address: string;
  private nonce?: number;

  constructor(
    readonly wallet: Wallet,
    readonly chainId: number,
  ) {
    this.address = wallet.address;
  }

  /** A signed transaction with this sender's next nonce (read from `provider` the first time). */
  async sign(provider: RpcProvider, req: TxRequest): Promise<string> {
    this.nonce ??= await provider.getTransactionCount(this.address, 'pending');
    return this.wallet.signTransaction({
      type: 2,
      chainId: this.chainId,
      nonce: this.nonce++,
      to: req.to,
      data: req.data,
      value: req.value ?? 0n,
      gasLimit: req.gasLimit,
      maxFeePerGas: MAX_FEE,
      maxPriorityFeePerGas: 0n,
    });
  }
}

/** Deterministic devnet keys: fast to derive (no HD path), the same on every run. */
export function devnetWallets(label: string, count: number): Wallet[] {
  return Array.from(
    { length: count },
    (_, i) => new Wallet(keccak256(toBeHex(BigInt(keccak256(Buffer.from(label))) + BigInt(i + 1), 32))),
  );
}

/** Broadcasts signed transactions, `batch` per JSON-RPC round trip; returns their hashes. */
export async function broadcast(provider: RpcProvider, raws: readonly string[], batch = 100): Promise<string[]> {
  const hashes: string[] = [];
  for (let i = 0; i < raws.length; i += batch) {
    hashes.push(
      ...(await Promise.all(
        raws.slice(i, i + batch).map((raw) => provider.send('eth_sendRawTransaction', [raw]) as Promise<string>),
      )),
    );
  }
  return hashes;
}

/**
 * Until the node's pool has nothing pending or queued: every transaction sent so far is mined.
 * `onLeft` hears how many are left at each look.
 */
export async function waitForPoolEmpty(
  provider: RpcProvider,
  what: string,
  timeoutMs: number,
  onLeft: (left: number) => void = () => undefined,
): Promise<void> {
  let last = '';
  try {
    await waitFor(
      what,
      async () => {
        const pool = (await provider.send('txpool_status', [])) as { pending: string; queued: string };
        last = `${Number(pool.pending)} pending, ${Number(pool.queued)} queued`;
        onLeft(Number(pool.pending) + Number(pool.queued));
        return Number(pool.pending) === 0 && Number(pool.queued) === 0;
      },
      timeoutMs,
      250,
    );
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)} (pool: ${last})`);
  }
}

/** Gives every address `wei` of gas money, in JSON-RPC batches. */
export async function fundGas(provider: RpcProvider, addresses: readonly string[], wei: bigint): Promise<void> {
  for (let i = 0; i < addresses.length; i += 100) {
    await Promise.all(addresses.slice(i, i + 100).map((a) => provider.send('anvil_setBalance', [a, toBeHex(wei)])));
  }
}
