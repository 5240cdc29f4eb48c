/**
 * How far a service has got along a chain, for another to wait on: the keeper waits (briefly) for
 * the hub's indexer to apply the block it acts at, so it can trust the book's holdings instead of
 * reading them from a node busy with the crash.
 */
export class BlockSignal {
  /** the latest block reached, -1 before the first */
  block = -1;
  private waiters: Array<{ block: number; done: () => void }> = [];

  reached(block: number): void {
    if (block <= this.block) return;
    this.block = block;
    const due = this.waiters.filter((w) => w.block <= block);
    this.waiters = this.waiters.filter((w) => w.block > block);
    for (const w of due) w.done();
  }

  /** Resolves true once `block` is reached, or false after `ms` if it is not by then. */
  until(block: number, ms: number): Promise<boolean> {
    if (block <= this.block) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        block,
        done: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, ms);
      this.waiters.push(waiter);
    });
  }
}
