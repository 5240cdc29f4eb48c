/**
 * Reads what the SDK risk model needs from the hub chain and computes an account's figures
 * off-chain with the same model the hub runs. Reads are batched and pinned to one block:
 * - the risk configuration (assets, markets, scenario grids, pair credits), once and again when
 *   the engine changes it;
 * - the market at a block: every guarded price and model mark, and the block time, in one
 *   Multicall3 call, shared by everything that asks about that block;
 * - holdings, many accounts per call through `MarginHub.holdingsOf`, decoded in place.
 * So figures equal what `MarginHub.accountFigures` returns at that block, to the wei, and a book
 * of N accounts costs N / batch calls to read.
 */
import { marginHubAbi, riskEngineAbi } from '@omnichain-collateral/sdk/abi';
import { batchCall, type Multicall, type Outcome } from '@omnichain-collateral/sdk/contracts/multicall';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import {
  accountMaintenance,
  accountRisk,
  MARKET_KINDS,
  NO_RATE_FEED,
  NO_VOL_FEED,
  rateFeedOf,
  type AccountRisk,
  type AssetInfo,
  type Holdings,
  type MarketInfo,
  type MaintenanceRisk,
  type MarketState,
  type PriceReading,
  type RiskSetup,
  type ScenarioInfo,
} from '@omnichain-collateral/sdk/risk/accountRisk';
import { MemoizedMargin } from '@omnichain-collateral/sdk/risk/exactBook';
import type { LiquidationParams } from '@omnichain-collateral/sdk/risk/liquidation';
import type { PairOffset } from '@omnichain-collateral/sdk/risk/portfolioMargin';
import { decodeHoldingsOf } from './holdingsCodec.js';
import type { RpcProvider } from './rpc.js';
/** Accounts per `holdingsOf` call: about 30k gas each, well inside any node's eth_call gas cap. */
export const HOLDINGS_BATCH = 250;
/** What every reader over the same hub shares: the configuration, the latest market state, the Black-Scholes memo. */
interface SharedState {
  setup: RiskSetup;
  /** how the hub sizes liquidations, read with the configuration */
  liquidation?: LiquidationParams;
  block: number;
  state?: Promise<MarketState>;
  margin: MemoizedMargin;
}

export class HubReader {
  readonly hub: TypedContract<typeof marginHubAbi>;
  readonly engine: TypedContract<typeof riskEngineAbi>;

  constructor(
    readonly provider: RpcProvider,
    readonly multicall: Multicall,
    hubAddress: string,
    engineAddress: string,
    private readonly shared: SharedState = {
      setup: { assets: [], markets: [], scenarios: [], pairOffsets: [] },
      block: -1,
      margin: new MemoizedMargin(200_000),
    },
  ) {
    this.hub = new TypedContract(marginHubAbi, hubAddress, provider);
    this.engine = new TypedContract(riskEngineAbi, engineAddress, provider);
  }

  /**
   * A reader over another connection (its requests counted there) sharing this one's configuration and market state.
   */
  withProvider(provider: RpcProvider, multicall: Multicall): HubReader {
    return new HubReader(provider, multicall, this.hub.address, this.engine.address, this.shared);
  }

  /**
   * A reader sharing this one's configuration but reading its own market state (the parity monitor's: an independent
   * check).
   */
  independent(provider: RpcProvider, multicall: Multicall): HubReader {
    const root = this.shared;
    const own: SharedState = {
      get setup() {
        return root.setup;
      },
      set setup(setup: RiskSetup) {
        root.setup = setup;
      },
      block: -1,
      margin: new MemoizedMargin(50_000),
    };
    return new HubReader(provider, multicall, this.hub.address, this.engine.address, own);
  }

  private get setup(): RiskSetup {
    return this.shared.setup;
  }

