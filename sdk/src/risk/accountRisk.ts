/**
 * An account's figures as the hub computes them, from what the hub holds: the risk
 * configuration (`RiskSetup`), the market at one block (`MarketState`: guarded prices, marks,
 * block time) and the account's holdings. The relayer reads those from the chain
 * (relayer/src/chain/hubReader.ts); a what-if preview changes them first (preview.ts). Equal to
 * `MarginHub.accountFigures` at that block, to the wei.
 */
import { fromAccountId } from '../accountId.js';
import { mulDiv, mulWadDown, pow10, WAD } from './fixedPoint.js';
import { health, tokenValue, type MaintenanceFigures, type MarginFigures } from './marginModel.js';
import { MemoizedMargin } from './exactBook.js';
import { concentratedHaircuts, type ConcentrationTerms } from './concentration.js';
import {
  collateralValue,
  type Collateral,
  type PairOffset,
  type Position,
  type RiskParams,
  type Underlying,
} from './portfolioMargin.js';

const YEAR_SECONDS = 365n * 86_400n;

export const MARKET_KINDS = ['perp', 'call', 'put'] as const;

/** `RiskConfig.NO_VOL_FEED`: an underlying without a volatility feed (no options). */
export const NO_VOL_FEED = 0xffff;
/** `RiskConfig.NO_RATE_FEED`: a plain (not yield-bearing) collateral token. */
export const NO_RATE_FEED = 0xffff;
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
  /**
   * a yield-bearing token: the guarded feed of its exchange rate (underlying units per token, WAD); null or absent for
   * a plain one
   */
  rateFeed?: number | null;
  /** the fall of that rate the margin assumes (WAD; 0 when absent) */
  depeg?: bigint;
  /** the per-account concentration add-on's terms; absent or depth 0: none */
  concentration?: ConcentrationTerms;
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

/**
 * The engine's refusals that hold every figure rather than one price: the sequencer checks
 * (`OracleGuard._checkSequencer`), which a price read through `RiskEngine.price` reports as its own.
 */
