/**
 * Nonces handed out locally, so a sender can put many transactions in one block back to back,
 * in the order it chose, without a round trip each. Read from the chain (pending count) at first
 * use and again after anything went wrong. Once known, they are handed out synchronously
 * (`takeKnown`): the keeper numbers a chunk's transactions and hands them to the signing thread
 * in the same step as it confirms them.
 */
import type { Wallet } from 'ethers';

export class Nonces {
  /** the next nonce to hand out, once read */
  private next?: number;
  /** the read of the chain's count under way */
  private reading?: Promise<void>;
  /** how many times the count was forgotten: a read begun before the latest reset is not used */
  private resets = 0;

  constructor(private readonly wallet: Pick<Wallet, 'getNonce'>) {}

  /** Reserves `count` consecutive nonces and returns the first, reading the chain's count first if it is not known. */
  async take(count = 1): Promise<number> {
    for (;;) {
      const first = this.takeKnown(count);
      if (first !== undefined) return first;
      await this.known();
    }
  }

  /** Reserves `count` consecutive nonces now and returns the first; undefined while the next is not known. */
  takeKnown(count = 1): number | undefined {
    if (this.next === undefined) return undefined;
    const first = this.next;
    this.next += count;
    return first;
  }

  /** Whether the next nonce is known (`takeKnown` hands it out). */
  isKnown(): boolean {
    return this.next !== undefined;
  }

  /** Resolves once the next nonce is known (one read of the chain for any number of callers); rejects if the read fails. */
  known(): Promise<void> {
    if (this.next !== undefined) return Promise.resolve();
    return (this.reading ??= this.read());
  }

  /** Forgets the local count: the next take reads the chain's. */
  reset(): void {
    delete this.next;
    delete this.reading;
    this.resets++;
  }

  private async read(): Promise<void> {
    const resets = this.resets;
    try {
      const pending = await this.wallet.getNonce('pending');
      if (resets === this.resets) this.next ??= pending;
    } finally {
      if (resets === this.resets) delete this.reading;
    }
  }
}
