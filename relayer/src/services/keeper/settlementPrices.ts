/**
 * The keeper's other duty: an expired option settles (MarginHub.settleExpired) only once its
 * settlement price is fixed, at its underlying feed's first round at or after expiry
 * (RiskEngine.fixSettlementPrice checks that the round named is that one, so whoever calls it,
 * early or late, fixes the same price). Anyone may fix it; the keeper does, as soon as the feed
 * has answered at or after expiry, so no trader waits on anyone to settle. Then it settles every
 * position the book shows in that option (anyone may, for any account): once nobody holds it, the
 * engine may list a new market under its id (docs/risk-model.md section 5.3), so settling is what
 * keeps weekly options from running out of the 64 ids.
 *
 * Off the liquidation path: the keeper's pass only tells this service the hub block's time, and
 * the rounds are searched and the transaction sent in its own loop.
 */
import type { Wallet } from 'ethers';
import { aggregatorProxyAbi, aggregatorV3Abi } from '@omnichain-collateral/sdk/abi';
import { revertReason } from '@omnichain-collateral/sdk/contracts/revert';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { fromAccountId } from '@omnichain-collateral/sdk/accountId';
import type { MarketInfo } from '@omnichain-collateral/sdk/risk/accountRisk';
import type { HubReader } from '../../chain/hubReader.js';
import type { Nonces } from '../../chain/nonces.js';
import type { RpcProvider } from '../../chain/rpc.js';
import type { Logger } from '../../log.js';
import { Loop } from '../loop.js';
import type { SendQuotes } from './sendQuotes.js';
import { sendSideTransaction, type SideTransactionDeps } from './sideTransaction.js';

/** block-time seconds between two attempts at a market whose fixing failed */
const RETRY_SECONDS = 60n;

export interface FeedRound {
  roundId: bigint;
  updatedAt: bigint;
}

/**
 * The feed's first round answered at or after `time`, or undefined while its latest round is
 * earlier. Chainlink round ids are `phase << 64 | round`, counting up in time within a phase, so
 * a binary search over a phase finds it in about log2(rounds) reads. When a phase's first round
 * qualifies, the round before it is the previous phase's last (`lastOfPhase`), as the engine
 * reads it: if that one qualifies too, the search goes on in that phase.
 * @param updatedAt when round `roundId` was answered
 * @param lastOfPhase the last round of phase `phase` (a proxy's phase aggregator's latest)
 */
export async function firstRoundAtOrAfter(
  latest: FeedRound,
  time: bigint,
  updatedAt: (roundId: bigint) => Promise<bigint>,
  lastOfPhase: (phase: bigint) => Promise<FeedRound> = () => Promise.reject(new Error('a feed without phases')),
): Promise<bigint | undefined> {
  if (latest.updatedAt < time) return undefined;
  const phase = latest.roundId >> 64n;
  let low = (phase << 64n) | 1n;
  let high = latest.roundId;
  if (low < high && (await updatedAt(low)) < time) {
    // updatedAt(low) < time <= updatedAt(high)
    while (high - low > 1n) {
      const mid = (low + high) / 2n;
      if ((await updatedAt(mid)) >= time) high = mid;
      else low = mid;
    }
    return high;
  }
  // The phase's first round qualifies: the previous phase's last may too (Chainlink's phases start at 1).
  if (phase <= 1n) return low;
  const previous = await lastOfPhase(phase - 1n);
  return (await firstRoundAtOrAfter(previous, time, updatedAt, lastOfPhase)) ?? low;
}

/** Account ids with a non-zero position in each of `markets`, as the book last read them. */
export type HoldersOf = (markets: ReadonlySet<number>) => Map<number, string[]>;

export class SettlementPrices {
  private readonly loop: Loop;
  /** `market:account` settlements sent, until the book shows the account flat in that market */
  private readonly settling = new Set<string>();
  /** markets whose fixing transaction was sent, until the reader's markets show the price */
  private readonly sent = new Set<number>();
  /** markets whose last attempt failed, with the block time before which they are not tried again */
  private readonly retryAt = new Map<number, bigint>();
  private now = 0n;

  constructor(
    private readonly reader: HubReader,
    private readonly provider: RpcProvider,
    private readonly wallet: Wallet,
    private readonly nonces: Nonces,
    /** the keeper's fees, within its gas price cap, as its liquidations pay */
    private readonly quotes: SendQuotes,
    private readonly log: Logger,
    private readonly holders: HoldersOf = () => new Map(),
  ) {
    this.loop = new Loop(
      'settlement-prices',
      async () => {
        await this.fixDue();
        await this.settleDue();
      },
      log,
      5_000,
    );
  }

