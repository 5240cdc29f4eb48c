/**
 * One scenario under one regime, block by block:
 *
 * 1. the oracle reports each underlying's price (or nothing, while stale); the keeper's own jump
 *    hold (`OracleWatch`, relayer/src/services/keeper) decides which prices it acts on, and the
 *    book is valued at those;
 * 2. at each day's start, and within the day whenever a price has moved half a scan range since
 *    the last proposal, Gen 3's engine proposes the grid and haircuts from the closes so far and
 *    the steward's rules let them move (raised at once, at most a quarter a change; lowered a
 *    day later); the volatility feed (annualised EWMA) updates for every regime;
 * 3. the keeper, when running, screens the book, checks the candidates exactly and liquidates
 *    each liquidatable one with the hub's sizing (`liquidationAmounts`, stress/liquidate.ts): debt
 *    repaid from its capital against the collateral with the lowest bonus, else its largest
 *    position taken over with the position penalty, capped as the hub caps it; then again, up to
 *    `ROUNDS_PER_BLOCK` rounds a block, each account it liquidated that is still unhealthy; the
 *    backstop vault then takes what the keeper left (stress/backstop.ts);
 * 4. a SEIZE pays the keeper its tokens `bridgeDelayBlocks` later, which it sells with the
 *    square-root-law slippage into the market's daily volume, and that refills its capital.
 *
 * An account with nothing left but debt is bankrupt: its debt is bad debt at once. At the end,
 * what any account owes beyond its holdings at the last true prices is bad debt too.
 */
import { WAD } from '@omnichain-collateral/sdk/risk/fixedPoint';
import { health } from '@omnichain-collateral/sdk/risk/marginModel';
import type { Underlying } from '@omnichain-collateral/sdk/risk/portfolioMargin';
import {
  allocateScreenOutput,
  packAccounts,
  SCREEN_CANDIDATE,
  type BookAccount,
  type BookSpec,
} from '@omnichain-collateral/sdk/risk/screening';
import { OracleWatch, type OracleWatchOptions } from '../relayer/src/services/keeper/oracleWatch.js';
import { liquidityAddOn } from '../relayer/src/riskParameters/liquidity.js';
import { DEFAULT_ENGINE_CONFIG, historyDays, toWad } from '../relayer/src/riskParameters/proposals.js';
import { ewmaVariances, logReturns } from '../relayer/src/riskParameters/volatility.js';
import { draftBook, fundBook, isolate } from './book.js';
import { dependsOn, holdingsUsd, netValue, repack } from './bookValue.js';
import { Waterfall, type Absorbed } from './waterfall.js';
import { BACKSTOP_CAPITAL_USD, SimBackstop } from './backstop.js';
import { liquidateOnce, resolveIfBankrupt } from './liquidate.js';
import {
  ASSETS,
  bookSpec,
  FLAT_BONUS_LIQUIDATION,
  fromWad,
  LIQUIDATION,
  SETTLEMENT_STEP,
  STATIC_GRID,
  UNDERLYINGS,
  usdWad,
  type StressAsset,
} from './market.js';
import { BLOCKS_PER_DAY, blocks, type Scenario } from './paths.js';
import { Steward, type Parameters } from './steward.js';
import { grossNotional, spanModel, staticModel, type MarginModel, type Regime, type RegimeName } from './regimes.js';

export interface SimulationOptions {
  /** accounts in the book (Gen 1 splits them per underlying) */
  accounts: number;
  seed: number;
  /**
   * the keeper's settlement tokens (USD) to repay debt with, refilled as its SEIZEs arrive and are sold (default:
   * $10,000 per account)
   */
  keeperCapitalUsd?: number;
  /** the keeper's jump hold, as the relayer's defaults */
  jumpHold: OracleWatchOptions;
  /** the hub's insurance fund at the start, USD (default INSURANCE_FUND_USD) */
  insuranceFundUsd?: number;
  /** liquidation rounds a block (default ROUNDS_PER_BLOCK) */
  roundsPerBlock?: number;
  /** the backstop vault's deposits, USD (default BACKSTOP_CAPITAL_USD; 0: no backstop) */
  backstopCapitalUsd?: number;
  /** health at or below which the vault takes an account (default BACKSTOP_HEALTH) */
  backstopHealth?: number;
}

