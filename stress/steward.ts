/**
 * Gen 3's parameters in the stress simulator: the risk-parameter engine's proposals, moved within
 * the on-chain steward's rules (raised at once by at most a step, and at most `maxDailyRaise`
 * within a day; lowered after a delay).
 */
import type { RiskParams } from '@omnichain-collateral/sdk/risk/portfolioMargin';
import {
  dailyRaiseCap,
  nextStewardValue,
  proposeConcentrationImpact,
  proposeHaircuts,
  proposeScenario,
  raiseWindowOpen,
  toWad,
  type StewardBounds,
} from '../relayer/src/riskParameters/proposals.js';
import { CONCENTRATION_CAP, STEWARD, usdWad, type StressAsset } from './market.js';

/** Parameters in force: each underlying's grid and each asset's haircuts. */
export interface Parameters {
  grids: RiskParams[];
  assets: StressAsset[];
}

/** Gen 3's parameters: the engine's proposals, moved within the steward's rules. */
export class Steward {
  private readonly pending = new Map<string, { at: number; apply: () => void }>();
  /** each parameter's raise window: the block it opened and the value then */
  private readonly raises = new Map<string, { openedAt: bigint; base: bigint }>();

  constructor(readonly params: Parameters) {}

  /** What the engine proposes now, from each underlying's closes and the book's holdings (USD per asset). */
  propose(
    closes: readonly number[][],
    holdingsUsd: readonly number[],
    dailyVolumeUsd: readonly number[],
    block: number,
    converge = false,
  ): void {
    const dailyVol: number[] = [];
    closes.forEach((c, k) => {
      const p = proposeScenario(c);
      dailyVol.push(p.inputs.dailyVol);
      const grid = this.params.grids[k]!;
      this.steer(
        `scan ${k}`,
        grid.scanRange,
        p.scanRange,
        STEWARD.scanRange,
        block,
        converge,
        (v) => (grid.scanRange = v),
      );
      this.steer(
        `shift ${k}`,
        grid.volShift,
        p.volShift,
        STEWARD.volShift,
        block,
        converge,
        (v) => (grid.volShift = v),
      );
    });
    this.params.assets.forEach((a, i) => {
      const h = proposeHaircuts(holdingsUsd[i]!, dailyVolumeUsd[a.underlying]!, dailyVol[a.underlying]!);
      this.steer(
        `initial ${i}`,
        a.initialHaircut,
        h.initialHaircut,
        STEWARD.initialHaircut,
        block,
        converge,
        (v) => (a.initialHaircut = v),
      );
      // The hub keeps maintenance at most initial.
      this.steer(
        `maintenance ${i}`,
        a.maintenanceHaircut,
        h.maintenanceHaircut,
        STEWARD.maintenanceHaircut,
        block,
        converge,
        (v) => (a.maintenanceHaircut = v < a.initialHaircut ? v : a.initialHaircut),
      );
      // The per-account concentration add-on: depth = the market's daily volume (the square-root
      // law's V), its price impact steered to Y · σ_daily.
      const terms = (a.concentration ??= {
        depthUsd: usdWad(dailyVolumeUsd[a.underlying]!),
        impact: 0n,
        cap: CONCENTRATION_CAP,
      });
      const impact = proposeConcentrationImpact(dailyVol[a.underlying]!);
      this.steer(
        `impact ${i}`,
        terms.impact,
        impact,
        STEWARD.concentrationImpact,
        block,
        converge,
        (v) => (terms.impact = v),
      );
    });
  }

  /** Lowerings whose delay has passed take effect. */
  applyDue(block: number): void {
    for (const [key, p] of this.pending) {
      if (p.at > block) continue;
      p.apply();
      this.pending.delete(key);
    }
  }

  private steer(
    key: string,
    current: bigint,
    target: number,
    bounds: StewardBounds,
    block: number,
    converge: boolean,
    set: (v: bigint) => void,
  ): void {
    if (converge) {
      const t = toWad(target);
      set(t < bounds.min ? bounds.min : t > bounds.max ? bounds.max : t);
      return;
    }
    const window = this.raises.get(key) ?? { openedAt: 0n, base: 0n };
    const hours = BigInt(STEWARD.raiseWindowHours);
    const cap = dailyRaiseCap(bounds, current, window, BigInt(block), hours);
    const next = nextStewardValue(current, toWad(target), bounds, undefined, cap);
    if (next === undefined) return void this.pending.delete(key);
    if (next > current) {
      this.pending.delete(key);
      // As the steward: a raise after the last window closed opens one at the value before it.
      if (!raiseWindowOpen(window, BigInt(block), hours))
        this.raises.set(key, { openedAt: BigInt(block), base: current });
      set(next);
    } else {
      this.pending.set(key, { at: block + STEWARD.loweringDelayHours, apply: () => set(next) });
    }
  }
}

/** One parameter under the steward, proposed once a day (the backtest). */
export interface StewardState {
  current: bigint;
  /** a lowering queued, and the day it takes effect */
  pending?: { value: bigint; day: number };
}

/** Raises one day can carry: the on-chain cooldown is an hour, so up to 24 steps. */
export const RAISES_PER_DAY = 24;

/**
 * Day `day`'s proposal of `target` under the steward's rules: a lowering queued earlier takes
 * effect once its delay has passed; a raise applies at once, as many steps as the day's hourly
 * cooldowns and its daily cap allow; a lowering is queued one step at a time, a day late.
 */
export function stewardDay(state: StewardState, target: bigint, bounds: StewardBounds, day: number): void {
  if (state.pending && state.pending.day <= day) {
    state.current = state.pending.value;
    delete state.pending;
  }
  // The day's raises share one window, opened at the day's value.
  const cap = dailyRaiseCap(bounds, state.current, { openedAt: 0n, base: 0n }, 0n, 1n);
  let next = nextStewardValue(state.current, target, bounds, undefined, cap);
  if (next === undefined) return;
  if (next > state.current) {
    delete state.pending;
    for (let step = 0; step < RAISES_PER_DAY && next !== undefined && next > state.current; step++) {
      state.current = next;
      next = nextStewardValue(state.current, target, bounds, undefined, cap);
    }
  } else {
    state.pending ??= { value: next, day: day + Math.ceil(STEWARD.loweringDelayHours / 24) };
  }
}
