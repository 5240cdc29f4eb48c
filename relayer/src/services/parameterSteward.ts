/**
 * The risk parameter engine at work (docs/dynamic-parameters.md), on when the relayer config
 * has `riskParameters`: every `sampleMs` it records each configured underlying's guarded price
 * as one period's close (after the candles of its history file), estimates the volatility, and
 * moves the underlying's scan range and volatility shift, and the haircuts of the collateral it
 * is told to (from the book's holding against the daily volume) and the price impact of their
 * concentration add-on (from the volatility), toward what it calls for through the
 * RiskSteward: the target when the steward accepts it, else the one step it does. Raises take
 * effect at once; a lowering is queued by the steward and executed here once its delay is over.
 *
 * Closes are kept in memory: a restarted relayer starts again from the history file, and
 * proposes nothing until it has a lookback's worth of periods.
 */
import { Interface, Wallet } from 'ethers';
import { marginHubAbi, riskEngineAbi, riskStewardAbi } from '@omnichain-collateral/sdk/abi';
import { revertReason } from '@omnichain-collateral/sdk/contracts/revert';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import type { ChainClient } from '../chain/clients.js';
import { Nonces } from '../chain/nonces.js';
import type { RiskParametersConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { RelayerMetrics } from '../metrics.js';
import type { Relayer, RelayerPlugin } from '../relayer.js';
import { loadCandles } from '../riskParameters/candles.js';
import {
  DEFAULT_ENGINE_CONFIG,
  dailyRaiseCap,
  historyDays,
  nextStewardValue,
  proposeConcentrationImpact,
  proposeHaircuts,
  proposeScenario,
  toWad,
  type ParameterEngineConfig,
  type ScenarioProposal,
} from '../riskParameters/proposals.js';
import { every, Loop } from './loop.js';

/** RiskSteward's Parameter enum. */
const SCENARIO_PARAMETERS = [
  { id: 0, name: 'scanRange', of: (p: ScenarioProposal) => p.scanRange },
  { id: 1, name: 'volShift', of: (p: ScenarioProposal) => p.volShift },
] as const;
const INITIAL_HAIRCUT = 2;
const MAINTENANCE_HAIRCUT = 3;
const CONCENTRATION_IMPACT = 4;

type Underlying = RiskParametersConfig['underlyings'][number];

const STEWARD_ERRORS = [new Interface(riskStewardAbi)];
const ENGINE_ERRORS = [new Interface(riskEngineAbi)];

export class ParameterSteward implements RelayerPlugin {
  readonly name = 'parameter-steward';
  private readonly closes = new Map<number, number[]>();
  private readonly engineConfig: ParameterEngineConfig;
  private loop!: Loop;
  private hub!: ChainClient;
  private engine!: TypedContract<typeof riskEngineAbi>;
  private hubContract!: TypedContract<typeof marginHubAbi>;
  /** USD traded a day per underlying, for the haircuts' liquidity add-on */
  private readonly volumes = new Map<number, number>();
  private steward!: TypedContract<typeof riskStewardAbi>;
  /** the steward's LOWERING_WINDOW and RAISE_WINDOW, read at the first steer */
  private loweringWindow?: bigint;
  private raiseWindow?: bigint;
  private log!: Logger;
  private metrics!: RelayerMetrics;
  private stopTimer?: () => void;
  /** the provider caches nonce reads for a moment: sends take theirs from a local count */
  private nonces!: Nonces;

  constructor(private readonly config: RiskParametersConfig) {
    this.engineConfig = {
      ...DEFAULT_ENGINE_CONFIG,
      horizonDays: config.horizonPeriods,
      lookbackDays: config.lookbackPeriods,
    };
  }

  attach(relayer: Relayer): void {
    this.hub = relayer.chains.get(relayer.config.hubEid)!;
    this.log = relayer.log.child({ service: this.name });
    this.metrics = relayer.metrics;
    this.engine = new TypedContract(riskEngineAbi, relayer.config.riskEngine, this.hub.provider);
    const wallet = new Wallet(this.config.key, this.hub.provider);
    this.steward = new TypedContract(riskStewardAbi, this.config.steward, wallet);
    this.nonces = new Nonces(wallet);
    this.hubContract = new TypedContract(marginHubAbi, relayer.config.hub, this.hub.provider);
    for (const u of this.config.underlyings) {
      const candles = u.history ? loadCandles(u.history).slice(-this.keep()) : [];
      this.closes.set(
        u.riskAsset,
        candles.map((c) => c.close),
      );
      const volume =
        u.dailyVolumeUsd ??
        (candles.length > 0 ? candles.reduce((a, c) => a + c.volume * c.close, 0) / candles.length : undefined);
      if (volume !== undefined) this.volumes.set(u.riskAsset, volume);
      else if (u.assets.length > 0)
        throw new Error(
          `riskParameters: risk asset ${u.riskAsset} steers haircuts but has neither dailyVolumeUsd nor a history with volumes`,
        );
      this.log.info(
        { riskAsset: u.riskAsset, periods: candles.length, history: u.history ?? null, dailyVolumeUsd: volume ?? null },
        'risk parameter history loaded',
      );
    }
    this.loop = new Loop(this.name, () => this.run(), this.log);
  }

  start(): void {
    this.stopTimer = every(this.config.sampleMs, this.loop);
    this.loop.trigger();
  }

  async stop(): Promise<void> {
    this.stopTimer?.();
    await this.loop.stop();
  }

  /** Waits for a run in progress; starts none (a run records a period). */
  async idle(): Promise<void> {
    await this.loop.idle();
  }

  private keep(): number {
    return historyDays(this.engineConfig) + 1;
  }

  private async run(): Promise<void> {
    // The steward's clock: one read per run serves every cooldown and delay check in it.
    const now = BigInt((await this.hub.provider.getBlock('latest'))!.timestamp);
    for (const u of this.config.underlyings) {
      let price: bigint;
      try {
        price = await this.engine.read('price', [u.riskAsset]);
      } catch (err) {
        // A price the hub would refuse is no close: the period is skipped, as the keeper skips it.
        this.log.warn(
          { riskAsset: u.riskAsset, reason: revertReason(err, ENGINE_ERRORS) },
          'no trusted price this period',
        );
        continue;
      }
      const closes = this.closes.get(u.riskAsset)!;
      closes.push(Number(price) / 1e18);
      if (closes.length > this.keep()) closes.splice(0, closes.length - this.keep());
      if (closes.length < this.keep()) continue;
      const proposal = proposeScenario(closes, this.engineConfig);
      const context = { dailyVol: proposal.inputs.dailyVol };
      for (const p of SCENARIO_PARAMETERS)
        await this.steer(p.id, p.name, u.riskAsset, toWad(p.of(proposal)), now, context);
      await this.steerHaircuts(u, proposal.inputs.dailyVol, closes.at(-1)!, now);
    }
  }

  /**
   * Each steered collateral's haircuts from the book's holding of it against the daily volume,
   * and its concentration add-on's price impact from the volatility (where the steward has bounds for it).
   */
  private async steerHaircuts(u: Underlying, dailyVol: number, price: number, now: bigint): Promise<void> {
    const volume = this.volumes.get(u.riskAsset)!;
    for (const assetId of u.assets) {
      const [asset, held] = await Promise.all([
        this.engine.read('asset', [assetId]),
        this.hubContract.read('totalCollateral', [assetId]),
      ]);
      const holdingUsd = (Number(held) / 10 ** asset.decimals) * price;
      const h = proposeHaircuts(holdingUsd, volume, dailyVol, this.engineConfig);
      const [initial, maintenance] = [toWad(h.initialHaircut), toWad(h.maintenanceHaircut)];
      const context = { dailyVol, holdingUsd, dailyVolumeUsd: volume, liquidityAddOn: h.liquidityAddOn };
      // The steward keeps maintenance <= initial: the initial haircut rises first, the maintenance one falls first.
      if (initial > asset.initialHaircut) {
        await this.steer(INITIAL_HAIRCUT, 'initialHaircut', assetId, initial, now, context);
        await this.steer(MAINTENANCE_HAIRCUT, 'maintenanceHaircut', assetId, maintenance, now, context);
      } else {
        await this.steer(MAINTENANCE_HAIRCUT, 'maintenanceHaircut', assetId, maintenance, now, context);
        await this.steer(INITIAL_HAIRCUT, 'initialHaircut', assetId, initial, now, context);
      }
      await this.steer(
        CONCENTRATION_IMPACT,
        'concentrationImpact',
        assetId,
        toWad(proposeConcentrationImpact(dailyVol, this.engineConfig)),
        now,
        { dailyVol },
      );
    }
  }

  /**
   * Moves one parameter of risk asset or asset `id` toward `target` as far as the steward allows
   * (the hub chain's time `now`); `inputs` go to the log line.
   */
  private async steer(
    parameter: number,
    name: string,
    id: number,
    target: bigint,
    now: bigint,
    inputs: Record<string, number>,
  ): Promise<void> {
    const s = this.steward;
    const [current, bounds, pending, last, raises] = await Promise.all([
      s.read('current', [parameter, id]),
      s.read('boundsOf', [parameter, id]),
      s.read('pendingLowering', [parameter, id]),
      s.read('lastChange', [parameter, id]),
      s.read('raiseWindow', [parameter, id]),
    ]);
    // Constants of the steward's code: read once.
    const window = (this.loweringWindow ??= await s.read('LOWERING_WINDOW', []));
    const raiseSeconds = (this.raiseWindow ??= await s.read('RAISE_WINDOW', []));
    if (bounds.maxStep === 0n) return; // not stewarded: governance's alone
    const context = { parameter: name, id, current: current.toString(), target: target.toString(), ...inputs };
    // A lowering not executed within its window has expired: the steward refuses it, and a new
    // proposal replaces it.
    const queued = pending.executableAt !== 0n && now <= pending.executableAt + window;
    if (queued && now >= pending.executableAt) {
      await this.send('lowering executed', name, (nonce) => s.send('executeLowering', [parameter, id], { nonce }), {
        ...context,
        to: pending.value.toString(),
      });
      return;
    }
    const cap = dailyRaiseCap(bounds, current, raises, now, raiseSeconds);
    const next = nextStewardValue(current, target, bounds, this.config.threshold, cap);
    if (next === undefined || (queued && pending.value === next)) return;
    if (last !== 0n && now < last + BigInt(bounds.cooldown)) return; // the steward would refuse: next period
    await this.send(
      next > current ? 'raised' : 'lowering queued',
      name,
      (nonce) => s.send('propose', [parameter, id, next], { nonce }),
      { ...context, to: next.toString() },
    );
  }

  private async send(
    action: string,
    parameter: string,
    tx: (nonce: number) => Promise<void>,
    context: Record<string, unknown>,
  ): Promise<void> {
    try {
      await tx(await this.nonces.take());
    } catch (err) {
      this.nonces.reset();
      this.log.warn({ ...context, action, reason: revertReason(err, STEWARD_ERRORS) }, 'risk steward refused');
      return;
    }
    this.metrics.stewardProposals.inc({ parameter, action });
    this.log.info({ ...context, action }, `risk parameter ${action}`);
  }
}
