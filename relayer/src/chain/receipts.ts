/**
 * Waiting for a transaction to be mined by asking for its receipt. (ethers' own wait listens for
 * new blocks, and can miss the one block a quiet automine devnet makes for the transaction.)
 */
import type { TransactionReceipt } from 'ethers';
import type { RpcProvider } from './rpc.js';

export async function waitForReceipt(provider: RpcProvider, txHash: string, options: { timeoutMs?: number; pollMs?: number } = {}): Promise<TransactionReceipt> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const receipt = await provider.getTransactionReceipt(txHash);
    if (receipt) return receipt;
    if (Date.now() > deadline) throw new Error(`transaction ${txHash} not mined within ${options.timeoutMs ?? 120_000} ms`);
    await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
  }
}
