/**
 * Reads what the SDK risk model needs from the hub chain and computes an account's figures
 * off-chain with the same model the hub runs. Reads are batched and pinned to one block:
 * - the risk configuration (assets, markets, scenario grids, pair credits), once and again when
 *   the engine changes it;
 * - the market at a block: every guarded price and model mark, and the block time, in one
 *   Multicall3 call, shared by everything that asks about that block;
 * - holdings, many accounts per call through `MarginHub.holdingsOf`.
 * So figures equal what `MarginHub.accountFigures` returns at that block, to the wei, and a book
 * of N accounts costs N / batch calls to read.
 */
import { fromAccountId } from '../../../sdk/src/accountId.js';
import { marginHubAbi, riskEngineAbi } from '../../../sdk/src/abi/index.js';
import { batchCall, type Multicall, type Outcome } from '../../../sdk/src/contracts/multicall.js';
import { TypedContract } from '../../../sdk/src/contracts/typedContract.js';
import { mulWadDown, WAD } from '../../../sdk/src/risk/fixedPoint.js';
import { health, tokenValue, type MarginFigures } from '../../../sdk/src/risk/marginModel.js';
import { MemoizedMargin } from '../../../sdk/src/risk/exactBook.js';
import { collateralValue, type Collateral, type PairOffset, type Position, type RiskParams, type Underlying } from '../../../sdk/src/risk/portfolioMargin.js';
import type { RpcProvider } from './rpc.js';

const YEAR_SECONDS = 365n * 86_400n;
/** RiskConfig.NO_VOL_FEED */
const NO_VOL_FEED = 0xffff;
/** Accounts per `holdingsOf` call: about 30k gas each, well inside any node's eth_call gas cap. */
export const HOLDINGS_BATCH = 250;
export const MARKET_KINDS = ['perp', 'call', 'put'] as const;
export type MarketKind = (typeof MARKET_KINDS)[number];

export interface AssetInfo {
  assetId: number;
  eid: number;
  token: string;
  decimals: number;
  riskAsset: number;
  initialHaircut: bigint;
  maintenanceHaircut: bigint;
  liquidationBonus: bigint;
}

export interface MarketInfo {
  marketId: number;
  riskAsset: number;
  kind: MarketKind;
  /** options only (0 for perps): strike in USD WAD, expiry in unix seconds */
  strike: bigint;
  expiry: number;
  /** fixed once after expiry, 0 before */
  settlementPrice: bigint;
}

export interface ScenarioInfo extends RiskParams {
  volFeed: number | null;
}

export type PriceReading = { ok: true; price: bigint } | { ok: false; error: string };

/** Everything an account's figures depend on besides its holdings, at one hub block. */
export interface MarketState {
  block: number;
  /** block timestamp (s), for options' time to expiry */
  timestamp: bigint;
  /** guarded price per feed in use (risk assets and volatility feeds) */
  prices: Map<number, PriceReading>;
  /** model mark per market */
  marks: Map<number, PriceReading>;
}

/** An account's holdings as the hub's margin check reads them. */
export interface Holdings {
  cash: bigint;
  collateral: Array<{ assetId: number; amount: bigint }>;
  positions: Array<{ marketId: number; size: bigint }>;
}

export interface AccountRisk {
  accountId: string;
  owner: string;
  subAccount: number;
  block: number;
  cash: bigint;
  collateral: Array<{ asset: AssetInfo; amount: bigint; price: bigint; valueUsd: bigint; initialValueUsd: bigint; maintenanceValueUsd: bigint }>;
  positions: Array<{ market: MarketInfo; size: bigint; price: bigint; markUsd: bigint; valueUsd: bigint }>;
  /** absent when a price the account depends on cannot be trusted (then `priceErrors` says why) */
  figures?: MarginFigures;
  health?: bigint;
  /** per underlying (risk asset id): units of exposure and USD per 1.0 of volatility */
  greeks?: Array<{ riskAsset: number; delta: bigint; vega: bigint }>;
  priceErrors: string[];
  /** the guarded feeds the figures were computed from (as the engine: a volatility feed only for an underlying with an unsettled option) */
  feeds: number[];
}

interface RiskSetup {
  assets: AssetInfo[];
  markets: MarketInfo[];
  scenarios: ScenarioInfo[];
  pairOffsets: Array<{ a: number; b: number; credit: bigint }>;
}