  /** The hub's latest block time: starts a run when an expired option has no settlement price yet. */
  check(timestamp: bigint): void {
    this.now = timestamp;
    if (this.due().length > 0 || this.positionsDue().length > 0) this.loop.trigger();
  }

  private get sideDeps(): SideTransactionDeps {
    return { provider: this.provider, nonces: this.nonces, quotes: this.quotes };
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** resolves when no run is in progress (tests) */
  idle(): Promise<void> {
    return this.loop.idle();
  }

  private due(): MarketInfo[] {
    return this.reader
      .listedMarkets()
      .filter(
        (m) =>
          m.kind !== 'perp' &&
          m.settlementPrice === 0n &&
          BigInt(m.expiry) <= this.now &&
          !this.sent.has(m.marketId) &&
          (this.retryAt.get(m.marketId) ?? 0n) <= this.now,
      );
  }

  private async fixDue(): Promise<void> {
    for (const market of this.due()) await this.fix(market);
  }

  private async fix(market: MarketInfo): Promise<void> {
    const { feed: address } = await this.reader.engine.read('riskAsset', [market.riskAsset]);
    const feed = new TypedContract(aggregatorV3Abi, address, this.provider);
    const [roundId, , , updatedAt] = await feed.read('latestRoundData', []);
    const proxy = new TypedContract(aggregatorProxyAbi, address, this.provider);
    const round = await firstRoundAtOrAfter(
      { roundId, updatedAt },
      BigInt(market.expiry),
      async (id) => (await feed.read('getRoundData', [id]))[3],
      async (phase) => {
        const aggregator = new TypedContract(
          aggregatorV3Abi,
          await proxy.read('phaseAggregators', [Number(phase)]),
          this.provider,
        );
        const [id, , , at] = await aggregator.read('latestRoundData', []);
        return { roundId: (phase << 64n) | id, updatedAt: at };
      },
    );
    // The feed has not answered since expiry: the next block's check tries again.
    if (round === undefined) return;
    const engine = this.reader.engine.connect(this.wallet);
    this.sent.add(market.marketId);
    try {
      const tx = await sendSideTransaction(this.sideDeps, engine, 'fixSettlementPrice', [market.marketId, round]);
      this.log.info({ market: market.marketId, round: round.toString(), tx }, 'settlement price fixed');
    } catch (err) {
      this.sent.delete(market.marketId);
      this.retryAt.set(market.marketId, this.now + RETRY_SECONDS);
      this.log.warn(
        { market: market.marketId, round: round.toString(), reason: revertReason(err, [this.reader.engine.interface]) },
        `fixing a settlement price failed; tried again in ${RETRY_SECONDS} s of block time`,
      );
    }
  }

  /** Positions in options whose settlement price is fixed, not yet sent for (the hub's clearing accounts aside). */
  private positionsDue(): Array<{ marketId: number; accountId: string }> {
    const settled = new Set(
      this.reader
        .listedMarkets()
        .filter((m) => m.kind !== 'perp' && m.settlementPrice !== 0n)
        .map((m) => m.marketId),
    );
    if (settled.size === 0) return [];
    const hub = this.reader.hub.address.toLowerCase();
    const due: Array<{ marketId: number; accountId: string }> = [];
    const held = new Set<string>();
    for (const [marketId, accounts] of this.holders(settled)) {
      for (const accountId of accounts) {
        if (fromAccountId(accountId).owner.toLowerCase() === hub) continue;
        const key = `${marketId}:${accountId}`;
        held.add(key);
        if (!this.settling.has(key)) due.push({ marketId, accountId });
      }
    }
    // Sent and now flat: forgotten, so a later market under the same id is settled too.
    for (const key of this.settling) if (!held.has(key)) this.settling.delete(key);
    return due;
  }

  private async settleDue(): Promise<void> {
    const hub = this.reader.hub.connect(this.wallet);
    for (const { marketId, accountId } of this.positionsDue()) {
      const key = `${marketId}:${accountId}`;
      this.settling.add(key);
      try {
        const tx = await sendSideTransaction(this.sideDeps, hub, 'settleExpired', [accountId, marketId]);
        this.log.info({ market: marketId, account: accountId, tx }, 'expired position settled');
      } catch (err) {
        // Tried again once the book shows the position still held after a fresh read.
        this.settling.delete(key);
        this.log.warn(
          { market: marketId, account: accountId, reason: revertReason(err, [this.reader.hub.interface]) },
          'settling an expired position failed',
        );
        return;
      }
    }
  }
}
