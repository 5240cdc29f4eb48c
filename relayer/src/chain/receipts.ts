/**
 * Waiting for transactions to be mined by asking for their receipts. (ethers' own wait listens
 * for new blocks, and can miss the one block a quiet automine devnet makes for the transaction.)
 */
import type { TransactionReceipt } from 'ethers';
import type { HeadWatcher } from './heads.js';
import type { RpcProvider } from './rpc.js';

/** One transaction: polls its receipt until it is mined or `timeoutMs` passes. */
export async function waitForReceipt(
  provider: RpcProvider,
  txHash: string,
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<TransactionReceipt> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const receipt = await provider.getTransactionReceipt(txHash);
    if (receipt) return receipt;
    if (Date.now() > deadline)
      throw new Error(`transaction ${txHash} not mined within ${options.timeoutMs ?? 120_000} ms`);
    await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
  }
}

/** A log of a receipt: what readers of raw logs need (an ethers `Log` is one too). */
export interface ReceiptLog {
  address: string;
  topics: readonly string[];
  data: string;
}

/**
 * A mined transaction's receipt as the node sends it, unwrapped: a batch liquidation's receipt
 * has hundreds of logs, and wrapping them as ethers does checksums every address with a keccak.
 */
export interface MinedReceipt {
  /** 1 succeeded, 0 reverted */
  status: number;
  blockNumber: number;
  logs: readonly ReceiptLog[];
}

interface NodeReceipt {
  status: string;
  blockNumber: string;
  logs: readonly ReceiptLog[];
}

interface Waiter {
  resolve: (r: MinedReceipt) => void;
  reject: (e: Error) => void;
  deadline: number;
}

/**
 * Many transactions of one sender's chain at once: at each new head (and every `pollMs` without
 * one) it asks for every awaited receipt together, so a thousand liquidations in flight cost one
 * batched round trip a block, not a thousand polling loops.
 */
export class ReceiptWatcher {
  private readonly waiting = new Map<string, Waiter[]>();
  private checking = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly provider: RpcProvider,
    heads: HeadWatcher,
    private readonly pollMs = 250,
  ) {
    heads.onHead(() => void this.check());
  }

  wait(txHash: string, timeoutMs = 120_000): Promise<MinedReceipt> {
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(txHash) ?? [];
      list.push({ resolve, reject, deadline: Date.now() + timeoutMs });
      this.waiting.set(txHash, list);
      this.schedule();
    });
  }

  stop(): void {
    clearTimeout(this.timer);
    for (const [hash, list] of this.waiting)
      for (const w of list) w.reject(new Error(`stopped while waiting for ${hash}`));
    this.waiting.clear();
  }

  private schedule(): void {
    if (this.timer || this.waiting.size === 0) return;
    this.timer = setTimeout(() => {
      delete this.timer;
      void this.check();
    }, this.pollMs);
  }

  private async check(): Promise<void> {
    if (this.checking || this.waiting.size === 0) return;
    this.checking = true;
    try {
      const hashes = [...this.waiting.keys()];
      const receipts = await Promise.all(hashes.map((h) => this.receipt(h).catch(() => null)));
      const now = Date.now();
      hashes.forEach((hash, i) => {
        const receipt = receipts[i];
        const list = this.waiting.get(hash) ?? [];
        const keep = list.filter((w) => {
          if (receipt) w.resolve(receipt);
          else if (now > w.deadline) w.reject(new Error(`transaction ${hash} not mined in time`));
          else return true;
          return false;
        });
        if (keep.length) this.waiting.set(hash, keep);
        else this.waiting.delete(hash);
      });
    } finally {
      this.checking = false;
      this.schedule();
    }
  }

  private async receipt(txHash: string): Promise<MinedReceipt | null> {
    const raw = (await this.provider.send('eth_getTransactionReceipt', [txHash])) as NodeReceipt | null;
    if (!raw) return null;
    return { status: Number(raw.status), blockNumber: Number(raw.blockNumber), logs: raw.logs };
  }
}
