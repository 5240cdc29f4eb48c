/**
 * Nonces handed out locally, so a sender can put many transactions in one block back to back,
 * in the order it chose, without a round trip each. Read from the chain (pending count) at first
 * use and again after anything went wrong.
 */
import type { Wallet } from 'ethers';

export class Nonces {
  private next?: Promise<number>;

  constructor(private readonly wallet: Wallet) {}

  /** Reserves `count` consecutive nonces and returns the first. */
  async take(count = 1): Promise<number> {
    const previous = this.next ?? this.wallet.getNonce('pending');
    this.next = previous.then((n) => n + count);
    return previous;
  }

  /** Forgets the local count: the next take reads the chain's. */
  reset(): void {
    delete this.next;
  }
}
