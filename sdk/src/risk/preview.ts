/**
 * What-if: an account's figures after hypothetical actions, by the same model as the hub
 * (accountRisk.ts), and the price of each underlying at which the account becomes liquidatable.
 *
 * Actions change the model's inputs exactly as the hub would:
 * - deposit: the asset's collateral grows by `amount` (as the CREDIT does when it lands);
 * - withdraw: it shrinks by `amount` (as the hub does when the withdrawal is requested);
 * - trade: the position changes by `size` (positive buys) and cash by ∓ floor(|size| × price),
 *   as `MarginHub.trade`;
 * - price / volatility: the guarded price of an underlying, or its implied volatility, is set.
 * So doing the previewed actions on chain gives the previewed figures to the wei (at the same
 * block time: an option's value moves with time to expiry).
 */
import { mulDiv, WAD } from './fixedPoint.js';
import { MemoizedMargin } from './exactBook.js';
import {
  accountRisk,
  MARKET_KINDS,
  yearsToExpiry,
  type AccountRisk,
  type Holdings,
  type MarketState,
  type RiskSetup,
} from './accountRisk.js';
import { positionMark } from './portfolioMargin.js';

export type PreviewAction =
  | { type: 'deposit'; assetId: number; amount: bigint }
  | { type: 'withdraw'; assetId: number; amount: bigint }
  /** `size` in WAD units, positive to buy; `price` in USD WAD */
  | { type: 'trade'; marketId: number; size: bigint; price: bigint }
  /** the underlying's price, USD WAD */
  | { type: 'price'; riskAsset: number; price: bigint }
  /** the underlying's implied volatility, WAD fraction a year */
  | { type: 'volatility'; riskAsset: number; volatility: bigint };

/** An action the hub would refuse, or one naming something that does not exist. */
export class PreviewError extends Error {}

/** The holdings and market after `actions`, in order. The inputs are not changed. */
export function applyActions(
  setup: RiskSetup,
  holdings: Holdings,
  state: MarketState,
  actions: readonly PreviewAction[],
): { holdings: Holdings; state: MarketState } {
  const h: Holdings = {
    cash: holdings.cash,
    collateral: holdings.collateral.map((c) => ({ ...c })),
    positions: holdings.positions.map((p) => ({ ...p })),
  };
  const s: MarketState = { ...state, prices: new Map(state.prices), marks: new Map(state.marks) };
  for (const [i, action] of actions.entries()) {
    const where = `action ${i} (${action.type})`;
    switch (action.type) {
      case 'deposit':
      case 'withdraw': {
        if (!setup.assets[action.assetId]) throw new PreviewError(`${where}: no asset ${action.assetId} is listed`);
        if (action.amount <= 0n) throw new PreviewError(`${where}: amount must be positive`);
        const held = h.collateral.find((c) => c.assetId === action.assetId)?.amount ?? 0n;
        if (action.type === 'withdraw' && action.amount > held)
          throw new PreviewError(`${where}: ${action.amount} is more than the ${held} held of asset ${action.assetId}`);
        setEntry(
          h.collateral,
          'assetId',
          action.assetId,
          held + (action.type === 'deposit' ? action.amount : -action.amount),
        );
        break;
      }
      case 'trade': {
        const market = setup.markets[action.marketId];
        if (!market) throw new PreviewError(`${where}: no market ${action.marketId} is listed`);
        if (action.size === 0n) throw new PreviewError(`${where}: size must not be 0`);
        if (action.price <= 0n) throw new PreviewError(`${where}: price must be positive`);
        if (market.kind !== 'perp' && BigInt(market.expiry) <= s.timestamp)
          throw new PreviewError(`${where}: market ${action.marketId} has expired`);
        const size = h.positions.find((p) => p.marketId === action.marketId)?.size ?? 0n;
        setEntry(h.positions, 'marketId', action.marketId, size + action.size);
        const cost = mulDiv(action.size < 0n ? -action.size : action.size, action.price, WAD);
        h.cash += action.size > 0n ? -cost : cost;
        break;
      }
      case 'price':
        if (!setup.scenarios[action.riskAsset]) throw new PreviewError(`${where}: no risk asset ${action.riskAsset}`);
        if (action.price <= 0n) throw new PreviewError(`${where}: price must be positive`);
        s.prices.set(action.riskAsset, { ok: true, price: action.price });
        remark(setup, s, action.riskAsset);
        break;
      case 'volatility': {
        const volFeed = setup.scenarios[action.riskAsset]?.volFeed;
        if (volFeed === null || volFeed === undefined)
          throw new PreviewError(`${where}: risk asset ${action.riskAsset} has no volatility feed`);
        if (action.volatility <= 0n) throw new PreviewError(`${where}: volatility must be positive`);
        s.prices.set(volFeed, { ok: true, price: action.volatility });
        remark(setup, s, action.riskAsset);
        break;
      }
    }
  }
  return { holdings: h, state: s };
}

/** Sets an entry of a list kept in id order (as the hub returns holdings), dropping it at 0. */
function setEntry<K extends 'assetId' | 'marketId'>(
  list: Array<Record<K, number> & { amount?: bigint; size?: bigint }>,
  key: K,
  id: number,
  value: bigint,
): void {
  const field = key === 'assetId' ? 'amount' : 'size';
  const at = list.findIndex((e) => e[key] === id);
  if (value === 0n) {
    if (at >= 0) list.splice(at, 1);
    return;
  }
  if (at >= 0) {
    list[at]![field] = value;
    return;
  }
  const entry = { [key]: id, [field]: value } as Record<K, number> & { amount?: bigint; size?: bigint };
  const before = list.findIndex((e) => e[key] > id);
  list.splice(before < 0 ? list.length : before, 0, entry);
}

