/**
 * The live proof that the relayer's health is the chain's: at each hub block it takes the next
 * few accounts of the book (rotating, so every account is checked in turn), computes their
 * figures with the SDK model from holdings and prices it reads itself at the block before, and compares all four
 * (initial and maintenance equity and requirement) with `MarginHub.accountFigures` at the same
 * block, in one Multicall3 call. Any difference is an alert: a log line, `/v1/alerts`, and the
 * `relayer_parity_mismatches_total` metric. An account whose prices the hub refuses must be
 * refused on both sides; that is compared too.
 */
import { batchCall } from '@omnichain-collateral/sdk/contracts/multicall';
import type { ChainClient } from '../chain/clients.js';
import type { HubReader } from '../chain/hubReader.js';
import type { Logger } from '../log.js';
import type { RelayerMetrics } from '../metrics.js';
import type { RelayerStore } from '../store/store.js';
import { Loop } from './loop.js';

const FIELDS = ['initialEquity', 'initialRequirement', 'maintenanceEquity', 'maintenanceRequirement'] as const;

export class ParityMonitor {
  readonly loop: Loop;
  private cursor = 0;
  /** accounts compared, and how many differed, since start */
  checked = 0;
  mismatches = 0;

  constructor(
    private readonly reader: HubReader,
    private readonly hub: ChainClient,
    private readonly store: RelayerStore,
    private readonly sample: number,
    private readonly log: Logger,
    private readonly metrics: RelayerMetrics,
  ) {
    this.loop = new Loop('parity', () => this.check(), log);
    if (sample > 0) hub.heads.onHead(() => this.loop.trigger());
  }

  async check(): Promise<void> {
    const accounts = this.store.accounts();
    if (accounts.length === 0) return;
    // One block behind the head: a sealed block both sides read alike (a node may answer for its
    // latest block from the one it is still building).
    const block = (this.hub.heads.head >= 0 ? this.hub.heads.head : await this.hub.provider.head()) - 1;
    if (block < 1) return;
    const ids: string[] = [];
    for (let i = 0; i < Math.min(this.sample, accounts.length); i++)
      ids.push(accounts[(this.cursor + i) % accounts.length]!);
    this.cursor = (this.cursor + ids.length) % accounts.length;
    const [ours, theirs] = await Promise.all([
      this.reader.accountRisks(ids, block),
      this.reader.multicall.all(
        ids.map((id) => batchCall(this.reader.hub, 'accountFigures', [id])),
        { blockTag: block },
      ),
    ]);
    ids.forEach((id, i) => {
      const mine = ours[i]!;
      const chain = theirs[i]!;
      this.checked++;
      this.metrics.parityChecks.inc();
      let difference: string | undefined;
      if (!chain.ok || !mine.figures) {
        // Both must refuse (a stale or out-of-band price), or neither.
        if (chain.ok !== (mine.figures !== undefined)) {
          difference = chain.ok
            ? `relayer refused (${mine.priceErrors.join('; ')}), hub answered`
            : `hub refused (${chain.error}), relayer answered`;
        }
      } else {
        const diffs = FIELDS.filter((f) => BigInt(chain.value[f]) !== BigInt(mine.figures![f]));
        if (diffs.length > 0)
          difference = diffs.map((f) => `${f} relayer ${mine.figures![f]} hub ${chain.value[f]}`).join(', ');
      }
      if (difference === undefined) return;
      this.mismatches++;
      this.metrics.parityMismatches.inc();
      this.log.error({ account: id, block, difference }, 'parity: the relayer figures differ from the hub');
      this.store.addAlert({
        at: Date.now(),
        kind: 'parity-mismatch',
        detail: `${id} at hub block ${block}: ${difference}`,
      });
    });
  }
}
