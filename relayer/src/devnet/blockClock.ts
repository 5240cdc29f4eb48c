/**
 * Periodic blocks for a local chain, the way a chain with a fixed block time makes them: a block
 * at every slot (`seconds` apart), and a block that runs past its slot takes the slots it covered
 * with it, so the next block comes at the next slot, with what was sent meanwhile.
 *
 * Why not anvil's own `--block-time`: anvil makes the blocks a long one covered all at once,
 * right after it, in the same millisecond. And while it executes a block, it accepts no
 * transaction (eth_sendRawTransaction waits for its state lock). So whatever was sent during a
 * long block reaches the pool after the catch-up blocks and lands two or three blocks later,
 * counted against the sender: with anvil 1.7.1, a 600 Mgas block (3 s) was followed by two empty
 * blocks mined at once, and a transfer sent during it landed in the third block after. A real
 * chain makes no empty block it could not have filled.
 */
export class BlockClock {
  private stopped = false;
  private readonly running: Promise<void>;
  /** Blocks mined by this clock. */
  mined = 0;

  /** Starts mining `rpcUrl`'s chain every `seconds` (the chain must not mine on its own). */
  constructor(
    private readonly rpcUrl: string,
    private readonly seconds: number,
  ) {
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async run(): Promise<void> {
    const period = this.seconds * 1000;
    let slot = Date.now() + period;
    while (!this.stopped) {
      await this.sleepUntil(slot);
      if (this.stopped) return;
      await this.mine();
      // The first slot after now (now >= slot: the wait above ended there): those the block ran
      // past are skipped, not made up.
      slot += period * (Math.floor((Date.now() - slot) / period) + 1);
    }
  }

  /**
   * One `evm_mine`, awaited however long the chain takes (one paused with SIGSTOP answers when it
   * resumes): a second request sent meanwhile would be a second block made at once on resumption.
   * A plain fetch, not RpcProvider, whose every request has a deadline.
   */
  private async mine(): Promise<void> {
    try {
      const res = await fetch(this.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: this.mined, method: 'evm_mine', params: [] }),
      });
      await res.text();
      this.mined++;
    } catch {
      // The chain is gone (stopped, or stopping): the caller stops the clock.
    }
  }

  private async sleepUntil(at: number): Promise<void> {
    while (!this.stopped && Date.now() < at) {
      await new Promise((r) => setTimeout(r, Math.min(50, at - Date.now())));
    }
  }
}
