/**
 * The keeper records each underlying's guarded price on the engine (`recordPrice`) every
 * `RECORD_EVERY` seconds of hub time while its feed is trusted: should that feed fail later, a
 * position on it is valued at the recorded price over the extreme move (docs/risk-model.md
 * section 2.1), rather than holding its account's figures and so its liquidation. Only the
 * underlyings some position in the book is on; off the liquidation path, in its own loop.
 */
import type { Wallet } from 'ethers';
import { revertReason } from '@omnichain-collateral/sdk/contracts/revert';
import type { PriceReading } from '@omnichain-collateral/sdk/risk/accountRisk';
import type { HubReader } from '../../chain/hubReader.js';
import type { Nonces } from '../../chain/nonces.js';
import type { RpcProvider } from '../../chain/rpc.js';
import type { Logger } from '../../log.js';
import { Loop } from '../loop.js';
import type { SendQuotes } from './sendQuotes.js';
import { sendSideTransaction, type SideTransactionDeps } from './sideTransaction.js';

/** block-time seconds between two records of one underlying's price */
export const RECORD_EVERY = 300n;

export class PriceRecords {
  private readonly loop: Loop;
  /** risk asset => block time of its last record sent (or tried) */
  private readonly lastSent = new Map<number, bigint>();
  private now = 0n;
  private prices = new Map<number, PriceReading>();
  /** the book's underlyings, read once a period rather than on every pass */
  private known: ReadonlySet<number> = new Set();
  private knownAt = -RECORD_EVERY;

  constructor(
    private readonly reader: HubReader,
    private readonly provider: RpcProvider,
    private readonly wallet: Wallet,
    private readonly nonces: Nonces,
    private readonly quotes: SendQuotes,
    private readonly log: Logger,
    /** the risk assets some position in the book is on */
    private readonly underlyings: () => ReadonlySet<number>,
  ) {
    this.loop = new Loop('price-records', () => this.recordDue(), log, 5_000);
  }

  /** The hub block's time and guarded prices: starts a run when an underlying's record is due. */
  check(timestamp: bigint, prices: Map<number, PriceReading>): void {
    this.now = timestamp;
    this.prices = prices;
    if (this.due().length > 0) this.loop.trigger();
  }

  private get sideDeps(): SideTransactionDeps {
    return { provider: this.provider, nonces: this.nonces, quotes: this.quotes };
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  private due(): number[] {
    if (this.now - this.knownAt >= RECORD_EVERY) {
      this.known = this.underlyings();
      this.knownAt = this.now;
    }
    return [...this.known].filter(
      (riskAsset) =>
        this.prices.get(riskAsset)?.ok === true &&
        this.now - (this.lastSent.get(riskAsset) ?? -RECORD_EVERY) >= RECORD_EVERY,
    );
  }

  private async recordDue(): Promise<void> {
    const engine = this.reader.engine.connect(this.wallet);
    for (const riskAsset of this.due()) {
      // Set before sending: a failure waits for the next period too, rather than every block.
      this.lastSent.set(riskAsset, this.now);
      try {
        const tx = await sendSideTransaction(this.sideDeps, engine, 'recordPrice', [riskAsset]);
        this.log.debug({ riskAsset, tx }, 'price recorded');
      } catch (err) {
        this.log.warn(
          { riskAsset, reason: revertReason(err, [this.reader.engine.interface]) },
          'recording a price failed',
        );
      }
    }
  }
}