  /**
   * (Re)reads the listed assets (their exchange-rate feeds and concentration terms), markets, scenario grids and pair
   * credits, and the liquidation parameters: six calls in all.
   */
  async loadConfig(): Promise<void> {
    const e = this.engine;
    const mc = this.multicall;
    const [assetCount, marketCount, riskAssetCount, pairOffsets, liquidation] = await mc.values([
      batchCall(e, 'assetCount', []),
      batchCall(e, 'marketCount', []),
      batchCall(e, 'riskAssetCount', []),
      batchCall(e, 'pairOffsets', []),
      batchCall(e, 'liquidationParams', []),
    ]);
    const ids = (n: number | bigint) => Array.from({ length: Number(n) }, (_, i) => i);
    const [assets, yieldTerms, concentration, markets, scenarios] = await Promise.all([
      mc.values(ids(assetCount).map((i) => batchCall(e, 'asset', [i]))),
      mc.values(ids(assetCount).map((i) => batchCall(e, 'yieldTerms', [i]))),
      mc.values(ids(assetCount).map((i) => batchCall(e, 'concentrationTerms', [i]))),
      mc.values(ids(marketCount).map((i) => batchCall(e, 'market', [i]))),
      mc.values(ids(riskAssetCount).map((i) => batchCall(e, 'scenarioParams', [i]))),
    ]);
    this.shared.setup = {
      assets: assets.map((a, assetId) => {
        const [rateFeed, depeg] = yieldTerms[assetId]!;
        const { depthUsd, impact, cap } = concentration[assetId]!;
        return {
          assetId,
          ...a,
          rateFeed: rateFeed === NO_RATE_FEED ? null : rateFeed,
          depeg,
          concentration: { depthUsd, impact, cap },
        };
      }),
      markets: markets.map((m, marketId) => ({
        marketId,
        riskAsset: m.riskAsset,
        kind: MARKET_KINDS[m.kind] ?? 'perp',
        strike: m.strike,
        expiry: Number(m.expiry),
        settlementPrice: m.settlementPrice,
      })),
      scenarios: scenarios.map((p) => ({ ...p, volFeed: p.volFeed === NO_VOL_FEED ? null : p.volFeed })),
      pairOffsets: pairOffsets.map((o) => ({ a: o.a, b: o.b, credit: o.credit })),
    };
    this.shared.liquidation = { ...liquidation };
    this.forgetMarketState();
  }

  /** How the hub sizes a liquidation (RiskConfig.LiquidationParams), as of the last configuration read. */
  liquidationParams(): LiquidationParams {
    if (!this.shared.liquidation) throw new Error('the risk configuration has not been read yet (loadConfig)');
    return this.shared.liquidation;
  }

  /** Every guarded feed a figure can depend on: collateral and market underlyings, their volatility feeds. */
  feedsInUse(): number[] {
    const { assets, markets, scenarios } = this.setup;
    const ids = new Set([
      ...assets.flatMap((a) => [a.riskAsset, rateFeedOf(a) ?? a.riskAsset]),
      ...markets.map((m) => m.riskAsset),
    ]);
    for (const id of [...ids]) {
      const vol = scenarios[id]?.volFeed;
      if (vol !== undefined && vol !== null) ids.add(vol);
    }
    return [...ids].sort((a, b) => a - b);
  }

  /** The risk configuration the figures are computed with (what a what-if preview changes nothing of). */
  riskSetup(): RiskSetup {
    return this.setup;
  }

  scenarioParams(): readonly ScenarioInfo[] {
    return this.setup.scenarios;
  }

  configuredPairOffsets(): readonly PairOffset[] {
    return this.setup.pairOffsets;
  }

  listedMarkets(): readonly MarketInfo[] {
    return this.setup.markets;
  }

  listedAssets(): readonly AssetInfo[] {
    return this.setup.assets;
  }

  /**
   * Every guarded price and mark at a block, and its time: one Multicall3 call. The latest block
   * asked for is kept and shared; a failed read is not kept, so the next ask reads it again.
   */
  marketState(block: number): Promise<MarketState> {
    if (block === this.shared.block && this.shared.state) return this.shared.state;
    const state = this.readMarketState(block);
    if (block >= this.shared.block) {
      this.shared.block = block;
      this.shared.state = state;
      state.catch(() => {
        if (this.shared.state === state) delete this.shared.state;
      });
    }
    return state;
  }

