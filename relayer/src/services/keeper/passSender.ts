/**
 * Sends a pass's liquidations while the pass is still confirming the rest. The keeper confirms
 * candidates in chunks, most urgent first (those whose holdings the book knows, then each read);
 * waiting for the last chunk before sending the first held the most urgent liquidations back by
 * the slowest read. One send at a time (nonces in order, one journal append before each broadcast,
 * which the send starts and does not wait for): what is confirmed while a send is under way goes
 * together in the next.
 */
export class PassSender<T> {
  private readonly queued: T[] = [];
  private busy = false;
  /** every send started, so none fails unobserved */
  private readonly sends: Array<Promise<void>> = [];

  constructor(private readonly send: (items: T[]) => Promise<void>) {}

  /** Queues confirmed items; they are sent now if no send is under way, else with the next one. */
  add(items: readonly T[]): void {
    if (items.length === 0) return;
    this.queued.push(...items);
    if (this.busy) return;
    this.busy = true;
    const run = async () => {
      try {
        // Each round takes everything queued so far, including what came during the last send.
        while (this.queued.length > 0) await this.send(this.queued.splice(0));
      } finally {
        this.busy = false;
      }
    };
    this.sends.push(run());
  }

  /** Resolves once everything added is sent; rejects with the first failed send (what it held is not retried here). */
  async done(): Promise<void> {
    const settled = await Promise.allSettled(this.sends);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
