/**
 * Every account the relayer knows, with its latest figures from the SDK model. Accounts enter the
 * book from events; an account's figures are recomputed when an event touches it or any price
 * moves. The book answers "which accounts are nearest liquidation" without touching the chain.
 */
import { latestBlock } from './chains.js';
import type { AccountRisk, HubReader } from './hubReader.js';
import type { RelayerStore } from './store.js';

export class AccountBook {
  private readonly risks = new Map<string, AccountRisk>();
  private lastPrices = '';

  constructor(
    private readonly reader: HubReader,
    private readonly store: RelayerStore,
  ) {}

  /** Recomputes touched accounts, or all of them when a price changed since the last call. */
  async refresh(touched: Iterable<string>): Promise<void> {
    for (const id of touched) this.store.addAccount(id);
    const block = await latestBlock(this.reader.provider);
    const prices = await this.priceFingerprint(block);
    const all = prices !== this.lastPrices;
    this.lastPrices = prices;
    const ids = all ? this.store.data.accounts : [...new Set(touched)];
    // Reads are independent: issue them together, a bounded number at a time.
    for (let i = 0; i < ids.length; i += 16) {
      const batch = ids.slice(i, i + 16);
      const risks = await Promise.all(batch.map((id) => this.reader.accountRisk(id, block)));
      batch.forEach((id, k) => this.risks.set(id, risks[k]!));
    }
  }

  size(): number {
    return this.risks.size;
  }

  all(): AccountRisk[] {
    return [...this.risks.values()];
  }

  /** Accounts with health at or below `maxHealth` (WAD), lowest first; accounts without a trusted price last. */
  nearestLiquidation(maxHealth: bigint): AccountRisk[] {
    return this.all()
      .filter((r) => r.health === undefined || r.health <= maxHealth)
      .sort((a, b) => (a.health === undefined ? 1 : b.health === undefined ? -1 : a.health < b.health ? -1 : a.health > b.health ? 1 : 0));
  }

  private async priceFingerprint(block: number): Promise<string> {
    const parts: string[] = [];
    for (const p of (await this.reader.prices(block)).values()) parts.push(p.ok ? p.price.toString() : p.error);
    return parts.join(',');
  }
}