/**
 * The model mark of every unsettled market on `riskAsset` after its price or volatility moved (what the API shows; the
 * figures do not use marks).
 */
function remark(setup: RiskSetup, s: MarketState, riskAsset: number): void {
  const spot = s.prices.get(riskAsset);
  const volFeed = setup.scenarios[riskAsset]?.volFeed;
  const vol = volFeed === null || volFeed === undefined ? undefined : s.prices.get(volFeed);
  for (const m of setup.markets) {
    if (m.riskAsset !== riskAsset || m.settlementPrice !== 0n) continue;
    if (!spot?.ok || (m.kind !== 'perp' && !vol?.ok)) continue;
    const unit = {
      underlying: 0,
      kind: MARKET_KINDS.indexOf(m.kind),
      size: WAD,
      strike: m.strike,
      timeYears: yearsToExpiry(m, s.timestamp),
    };
    s.marks.set(m.marketId, { ok: true, price: positionMark(unit, spot.price, vol?.ok ? vol.price : 0n) });
  }
}

export interface AccountPreview {
  before: AccountRisk;
  after: AccountRisk;
  /** the holdings and market the `after` figures are computed on */
  next: { holdings: Holdings; state: MarketState };
}

/** The account's figures now and after `actions`. */
export function previewAccount(
  setup: RiskSetup,
  accountId: string,
  holdings: Holdings,
  state: MarketState,
  actions: readonly PreviewAction[],
  margin = new MemoizedMargin(),
): AccountPreview {
  const next = applyActions(setup, holdings, state, actions);
  return {
    before: accountRisk(setup, accountId, holdings, state, margin),
    after: accountRisk(setup, accountId, next.holdings, next.state, margin),
    next,
  };
}

export interface LiquidationPrice {
  riskAsset: number;
  /** the underlying's price now (USD WAD) */
  price: bigint;
  /** the nearest price below now at which health falls under 1 with everything else held, or null within a 100x fall */
  below: bigint | null;
  /** the nearest price above now at which it does, or null within a 100x rise */
  above: bigint | null;
  /** whichever of the two is nearer: the liquidation price */
  liquidationPrice: bigint | null;
}

/** How far the search looks each way (a factor of the price), and its first steps. */
const SEARCH_FACTOR = 100n;
const STEP_BPS = 500n;

/**
 * Each underlying the account is exposed to, with the price at which it becomes liquidatable:
 * a walk in 5% steps each way from today's price, then bisection to the wei between the last
 * price where health is at least 1 and the first where it is not. Health need not be monotonic
 * in one price (options), so each direction reports the nearest crossing. An account that is
 * already liquidatable gets today's price.
 */
export function liquidationPrices(
  setup: RiskSetup,
  accountId: string,
  holdings: Holdings,
  state: MarketState,
  margin = new MemoizedMargin(),
): LiquidationPrice[] {
  const underlyings = new Set<number>();
  for (const c of holdings.collateral) underlyings.add(setup.assets[c.assetId]!.riskAsset);
  for (const p of holdings.positions) {
    const m = setup.markets[p.marketId]!;
    if (m.settlementPrice === 0n) underlyings.add(m.riskAsset);
  }
  const out: LiquidationPrice[] = [];
  for (const riskAsset of [...underlyings].sort((a, b) => a - b)) {
    const now = state.prices.get(riskAsset);
    if (!now?.ok) continue;
    const healthyAt = (price: bigint): boolean => {
      const s: MarketState = { ...state, prices: new Map(state.prices).set(riskAsset, { ok: true, price }) };
      const f = accountRisk(setup, accountId, holdings, s, margin).figures;
      return f !== undefined && f.maintenanceEquity >= f.maintenanceRequirement;
    };
    if (!healthyAt(now.price)) {
      out.push({ riskAsset, price: now.price, below: now.price, above: now.price, liquidationPrice: now.price });
      continue;
    }
    const below = crossing(now.price, -1n, healthyAt);
    const above = crossing(now.price, 1n, healthyAt);
    const nearest =
      below === null ? above : above === null ? below : now.price - below <= above - now.price ? below : above;
    out.push({ riskAsset, price: now.price, below, above, liquidationPrice: nearest });
  }
  return out;
}

/**
 * The first price from `from` in `direction` at which `healthyAt` fails (the unhealthy side of the boundary), or null.
 */
function crossing(from: bigint, direction: 1n | -1n, healthyAt: (price: bigint) => boolean): bigint | null {
  const limit = direction < 0n ? from / SEARCH_FACTOR : from * SEARCH_FACTOR;
  let good = from;
  for (;;) {
    let next = (good * (10_000n + direction * STEP_BPS)) / 10_000n;
    if (direction < 0n ? next < limit : next > limit) next = limit;
    if (next === good || next <= 0n) return null;
    if (!healthyAt(next)) return bisect(good, next, healthyAt);
    if (next === limit) return null;
    good = next;
  }
}

function bisect(good: bigint, bad: bigint, healthyAt: (price: bigint) => boolean): bigint {
  while (good - bad > 1n || bad - good > 1n) {
    const mid = (good + bad) / 2n;
    if (healthyAt(mid)) good = mid;
    else bad = mid;
  }
  return bad;
}
