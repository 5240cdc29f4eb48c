/**
 * Reads what the SDK risk model needs from the hub chain: the risk configuration (assets,
 * markets), guarded prices, and an account's raw holdings; then computes its figures off-chain
 * with the same model the hub runs. Every read for one answer is pinned to one block, so the
 * figures equal what `MarginHub.accountFigures` returns at that block, to the wei.
 */
import { Contract, type JsonRpcProvider } from 'ethers';
import { fromAccountId } from '../../sdk/src/accountId.js';
import { health, tokenValue, type MarginFigures } from '../../sdk/src/risk/marginModel.js';
import { mulWadDown, WAD } from '../../sdk/src/risk/fixedPoint.js';
import { collateralValue, portfolioMargin, type Collateral, type PairOffset, type Position, type RiskParams, type Underlying } from '../../sdk/src/risk/portfolioMargin.js';
import { abis, latestBlock, revertReason } from './chains.js';

const YEAR_SECONDS = 365n * 86_400n;
/** RiskConfig.NO_VOL_FEED */
const NO_VOL_FEED = 0xffff;
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

export class HubReader {
  readonly hub: Contract;
  readonly engine: Contract;
  private assets: AssetInfo[] = [];
  private markets: MarketInfo[] = [];
  private scenarios: ScenarioInfo[] = [];
  private pairOffsets: Array<{ a: number; b: number; credit: bigint }> = [];
  /**
   * Guarded prices (by feed) and marks (by market) read at `cachedBlock`, shared by every account
   * read at that block; only the latest block's are kept. A failed reading is not kept.
   */
  private cachedBlock = -1;
  private readonly priceCache = new Map<number, Promise<PriceReading>>();
  private readonly markCache = new Map<number, Promise<PriceReading>>();

  constructor(
    readonly provider: JsonRpcProvider,
    hubAddress: string,
    engineAddress: string,
  ) {
    this.hub = new Contract(hubAddress, abis.hub(), provider);
    this.engine = new Contract(engineAddress, abis.engine(), provider);
  }

  /** (Re)reads the listed assets and markets; cheap, called when the engine emits a config event. */
  async loadConfig(): Promise<void> {
    const count = async (fn: string) => Number(await this.engine.getFunction(fn)());
    this.assets = await readEach(await count('assetCount'), async (assetId) => {
      const a = await this.engine.getFunction('asset')(assetId);
      return {
        assetId,
        eid: Number(a.eid),
        token: a.token as string,
        decimals: Number(a.decimals),
        riskAsset: Number(a.riskAsset),
        initialHaircut: a.initialHaircut as bigint,
        maintenanceHaircut: a.maintenanceHaircut as bigint,
        liquidationBonus: a.liquidationBonus as bigint,
      };
    });
    this.markets = await readEach(await count('marketCount'), async (marketId) => {
      const m = await this.engine.getFunction('market')(marketId);
      return {
        marketId,
        riskAsset: Number(m.riskAsset),
        kind: MARKET_KINDS[Number(m.kind)] ?? 'perp',
        strike: m.strike as bigint,
        expiry: Number(m.expiry),
        settlementPrice: m.settlementPrice as bigint,
      };
    });
    this.scenarios = await readEach(await count('riskAssetCount'), async (id) => {
      const p = await this.engine.getFunction('scenarioParams')(id);
      return {
        scanRange: p.scanRange as bigint,
        volShift: p.volShift as bigint,
        extremeMultiple: p.extremeMultiple as bigint,
        extremeCover: p.extremeCover as bigint,
        initialMultiple: p.initialMultiple as bigint,
        shortOptionMinimum: p.shortOptionMinimum as bigint,
        volFeed: Number(p.volFeed) === NO_VOL_FEED ? null : Number(p.volFeed),
      };
    });
    const offsets = (await this.engine.getFunction('pairOffsets')()) as Array<{ a: bigint; b: bigint; credit: bigint }>;
    this.pairOffsets = offsets.map((o) => ({ a: Number(o.a), b: Number(o.b), credit: o.credit }));
  }