/** The insurance fund the hub starts a scenario with: about 0.4% of the book's collateral. */
export const INSURANCE_FUND_USD = 2_000_000;

/**
 * The keeper's default capital per account in the book: enough that a crash never waits on it while SEIZEs arrive
 * within a block.
 */
export const KEEPER_CAPITAL_PER_ACCOUNT = 10_000;

/**
 * Liquidation rounds the keeper makes in a block of the path (an hour): a round takes a hub block
 * or two (`docs/benchmarks.md`, the crash demo's latency), so an hour has room for far more; past
 * a dozen at one price the accounts left are the ones no liquidation can help.
 */
export const ROUNDS_PER_BLOCK = 12;

export const DEFAULT_SIMULATION: SimulationOptions = {
  accounts: 10_000,
  seed: 20_261_126,
  jumpHold: { maxJump: 0.25, confirmations: 2 },
};

export interface RegimeResult {
  scenario: string;
  regime: RegimeName;
  /** margin accounts simulated (Gen 1: one per account and underlying) */
  marginAccounts: number;
  /** loss beyond the accounts' own collateral: what bankrupt accounts owed, the waterfall's input */
  shortfallUsd: number;
  /** of which left on accounts still open at the end (owing more than they hold at the last true prices) */
  unresolvedShortfallUsd: number;
  /** what each step of the waterfall took of the shortfall */
  absorbedUsd: Absorbed;
  /** shortfall no step took (the hub's rule leaves none) */
  unownedUsd: number;
  /** the two largest single-account shortfalls (for Cover 2) */
  largestShortfallsUsd: [number, number];
  /** accounts the backstop vault took over whole */
  backstopTakeovers: number;
  /** what the insurance fund's share of position penalties paid into it */
  insuranceFedUsd: number;
  /** the insurance fund at the end: its seed and its share of position penalties, less what it covered */
  insuranceLeftUsd: number;
  liquidations: number;
  /** the most rounds in one block that liquidated something (an account liquidated again in its block: 2 or more) */
  mostRounds: number;
  accountsLiquidated: number;
  /**
   * what liquidated accounts paid: collateral seized beyond the debt it repaid, position
   * penalties, and what the accounts the backstop took over were worth at the mark
   */
  liquidationCostUsd: number;
  /** the lowest maintenance health any account had at the prices the keeper accepted (0: negative equity) */
  worstHealth: number;
  /**
   * Capital the book must post per unit of gross notional, averaged over calm days (null: none):
   * the initial requirement plus the collateral the initial haircuts hold back (docs/stress.md)
   */
  calmCapital: number | null;
  calmDays: number;
  /** liquidations due while a price they depend on was held or stale */
  heldLiquidations: number;
  /** liquidations due while the keeper had no capital left to repay debt with */
  deferredForCapital: number;
  /** what the keeper lost to slippage selling seized collateral */
  keeperSlippageUsd: number;
  /** per day: cumulative bad debt and liquidations, and ETH's scan range in force */
  daily: Array<{ date: string; shortfallUsd: number; liquidations: number; ethScanRange: number }>;
  runMs: number;
}

/** Annualised EWMA volatility of `closes` (the volatility feed options are priced with). */
function volFeed(closes: readonly number[]): bigint {
  const v = ewmaVariances(logReturns(closes.slice(-(historyDays(DEFAULT_ENGINE_CONFIG) + 1)))).at(-1)!;
  return toWad(Math.sqrt(v * 365));
}

function modelFor(regime: Regime, spec: BookSpec, underlyings: readonly Underlying[]): MarginModel {
  return regime.isolated ? staticModel(spec, underlyings) : spanModel(spec, underlyings);
}