/** What every reader over the same hub shares: the configuration, the latest market state, the Black-Scholes memo. */
interface SharedState {
  setup: RiskSetup;
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
    private readonly shared: SharedState = { setup: { assets: [], markets: [], scenarios: [], pairOffsets: [] }, block: -1, margin: new MemoizedMargin(200_000) },
  ) {
    this.hub = new TypedContract(marginHubAbi, hubAddress, provider);
    this.engine = new TypedContract(riskEngineAbi, engineAddress, provider);
  }

  /** A reader over another connection (its requests counted there) sharing this one's configuration and market state. */
  withProvider(provider: RpcProvider, multicall: Multicall): HubReader {
    return new HubReader(provider, multicall, this.hub.address, this.engine.address, this.shared);
  }

  /** A reader sharing this one's configuration but reading its own market state (the parity monitor's: an independent check). */
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

  /** (Re)reads the listed assets, markets, scenario grids and pair credits: four calls in all. */
  async loadConfig(): Promise<void> {
    const e = this.engine;
    const mc = this.multicall;
    const [assetCount, marketCount, riskAssetCount, pairOffsets] = await mc.values([
      batchCall(e, 'assetCount', []),
      batchCall(e, 'marketCount', []),
      batchCall(e, 'riskAssetCount', []),
      batchCall(e, 'pairOffsets', []),
    ]);
    const ids = (n: number | bigint) => Array.from({ length: Number(n) }, (_, i) => i);
    const [assets, markets, scenarios] = await Promise.all([
      mc.values(ids(assetCount).map((i) => batchCall(e, 'asset', [i]))),
      mc.values(ids(marketCount).map((i) => batchCall(e, 'market', [i]))),
      mc.values(ids(riskAssetCount).map((i) => batchCall(e, 'scenarioParams', [i]))),
    ]);
    this.shared.setup = {
      assets: assets.map((a, assetId) => ({ assetId, ...a })),
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
    this.forgetMarketState();
  }

  /** Every guarded feed a figure can depend on: collateral and market underlyings, their volatility feeds. */
  feedsInUse(): number[] {
    const { assets, markets, scenarios } = this.setup;
    const ids = new Set([...assets.map((a) => a.riskAsset), ...markets.map((m) => m.riskAsset)]);
    for (const id of [...ids]) {
      const vol = scenarios[id]?.volFeed;
      if (vol !== undefined && vol !== null) ids.add(vol);
    }
    return [...ids].sort((a, b) => a - b);
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
    if (!time.ok) throw new Error(`block ${block} time: ${time.error}`);
    const reading = (o: Outcome<bigint>): PriceReading => (o.ok ? { ok: true, price: o.value } : { ok: false, error: o.error });
    return {
      block,
      timestamp: time.value,
      prices: new Map(feeds.map((f, i) => [f, reading(readings[i]!)])),
      marks: new Map(markets.map((m, i) => [m.marketId, reading(readings[feeds.length + i]!)])),
    };
  }

  /** Holdings of many accounts at one block: `holdingsOf` in batches of HOLDINGS_BATCH, sent together. */
  async holdings(accountIds: readonly string[], block: number): Promise<Holdings[]> {
    const batches: Array<Promise<Holdings[]>> = [];
    for (let i = 0; i < accountIds.length; i += HOLDINGS_BATCH) {
      const ids = accountIds.slice(i, i + HOLDINGS_BATCH);
      batches.push(
        this.hub.read('holdingsOf', [ids], { blockTag: block }).then((rows) =>
          rows.map((r) => ({
            cash: r.cash,
            collateral: r.collateral.map((c) => ({ assetId: c.assetId, amount: c.amount })),
            positions: r.positions.map((p) => ({ marketId: p.marketId, size: p.size })),
          })),
        ),
      );
    }
    return (await Promise.all(batches)).flat();
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

  /**
   * The account's figures from the SDK's PortfolioMargin on the inputs the engine gathers, in the
   * engine's order (collateral by asset id, then positions by market id; underlyings first seen).
   * Pure: no chain access.
   */
  risk(accountId: string, holdings: Holdings, state: MarketState): AccountRisk {
    const { assets, markets, scenarios, pairOffsets } = this.setup;
    const { owner, subAccount } = fromAccountId(accountId);
    const risk: AccountRisk = { accountId, owner, subAccount, block: state.block, cash: holdings.cash, collateral: [], positions: [], priceErrors: [], feeds: [] };
    const used = new Set<number>();
    const priceOf = (feed: number): PriceReading => {
      used.add(feed);
      return state.prices.get(feed) ?? { ok: false, error: `feed ${feed} not read` };
    };
    const localIndex = new Map<number, number>();
    const local = (riskAsset: number) => {
      if (!localIndex.has(riskAsset)) localIndex.set(riskAsset, localIndex.size);
      return localIndex.get(riskAsset)!;
    };

    const collateral: Collateral[] = [];
    for (const { assetId, amount } of holdings.collateral) {
      const asset = assets[assetId]!;
      const p = priceOf(asset.riskAsset);
      const price = p.ok ? p.price : 0n;
      const line = { underlying: local(asset.riskAsset), amount, decimals: asset.decimals, initialHaircut: asset.initialHaircut, maintenanceHaircut: asset.maintenanceHaircut };
      collateral.push(line);
      risk.collateral.push({
        asset,
        amount,
        price,
        valueUsd: tokenValue(amount, asset.decimals, price),
        initialValueUsd: collateralValue(line, price, asset.initialHaircut),
        maintenanceValueUsd: collateralValue(line, price, asset.maintenanceHaircut),
      });
    }
    let cash = holdings.cash;
    const positions: Position[] = [];
    for (const { marketId, size } of holdings.positions) {
      const market = markets[marketId]!;
      const mark = state.marks.get(marketId);
      const spot = priceOf(market.riskAsset);
      const markUsd = mark?.ok ? mark.price : 0n;
      risk.positions.push({ market, size, price: spot.ok ? spot.price : 0n, markUsd, valueUsd: mulWadDown(size, markUsd) });
      const settled = settledCash(market, size);
      if (settled !== undefined) {
        cash += settled;
        continue;
      }
      positions.push({ underlying: local(market.riskAsset), kind: MARKET_KINDS.indexOf(market.kind), size, strike: market.strike, timeYears: yearsToExpiry(market, state.timestamp) });
    }

    // As the engine: an underlying's volatility is read only when the account has an option on it.
    const withOptions = new Set(positions.filter((p) => p.kind !== 0).map((p) => p.underlying));
    const underlyings: Underlying[] = [];
    for (const [riskAsset, k] of localIndex) {
      const sc = scenarios[riskAsset]!;
      const spot = priceOf(riskAsset);
      const vol: PriceReading = sc.volFeed === null || !withOptions.has(k) ? { ok: true, price: 0n } : priceOf(sc.volFeed);
      underlyings.push({ spot: spot.ok ? spot.price : 0n, vol: vol.ok ? vol.price : 0n, params: sc });
    }
    for (const feed of used) {
      const r = state.prices.get(feed);
      risk.feeds.push(feed);
      const error = r === undefined ? `feed ${feed} not read` : r.ok ? undefined : r.error;
      if (error !== undefined && !risk.priceErrors.includes(error)) risk.priceErrors.push(error);
    }
    if (risk.priceErrors.length === 0) {
      const offsets: PairOffset[] = pairOffsets
        .filter((o) => localIndex.has(o.a) && localIndex.has(o.b) && o.credit !== 0n)
        .map((o) => ({ a: localIndex.get(o.a)!, b: localIndex.get(o.b)!, credit: o.credit }));
      const r = this.shared.margin.portfolioMargin(cash, underlyings, collateral, positions, offsets);
      risk.figures = r;
      risk.health = health(r.maintenanceEquity, r.maintenanceRequirement);
      risk.greeks = [...localIndex.keys()].map((riskAsset, k) => ({ riskAsset, delta: r.delta[k]!, vega: r.vega[k]! }));
    }
    return risk;
  }
}

/**
 * What a position in an option whose settlement price is fixed counts for: cash, its payoff
 * (`mulWadDown(size, payoff)`, as the engine counts it), outside the scenarios. Undefined while
 * the market is unsettled (or a perp).
 */
export function settledCash(market: MarketInfo, size: bigint): bigint | undefined {
  const s = market.settlementPrice;
  if (s === 0n) return undefined;
  const payoff = market.kind === 'call' ? (s > market.strike ? s - market.strike : 0n) : market.strike > s ? market.strike - s : 0n;
  return mulWadDown(size, payoff);
}

/** The engine's time to expiry in WAD years at block time `now` (0 for perps and once expired). */
export function yearsToExpiry(market: MarketInfo, now: bigint): bigint {
  // A perp's expiry is 0 (RiskConfig.listMarket), so it has none left, as in RiskEngine._timeYears.
  return BigInt(market.expiry) <= now ? 0n : ((BigInt(market.expiry) - now) * WAD) / YEAR_SECONDS;
}