  /** Every guarded feed a figure can depend on: collateral and market underlyings, their volatility feeds. */
  feedsInUse(): Set<number> {
    const ids = new Set([...this.assets.map((a) => a.riskAsset), ...this.markets.map((m) => m.riskAsset)]);
    for (const id of [...ids]) {
      const vol = this.scenarios[id]?.volFeed;
      if (vol !== undefined && vol !== null) ids.add(vol);
    }
    return ids;
  }

  scenarioParams(): readonly ScenarioInfo[] {
    return this.scenarios;
  }

  configuredPairOffsets(): readonly PairOffset[] {
    return this.pairOffsets;
  }

  listedMarkets(): readonly MarketInfo[] {
    return this.markets;
  }

  listedAssets(): readonly AssetInfo[] {
    return this.assets;
  }

  /** A feed's guarded price at a block, or why the engine refuses it. */
  price(riskAsset: number, blockTag: number): Promise<PriceReading> {
    return this.cached(this.priceCache, riskAsset, blockTag, () => this.read('price', riskAsset, blockTag));
  }

  /** Every feed in use (`feedsInUse` order) at a block, read at once. */
  async prices(blockTag: number): Promise<Map<number, PriceReading>> {
    const feeds = [...this.feedsInUse()];
    const readings = await Promise.all(feeds.map((feed) => this.price(feed, blockTag)));
    return new Map(feeds.map((feed, i) => [feed, readings[i]!]));
  }