const SEQUENCER_REFUSAL = /^Sequencer(Down|GracePeriodNotOver|RoundInvalid)\(/;

/**
 * Why a collateral holding counts for nothing (docs/risk-model.md section 2.1): its price or rate
 * is refused for a reason of its own feed. Undefined when trusted, or when the refusal is the
 * sequencer's, which holds every figure.
 */
function untrustedHolding(...readings: Array<PriceReading | undefined>): string | undefined {
  for (const r of readings) if (r && !r.ok && !SEQUENCER_REFUSAL.test(r.error)) return r.error;
  return undefined;
}

/**
 * The price a position's underlying is valued at while its feed cannot be trusted
 * (docs/risk-model.md section 2.1), as `RiskEngine._underlying`: the engine's last recorded one.
 * Undefined when none was recorded, or when the refusal is the sequencer's.
 */
function untrustedUnderlying(reading: PriceReading, recorded: bigint | undefined): bigint | undefined {
  if (reading.ok || SEQUENCER_REFUSAL.test(reading.error) || !recorded) return undefined;
  return recorded;
}

/** The scan range over a recorded price: the extreme move, at most 100%. */
export function extremeScan(params: RiskParams): bigint {
  const widened = (params.scanRange * params.extremeMultiple) / WAD;
  return widened < WAD ? widened : WAD;
}

/** Everything an account's figures depend on besides its holdings, at one hub block. */
export interface MarketState {
  block: number;
  /** block timestamp (s), for options' time to expiry */
  timestamp: bigint;
  /** guarded price per feed in use (risk assets and volatility feeds) */
  prices: Map<number, PriceReading>;
  /** model mark per market */
  marks: Map<number, PriceReading>;
  /**
   * The engine's last recorded price per risk asset (`recordPrice`), where one was: what a
   * position's underlying is valued at while its feed cannot be trusted.
   */
  recorded?: Map<number, bigint>;
}

/** An account's holdings as the hub's margin check reads them. */
export interface Holdings {
  cash: bigint;
  collateral: Array<{ assetId: number; amount: bigint }>;
  positions: Array<{ marketId: number; size: bigint }>;
}

/**
 * An account's risk on its maintenance figures alone (`accountMaintenance`): all that deciding and
 * sizing a liquidation needs. `AccountRisk` adds the initial figures.
 */
export interface MaintenanceRisk {
  accountId: string;
  owner: string;
  subAccount: number;
  block: number;
  cash: bigint;
  /** `concentrationAddOn`: what this account's holding adds to both the asset's haircuts (WAD) */
  collateral: Array<{
    asset: AssetInfo;
    amount: bigint;
    price: bigint;
    valueUsd: bigint;
    initialValueUsd: bigint;
    maintenanceValueUsd: bigint;
    concentrationAddOn: bigint;
    /** set when the holding's price or rate cannot be trusted: it then counts for nothing (all values 0) */
    priceError?: string;
  }>;
  positions: Array<{ market: MarketInfo; size: bigint; price: bigint; markUsd: bigint; valueUsd: bigint }>;
  /** absent when a price the account depends on cannot be trusted (then `priceErrors` says why) */
  figures?: MaintenanceFigures;
  /** maintenance equity over requirement (WAD): below 1e18 the account can be liquidated */
  health?: bigint;
  /** per underlying (risk asset id): units of exposure and USD per 1.0 of volatility */
  greeks?: Array<{ riskAsset: number; delta: bigint; vega: bigint }>;
  priceErrors: string[];
  /**
   * the guarded feeds the figures were computed from (as the engine: a volatility feed only for an underlying with an
   * unsettled option)
   */
  feeds: number[];
}

/** An account's risk, as `MarginHub.accountFigures` gives it: initial and maintenance figures. */
export interface AccountRisk extends MaintenanceRisk {
  figures?: MarginFigures;
}

/** The hub's risk configuration: listed assets and markets, each underlying's grid, pair credits. */
export interface RiskSetup {
  assets: AssetInfo[];
  markets: MarketInfo[];
  scenarios: ScenarioInfo[];
  pairOffsets: Array<{ a: number; b: number; credit: bigint }>;
}

/**
 * The account's figures from PortfolioMargin on the inputs the engine gathers, in the engine's
 * order (collateral by asset id, then positions by market id; underlyings first seen). Pure: no
 * chain access. `margin` memoizes option pricing across accounts (one per book).
 */
export function accountRisk(
  setup: RiskSetup,
  accountId: string,
  holdings: Holdings,
  state: MarketState,
  margin: MemoizedMargin = new MemoizedMargin(),
): AccountRisk {
  const { risk, model } = gather(setup, accountId, holdings, state);
  if (!model) return risk;
  const r = margin.portfolioMargin(model.cash, model.underlyings, model.collateral, model.positions, model.offsets);
  const figures: MarginFigures = {
    initialEquity: r.initialEquity,
    maintenanceEquity: r.maintenanceEquity,
    initialRequirement: r.initialRequirement,
    maintenanceRequirement: r.maintenanceRequirement,
  };
  return withFigures(risk, figures, r, model);
}

/**
 * `accountRisk`'s maintenance figures and health, to the wei, without the initial grid (half the
 * work): for deciding and sizing liquidations.
 */
export function accountMaintenance(
  setup: RiskSetup,
  accountId: string,
  holdings: Holdings,
  state: MarketState,
  margin: MemoizedMargin = new MemoizedMargin(),
): MaintenanceRisk {
  const { risk, model } = gather(setup, accountId, holdings, state);
  if (!model) return risk;
  const r = margin.maintenanceMargin(model.cash, model.underlyings, model.collateral, model.positions, model.offsets);
  const figures = { maintenanceEquity: r.maintenanceEquity, maintenanceRequirement: r.maintenanceRequirement };
  return withFigures(risk, figures, r, model);
}

/** What the margin model takes for one account: absent when a price it depends on is not trusted. */
interface ModelInputs {
  cash: bigint;
  underlyings: Underlying[];
  collateral: Collateral[];
  positions: Position[];
  offsets: PairOffset[];
  /** the risk asset of each underlying, in the model's order */
  riskAssets: number[];
}

/** An account's lines valued, before the model's figures. */
type RiskLines = Omit<MaintenanceRisk, 'figures' | 'health' | 'greeks'>;

/** `risk` with the figures, health and greeks of a model result. */
function withFigures<F extends MaintenanceFigures>(
  risk: RiskLines,
  figures: F,
  r: { delta: bigint[]; vega: bigint[] },
  model: ModelInputs,
): RiskLines & { figures: F; health: bigint; greeks: NonNullable<MaintenanceRisk['greeks']> } {
  return {
    ...risk,
    figures,
    health: health(figures.maintenanceEquity, figures.maintenanceRequirement),
    greeks: model.riskAssets.map((riskAsset, k) => ({ riskAsset, delta: r.delta[k]!, vega: r.vega[k]! })),
  };
}

/** The account's lines valued at `state`, and the model's inputs (as `RiskEngine` gathers them). */
function gather(
  setup: RiskSetup,
  accountId: string,
  holdings: Holdings,
  state: MarketState,
): { risk: RiskLines; model?: ModelInputs } {
  const { assets, markets, scenarios, pairOffsets } = setup;
  const { owner, subAccount } = fromAccountId(accountId);
  const risk: RiskLines = {
    accountId,
    owner,
    subAccount,
    block: state.block,
    cash: holdings.cash,
    collateral: [],
    positions: [],
    priceErrors: [],
    feeds: [],
  };
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
    const rateFeed = rateFeedOf(asset);
    // As the engine: a holding whose price or rate cannot be trusted is left out of the model, and
    // the figures do not depend on its feeds.
    const priceError = untrustedHolding(
      state.prices.get(asset.riskAsset),
      rateFeed === null ? undefined : state.prices.get(rateFeed),
    );
    if (priceError !== undefined) {
      const zero = { price: 0n, valueUsd: 0n, initialValueUsd: 0n, maintenanceValueUsd: 0n, concentrationAddOn: 0n };
      risk.collateral.push({ asset, amount, ...zero, priceError });
      continue;
    }
    const p = priceOf(asset.riskAsset);
    const price = p.ok ? p.price : 0n;
    const rate = rateFeed === null ? undefined : priceOf(rateFeed);
    const held = modelAmount(asset, amount, rate?.ok ? rate.price : 0n);
    // As the engine: the haircuts rise with the holding's value at the underlying's price.
    const haircuts = concentratedHaircuts(asset, held.amount, held.decimals, price);
    const line = {
      underlying: local(asset.riskAsset),
      ...held,
      initialHaircut: haircuts.initialHaircut,
      maintenanceHaircut: haircuts.maintenanceHaircut,
    };
    collateral.push(line);
    // Per whole token: the underlying's price, times the exchange rate for a yield-bearing one.
    const tokenPrice = rate === undefined ? price : rate.ok ? mulDiv(price, rate.price, WAD) : 0n;
    risk.collateral.push({
      asset,
      amount,
      price: tokenPrice,
      valueUsd: tokenValue(amount, asset.decimals, tokenPrice),
      initialValueUsd: collateralValue(line, price, line.initialHaircut),
      maintenanceValueUsd: collateralValue(line, price, line.maintenanceHaircut),
      concentrationAddOn: haircuts.addOn,
    });
  }
  let cash = holdings.cash;
  const positions: Position[] = [];
  for (const { marketId, size } of holdings.positions) {
    const market = markets[marketId]!;
    const mark = state.marks.get(marketId);
    const spot = priceOf(market.riskAsset);
    const markUsd = mark?.ok ? mark.price : 0n;
    risk.positions.push({
      market,
      size,
      price: spot.ok ? spot.price : 0n,
      markUsd,
      valueUsd: mulWadDown(size, markUsd),
    });
    const settled = settledCash(market, size);
    if (settled !== undefined) {
      cash += settled;
      continue;
    }
    positions.push({
      underlying: local(market.riskAsset),
      kind: MARKET_KINDS.indexOf(market.kind),
      size,
      strike: market.strike,
      timeYears: yearsToExpiry(market, state.timestamp),
    });
  }

  // As the engine: an underlying's volatility is read only when the account has an option on it.
  const withOptions = new Set(positions.filter((p) => p.kind !== 0).map((p) => p.underlying));
  const underlyings: Underlying[] = [];
  const recordedInstead = new Set<number>();
  for (const [riskAsset, k] of localIndex) {
    const sc = scenarios[riskAsset]!;
    const spot = priceOf(riskAsset);
    const vol: PriceReading =
      sc.volFeed === null || !withOptions.has(k) ? { ok: true, price: 0n } : priceOf(sc.volFeed);
    const recorded = spot.ok ? undefined : untrustedUnderlying(spot, state.recorded?.get(riskAsset));
    if (recorded !== undefined) recordedInstead.add(riskAsset);
    underlyings.push({
      spot: spot.ok ? spot.price : (recorded ?? 0n),
      vol: vol.ok ? vol.price : 0n,
      params: recorded === undefined ? sc : { ...sc, scanRange: extremeScan(sc) },
    });
  }
  for (const feed of recordedInstead) used.delete(feed);
  for (const feed of used) {
    const r = state.prices.get(feed);
    risk.feeds.push(feed);
    const error = r === undefined ? `feed ${feed} not read` : r.ok ? undefined : r.error;
    if (error !== undefined && !risk.priceErrors.includes(error)) risk.priceErrors.push(error);
  }
  if (risk.priceErrors.length > 0) return { risk };
  const offsets: PairOffset[] = pairOffsets
    .filter((o) => localIndex.has(o.a) && localIndex.has(o.b) && o.credit !== 0n)
    .map((o) => ({ a: localIndex.get(o.a)!, b: localIndex.get(o.b)!, credit: o.credit }));
  return { risk, model: { cash, underlyings, collateral, positions, offsets, riskAssets: [...localIndex.keys()] } };
}

