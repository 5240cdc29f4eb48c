/**
 * Which accounts a keeper pass must not plan: those whose liquidation the pass's block or the
 * book's holdings do not reflect yet.
 * - One sent and not yet mined.
 * - One mined in a block after the pass's. A receipt can arrive before the head that mined it
 *   reaches the pass (receipts are polled, heads come by subscription): the record has left
 *   `planned`, yet the holdings the pass confirms on are from before it, so the account looks
 *   unhealthy still. Planned again, it is sent into a block after the liquidation and refused
 *   (`AccountHealthy`) at the cost of its gas.
 * - One mined after the book last read the account. The pass could only confirm it by reading
 *   it from the node, and in a crash that is the thousand accounts the previous step liquidated,
 *   most of them healthy now: a second of reads that held the next price step's pass back. The
 *   book reads them at the next head; the pass after that confirms them on its holdings.
 */
export class LiquidationsInFlight {
  /** each account's latest hub block with a liquidation by this keeper, until passes and the book reach it */
  private readonly minedAt = new Map<string, number>();

  /** A liquidation of `account` was mined in hub block `block`. */
  mined(account: string, block: number): void {
    if ((this.minedAt.get(account) ?? -1) < block) this.minedAt.set(account, block);
  }

  /**
   * The accounts a pass at hub block `block` must pass over: `sent` (unmined), and those with a
   * liquidation mined after `block` or after `readAt(account)`, the block the book read the
   * account at. An account both reach is forgotten: passes and reads only move forward.
   */
  notReflectedAt(block: number, sent: Iterable<string>, readAt: (account: string) => number | undefined): Set<string> {
    const out = new Set(sent);
    for (const [account, mined] of this.minedAt) {
      if (mined > block || (readAt(account) ?? -1) < mined) out.add(account);
      else this.minedAt.delete(account);
    }
    return out;
  }
}