  /**
   * The account's figures from the SDK's PortfolioMargin on the inputs the engine gathers, in the
   * engine's order (collateral by asset id, then positions by market id; underlyings first seen).
   */
  async accountRisk(accountId: string, blockTag?: number): Promise<AccountRisk> {
    const block = blockTag ?? (await latestBlock(this.provider));
    const { owner, subAccount } = fromAccountId(accountId);
    const [state, header] = await Promise.all([this.hub.getFunction('accountState')(accountId, { blockTag: block }), this.provider.getBlock(block)]);
    const now = BigInt(header!.timestamp);
    const heldAssets = bits(BigInt(state.assets)).map((i) => this.assets[i]!);
    const openMarkets = bits(BigInt(state.markets)).map((i) => this.markets[i]!);
    // The feeds this account reads, each read once for it: its figures and errors come from one reading per feed.
    const prices = new Map<number, Promise<PriceReading>>();
    const priceOf = (feed: number) => {
      if (!prices.has(feed)) prices.set(feed, this.price(feed, block));
      return prices.get(feed)!;
    };
    const risk: AccountRisk = { accountId, owner, subAccount, block, cash: state.cash as bigint, collateral: [], positions: [], priceErrors: [], feeds: [] };
    const localIndex = new Map<number, number>();
    const local = (riskAsset: number) => {
      if (!localIndex.has(riskAsset)) localIndex.set(riskAsset, localIndex.size);
      return localIndex.get(riskAsset)!;
    };

    // Every read for this account at once; the model below runs on them in the engine's order.
    const [amounts, sizes, marks] = await Promise.all([
      Promise.all(heldAssets.map((a) => this.hub.getFunction('collateralOf')(accountId, a.assetId, { blockTag: block }) as Promise<bigint>)),
      Promise.all(openMarkets.map((m) => this.hub.getFunction('positionOf')(accountId, m.marketId, { blockTag: block }) as Promise<bigint>)),
      Promise.all(openMarkets.map((m) => this.markPrice(m.marketId, block))),
      Promise.all([...heldAssets.map((a) => a.riskAsset), ...openMarkets.map((m) => m.riskAsset)].map((id) => priceOf(id))),
    ]);
    const collateral: Collateral[] = [];
    for (const [i, asset] of heldAssets.entries()) {
      const amount = amounts[i]!;
      const p = await priceOf(asset.riskAsset);
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
    let cash = risk.cash;
    const positions: Position[] = [];
    for (const [i, market] of openMarkets.entries()) {
      const size = sizes[i]!;
      const mark = marks[i]!;
      const spot = await priceOf(market.riskAsset);
      const markUsd = mark.ok ? mark.price : 0n;
      risk.positions.push({ market, size, price: spot.ok ? spot.price : 0n, markUsd, valueUsd: mulWadDown(size, markUsd) });
      const settled = settledCash(market, size);
      if (settled !== undefined) {
        cash += settled;
        continue;
      }
      const timeYears = yearsToExpiry(market, now);
      positions.push({ underlying: local(market.riskAsset), kind: MARKET_KINDS.indexOf(market.kind), size, strike: market.strike, timeYears });
    }

    // As the engine: an underlying's volatility is read only when the account has an option on it.
    const withOptions = new Set(positions.filter((p) => p.kind !== 0).map((p) => p.underlying));
    const underlyings: Underlying[] = [];
    for (const [riskAsset, k] of localIndex) {
      const sc = this.scenarios[riskAsset]!;
      const spot = await priceOf(riskAsset);
      const vol: PriceReading = sc.volFeed === null || !withOptions.has(k) ? { ok: true, price: 0n } : await priceOf(sc.volFeed);
      underlyings.push({ spot: spot.ok ? spot.price : 0n, vol: vol.ok ? vol.price : 0n, params: sc });
    }
    for (const [feed, p] of prices) {
      const r = await p;
      risk.feeds.push(feed);
      if (!r.ok && !risk.priceErrors.includes(r.error)) risk.priceErrors.push(r.error);
    }
    if (risk.priceErrors.length === 0) {
      const offsets: PairOffset[] = this.pairOffsets
        .filter((o) => localIndex.has(o.a) && localIndex.has(o.b) && o.credit !== 0n)
        .map((o) => ({ a: localIndex.get(o.a)!, b: localIndex.get(o.b)!, credit: o.credit }));
      const r = portfolioMargin(cash, underlyings, collateral, positions, offsets);
      risk.figures = r;
      risk.health = health(r.maintenanceEquity, r.maintenanceRequirement);
      risk.greeks = [...localIndex.keys()].map((riskAsset, k) => ({ riskAsset, delta: r.delta[k]!, vega: r.vega[k]! }));
    }
    return risk;
  }

  /** The engine's model mark of one unit of a market (spot, option premium or expired payoff). */
  markPrice(marketId: number, blockTag: number): Promise<PriceReading> {
    return this.cached(this.markCache, marketId, blockTag, () => this.read('markPrice', marketId, blockTag));
  }

  private async read(fn: 'price' | 'markPrice', id: number, blockTag: number): Promise<PriceReading> {
    try {
      return { ok: true, price: (await this.engine.getFunction(fn)(id, { blockTag })) as bigint };
    } catch (err) {
      return { ok: false, error: revertReason(err, [this.engine.interface]) };
    }
  }

  /**
   * `read()` once per id at the latest block asked for (a reading pinned to a block never
   * changes); a newer block drops the older block's readings, an older block is read uncached. A
   * reading that failed (a refused price, or a network error it stands for) or a rejected read is
   * dropped, so the next ask reads it again.
   */
  private cached(cache: Map<number, Promise<PriceReading>>, id: number, block: number, read: () => Promise<PriceReading>): Promise<PriceReading> {
    if (block > this.cachedBlock) {
      this.cachedBlock = block;
      this.priceCache.clear();
      this.markCache.clear();
    }
    if (block < this.cachedBlock) return read();
    const hit = cache.get(id);
    if (hit) return hit;
    const reading = read();
    cache.set(id, reading);
    const forget = () => {
      if (cache.get(id) === reading) cache.delete(id);
    };
    reading.then((r) => (r.ok ? undefined : forget()), forget);
    return reading;
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

/** `read(i)` for every i below `count`, all at once. */
function readEach<T>(count: number, read: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => read(i)));
}

function bits(x: bigint): number[] {
  const out: number[] = [];
  for (let i = 0; x > 0n; i++, x >>= 1n) if (x & 1n) out.push(i);
  return out;
}