/** The guarded feed of a yield-bearing asset's exchange rate, null for a plain token. */
export function rateFeedOf(asset: AssetInfo): number | null {
  return asset.rateFeed ?? null;
}

/**
 * What the model holds of a collateral (as `RiskEngine._modelAmount`): the amount itself, or for
 * a yield-bearing token its underlying units (18 decimals) at `rate` after the asset's depeg.
 */
export function modelAmount(asset: AssetInfo, amount: bigint, rate: bigint): { amount: bigint; decimals: number } {
  if (rateFeedOf(asset) === null) return { amount, decimals: asset.decimals };
  const afterDepeg = (rate * (WAD - (asset.depeg ?? 0n))) / WAD;
  return { amount: mulDiv(amount, afterDepeg, pow10(asset.decimals)), decimals: 18 };
}

/**
 * What a position in an option whose settlement price is fixed counts for: cash, its payoff
 * (`mulWadDown(size, payoff)`, as the engine counts it), outside the scenarios. Undefined while
 * the market is unsettled (or a perp).
 */
export function settledCash(market: MarketInfo, size: bigint): bigint | undefined {
  const s = market.settlementPrice;
  if (s === 0n) return undefined;
  const payoff =
    market.kind === 'call' ? (s > market.strike ? s - market.strike : 0n) : market.strike > s ? market.strike - s : 0n;
  return mulWadDown(size, payoff);
}

/** The engine's time to expiry in WAD years at block time `now` (0 for perps and once expired). */
export function yearsToExpiry(market: MarketInfo, now: bigint): bigint {
  // A perp's expiry is 0 (RiskConfig.listMarket), so it has none left, as in RiskEngine._timeYears.
  return BigInt(market.expiry) <= now ? 0n : ((BigInt(market.expiry) - now) * WAD) / YEAR_SECONDS;
}