/** Runs `scenario` under `regime`. */
export function simulate(
  scenario: Scenario,
  regime: Regime,
  options: SimulationOptions = DEFAULT_SIMULATION,
): RegimeResult {
  const started = performance.now();
  const n = blocks(scenario);
  const closes = scenario.history.map((h) => [...h]);
  const startSpots = closes.map((h) => h.at(-1)!);
  const params: Parameters = {
    grids: UNDERLYINGS.map(() => ({ ...STATIC_GRID })),
    assets: ASSETS.map((a) => ({ ...a })),
  };
  const steward = regime.dynamic ? new Steward(params) : undefined;
  const specAt = () => bookSpec(usdWad(startSpots[0]!), params.assets);
  const vols = closes.map(volFeed);
  const underlyingsAt = (spots: readonly number[]): Underlying[] =>
    spots.map((s, k) => ({ spot: usdWad(s), vol: vols[k]!, params: { ...params.grids[k]! } }));

  let spec = specAt();
  const drafts = draftBook(spec, startSpots, options.accounts, options.seed);
  if (steward) {
    const held = holdingsUsd(
      spec,
      drafts.map((d) => ({ cash: 0n, ...d })),
      startSpots,
    );
    // The steward has had time to converge before the window: its parameters start at the proposals.
    steward.propose(closes, held, scenario.dailyVolumeUsd, 0, true);
    spec = specAt();
  }
  const accounts = fundBook(
    spec,
    modelFor(regime, spec, underlyingsAt(startSpots)),
    regime.isolated ? isolate(spec, drafts) : drafts,
  );
  const packed = packAccounts(spec, accounts);
  const out = allocateScreenOutput(accounts.length);
  const feedsOf = accounts.map((a) => dependsOn(spec, a));

  const watch = new OracleWatch(options.jumpHold);
  const accepted = [...startSpots];
  let budget = usdWad(options.keeperCapitalUsd ?? KEEPER_CAPITAL_PER_ACCOUNT * options.accounts);
  const arrivals = new Map<number, number[]>();
  const r: RegimeResult = {
    scenario: scenario.name,
    regime: regime.name,
    marginAccounts: accounts.length,
    shortfallUsd: 0,
    unresolvedShortfallUsd: 0,
    absorbedUsd: { backstop: 0, insurance: 0, socialized: 0 },
    unownedUsd: 0,
    largestShortfallsUsd: [0, 0],
    backstopTakeovers: 0,
    insuranceFedUsd: 0,
    insuranceLeftUsd: 0,
    liquidations: 0,
    mostRounds: 0,
    accountsLiquidated: 0,
    liquidationCostUsd: 0,
    worstHealth: Infinity,
    calmCapital: null,
    calmDays: 0,
    heldLiquidations: 0,
    deferredForCapital: 0,
    keeperSlippageUsd: 0,
    daily: [],
    runMs: 0,
  };
  const liquidated = new Set<number>();
  let capitalSum = 0;
  const waterfall = new Waterfall(options.insuranceFundUsd ?? INSURANCE_FUND_USD);
  const backstopCapital = options.backstopCapitalUsd ?? BACKSTOP_CAPITAL_USD;
  const backstop = new SimBackstop(backstopCapital, options.backstopHealth);
  // Accounts the keeper left liquidatable at its last pass: flagged, and past the vault's patience by the next.
  let leftBefore = new Set<number>();
  let proposedAt = [...startSpots];

  for (let b = 0; b < n; b++) {
    const day = Math.floor(b / BLOCKS_PER_DAY);
    const truePrice = (k: number) => scenario.prices[k]![b]!;
    // Lowerings queued a day ago land before the day's new proposals (which would requeue them).
    steward?.applyDue(b);
    if (b % BLOCKS_PER_DAY === 0 && b > 0) {
      closes.forEach((c, k) => {
        c.push(scenario.prices[k]![b - 1]!);
        vols[k] = volFeed(c);
      });
      steward?.propose(closes, holdingsUsd(spec, accounts, accepted), scenario.dailyVolumeUsd, b);
      proposedAt = closes.map((c) => c.at(-1)!);
    }
    spec = specAt();

    // 1. Prices: what the keeper accepts (a stale feed or a held jump leaves the last accepted price).
    let untrusted = 0;
    UNDERLYINGS.forEach((_, k) => {
      const stale = scenario.stale.some((s) => s.feed === k && b >= s.from && b < s.to);
      const state = watch.observe(
        k,
        stale ? { ok: false, error: 'StalePrice' } : { ok: true, price: usdWad(truePrice(k)) },
        b,
        b * 3_600_000,
      );
      if (state.status === 'ok') accepted[k] = fromWad(state.price);
      else untrusted |= 1 << k;
    });
    // Within the day, a move of half the scan range since the last proposal makes the engine
    // propose again, on the closes with the price now as a provisional one: raises land within the hour.
    if (steward && UNDERLYINGS.some((_, k) => jumped(accepted[k]!, proposedAt[k]!, params.grids[k]!.scanRange))) {
      const provisional = closes.map((c, k) => [...c, accepted[k]!]);
      steward.propose(provisional, holdingsUsd(spec, accounts, accepted), scenario.dailyVolumeUsd, b);
      proposedAt = [...accepted];
      spec = specAt();
    }
    const underlyings = underlyingsAt(accepted);
    const model = modelFor(regime, spec, underlyings);
    model.screen(packed, out);

    if (b % BLOCKS_PER_DAY === 0 && scenario.calm[day]) {
      // The haircuts hold back what the account is worth (no haircut) less its initial equity.
      let required = 0;
      let gross = 0;
      for (let i = 0; i < accounts.length; i++) {
        const heldBack = netValue(spec, accounts[i]!, accepted, vols) - out.equityI[i]!;
        required += out.requirementI[i]! + Math.max(0, heldBack);
        gross += grossNotional(spec, accepted, packed, i);
      }
      capitalSum += required / gross;
      r.calmDays++;
    }
    for (let i = 0; i < accounts.length; i++) {
      const req = out.requirementM[i]!;
      if (req > 0) r.worstHealth = Math.min(r.worstHealth, Math.max(0, out.equityM[i]!) / req);
    }

    // 2. Keeper proceeds arriving with this block's SEIZEs, sold into the market.
    const sold = arrivals.get(b);
    if (sold) {
      arrivals.delete(b);
      sold.forEach((units, k) => {
        if (units === 0) return;
        const usd = units * truePrice(k);
        const slip = liquidityAddOn(usd, scenario.dailyVolumeUsd[k]!, fromWad(vols[k]!) / Math.sqrt(365));
        r.keeperSlippageUsd += usd * slip;
        budget += usdWad(usd * (1 - slip));
      });
    }

    // 3. The keeper's pass.
    const keeperUp = !scenario.keeperDown.some((d) => b >= d.from && b < d.to);
    if (keeperUp) {
      let candidates: number[] = [];
      for (let i = 0; i < accounts.length; i++) if (out.flags[i]! & SCREEN_CANDIDATE) candidates.push(i);
      candidates.sort((x, y) => out.equityM[x]! / out.requirementM[x]! - out.equityM[y]! / out.requirementM[y]!);
      // Unhealthy accounts the keeper leaves this block: it could not act, or its rounds ran out.
      const left = new Set<number>();
      // An hour holds many hub blocks: the keeper comes back to the accounts it liquidated, at the
      // hour's prices, until they are healthy or it has had its rounds.
      for (let round = 0; round < (options.roundsPerBlock ?? ROUNDS_PER_BLOCK) && candidates.length > 0; round++) {
        const again: number[] = [];
        for (const i of candidates) {
          const account = accounts[i]!;
          const figures = model.figures(account);
          const h = health(figures.maintenanceEquity, figures.maintenanceRequirement);
          if (h >= WAD) continue;
          if (feedsOf[i]! & untrusted) {
            if (round === 0) r.heldLiquidations++;
            continue;
          }
          const action = liquidateOnce(spec, underlyings, regime, account, figures, h, budget, (a) => model.figures(a));
          if (action === 'no capital' || action === undefined) {
            if (action === 'no capital' && round === 0) r.deferredForCapital++;
            left.add(i);
            continue;
          }
          r.liquidations++;
          r.mostRounds = Math.max(r.mostRounds, round + 1);
          liquidated.add(i);
          r.liquidationCostUsd += action.costUsd;
          waterfall.feed(action.insuranceUsd);
          if (action.repay > 0n) {
            budget -= action.repay;
            const at = b + scenario.bridgeDelayBlocks;
            const queued = arrivals.get(at) ?? UNDERLYINGS.map(() => 0);
            queued[action.underlying]! += action.units;
            arrivals.set(at, queued);
          }
          waterfall.absorb(resolveIfBankrupt(account));
          repack(spec, account, i, packed);
          again.push(i);
        }
        candidates = again;
      }
      for (const i of candidates) left.add(i);
      // The relayer's backstop caller hands the vault what the keeper left.
      for (const i of left) {
        const account = accounts[i]!;
        const figures = model.figures(account);
        const h = fromWad(health(figures.maintenanceEquity, figures.maintenanceRequirement));
        const [equity, requirement] = [fromWad(figures.maintenanceEquity), fromWad(figures.maintenanceRequirement)];
        if (!backstop.wouldTake(h, equity, requirement, leftBefore.has(i))) continue;
        // The owner loses what the account is worth at the mark: the vault takes it as it is.
        r.liquidationCostUsd += Math.max(0, netValue(spec, account, accepted, vols));
        backstop.take(account, requirement);
        repack(spec, account, i, packed);
        left.delete(i);
      }
      leftBefore = left;
    }
    if ((b + 1) % BLOCKS_PER_DAY === 0) {
      r.daily.push({
        date: scenario.dates[day]!,
        shortfallUsd: waterfall.shortfall,
        liquidations: r.liquidations,
        ethScanRange: fromWad(params.grids[0]!.scanRange),
      });
    }
  }

  const last = UNDERLYINGS.map((_, k) => scenario.prices[k]![n - 1]!);
  // The depositors bear the vault's loss up to their deposits; beyond, its hub account is bankrupt.
  const vaultLoss = -backstop.valueAt(spec, last, vols);
  waterfall.absorbByBackstop(Math.min(vaultLoss, backstopCapital));
  waterfall.absorb(vaultLoss - backstopCapital);
  r.backstopTakeovers = backstop.takeovers;
  const before = waterfall.shortfall;
  for (const account of accounts) waterfall.absorb(-netValue(spec, account, last, vols));
  r.unresolvedShortfallUsd = waterfall.shortfall - before;
  r.shortfallUsd = waterfall.shortfall;
  r.absorbedUsd = { ...waterfall.absorbed };
  r.unownedUsd = waterfall.unowned;
  r.largestShortfallsUsd = [...waterfall.largest];
  r.insuranceFedUsd = waterfall.fed;
  r.insuranceLeftUsd = waterfall.insuranceLeft;
  r.accountsLiquidated = liquidated.size;
  r.calmCapital = r.calmDays > 0 ? capitalSum / r.calmDays : null;
  if (r.worstHealth === Infinity) r.worstHealth = 0;
  r.runMs = performance.now() - started;
  return r;
}

/** Whether `price` is more than half of `scanRange` (WAD) away from `proposed`, in log terms. */
const jumped = (price: number, proposed: number, scanRange: bigint): boolean =>
  Math.abs(Math.log(price / proposed)) > fromWad(scanRange) / 2;