  private forgetMarketState(): void {
    this.shared.block = -1;
    delete this.shared.state;
  }

  private async readMarketState(block: number): Promise<MarketState> {
    const feeds = this.feedsInUse();
    const markets = this.setup.markets;
    const e = this.engine;
    const [time, ...readings] = await this.multicall.all(
      [
        this.multicall.blockTimestampCall(),
        ...feeds.map((f) => batchCall(e, 'price', [f])),
        ...markets.map((m) => batchCall(e, 'markPrice', [m.marketId])),
      ],
      { blockTag: block },
    );
    // Only where a price fails: what a position on it is valued at instead (recordPrice).
    const failing = feeds.filter((_, i) => !readings[i]!.ok);
    const recorded =
      failing.length === 0
        ? []
        : await this.multicall.values(
            failing.map((f) => batchCall(e, 'recordedPrice', [f])),
            { blockTag: block },
          );
    if (!time.ok) throw new Error(`block ${block} time: ${time.error}`);
    const reading = (o: Outcome<bigint>): PriceReading =>
      o.ok ? { ok: true, price: o.value } : { ok: false, error: o.error };
    return {
      block,
      timestamp: time.value,
      prices: new Map(feeds.map((f, i) => [f, reading(readings[i]!)])),
      marks: new Map(markets.map((m, i) => [m.marketId, reading(readings[feeds.length + i]!)])),
      recorded: new Map(failing.map((f, i) => [f, recorded[i]![0]])),
    };
  }

  /** Holdings of many accounts at one block, in their order (see holdingsBatches). */
  async holdings(accountIds: readonly string[], block: number): Promise<Holdings[]> {
    return (await Promise.all(this.holdingsBatches(accountIds, block).map((b) => b.holdings))).flat();
  }

  /**
   * Holdings of many accounts at one block: `holdingsOf` in batches of HOLDINGS_BATCH accounts,
   * all sent at once, each answer decoded in place (holdingsCodec.ts) and usable as soon as it
   * arrives.
   */
  holdingsBatches(
    accountIds: readonly string[],
    block: number,
  ): Array<{ accountIds: readonly string[]; holdings: Promise<Holdings[]> }> {
    const batches: Array<{ accountIds: readonly string[]; holdings: Promise<Holdings[]> }> = [];
    for (let i = 0; i < accountIds.length; i += HOLDINGS_BATCH) {
      const ids = accountIds.slice(i, i + HOLDINGS_BATCH);
      const data = this.hub.encode('holdingsOf', [ids]);
      const holdings = this.provider.call({ to: this.hub.address, data, blockTag: block }).then(decodeHoldingsOf);
      batches.push({ accountIds: ids, holdings });
    }
    return batches;
  }

  /** Figures of many accounts at one block (the latest when omitted). */
  async accountRisks(accountIds: readonly string[], blockTag?: number): Promise<AccountRisk[]> {
    const block = blockTag ?? (await this.provider.head());
    const [state, holdings] = await Promise.all([this.marketState(block), this.holdings(accountIds, block)]);
    return accountIds.map((id, i) => this.risk(id, holdings[i]!, state));
  }

  async accountRisk(accountId: string, blockTag?: number): Promise<AccountRisk> {
    return (await this.accountRisks([accountId], blockTag))[0]!;
  }

  /** The account's figures at `state` (pure: see the SDK's accountRisk). */
  risk(accountId: string, holdings: Holdings, state: MarketState): AccountRisk {
    return accountRisk(this.setup, accountId, holdings, state, this.shared.margin);
  }

  /** The account's maintenance figures alone (pure, half the work of `risk`): what the keeper decides on. */
  maintenanceRisk(accountId: string, holdings: Holdings, state: MarketState): MaintenanceRisk {
    return accountMaintenance(this.setup, accountId, holdings, state, this.shared.margin);
  }
}
