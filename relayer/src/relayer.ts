/**
 * The relayer: services, each on its own schedule, driven by the chains they watch (see
 * docs/architecture.md, "The relayer as services"):
 * - a head watcher and an indexer per chain;
 * - the book (holdings of every account), the keeper, the parity monitor: hub heads; the book's
 *   figures: after each of its reads, giving way to a keeper pass under way;
 * - the reconciler: a timer;
 * - the store flusher: a timer (the keeper journals its records before each broadcast);
 * - the HTTP API;
 * - plugins, such as the devnet's DVN and executor (`devnet/worker.ts`), which this file never
 *   imports: on a public network LayerZero's own workers deliver.
 * `stop()` stops every service after its current run, closes the API and flushes the store, so a
 * restart resumes exactly where it stopped.
 */
import type { Server } from 'node:http';
import { WAD } from '@omnichain-collateral/sdk/risk/fixedPoint';
import { Multicall } from '@omnichain-collateral/sdk/contracts/multicall';
import { createApp, listen } from './api/server.js';
import { checkEndpointIds, connectChains, type ChainClient } from './chain/clients.js';
import { HubReader } from './chain/hubReader.js';
import type { RelayerConfig } from './config.js';
import type { Logger } from './log.js';
import { RelayerMetrics } from './metrics.js';
import { AccountBook } from './services/book.js';
import { BackstopCaller } from './services/backstopCaller.js';
import { ChainIndexer, type IndexerListener } from './services/indexer.js';
import { Keeper } from './services/keeper/keeper.js';
import { every, Loop } from './services/loop.js';
import { ParameterSteward } from './services/parameterSteward.js';
import { ParityMonitor } from './services/parityMonitor.js';
import { Reconciler } from './services/reconciler.js';
import { StuckMessages } from './services/stuckMessages.js';
import type { RelayerStore, StoredMessage } from './store/store.js';
import { RelayerStore as Store } from './store/store.js';

/** Something run beside the relayer's own services, on the same chains and store. */
export interface RelayerPlugin {
  readonly name: string;
  /** Called once the relayer's services exist, before any runs. */
  attach(relayer: Relayer): void | Promise<void>;
  start?(): void;
  stop(): Promise<void>;
  /** resolves when its work in progress is done (tests) */
  idle?(): Promise<void>;
}

export type PacketListener = (messages: readonly StoredMessage[], chain: ChainClient) => void;

/**
 * The book's store is written this often (and on stop). Everything in it can be re-derived from
 * the chains, and a restart rescans from the last written checkpoint, idempotently: writing it
 * often only costs CPU, and it grows with the book. The keeper's records are written at once.
 */
const FLUSH_MS = 3_000;
const RECONCILE_MS = 5_000;
/**
 * Services driven by heads also run this often without one: a reorg to the same height brings no
 * new head, and an automine devnet makes blocks only when a transaction comes.
 */
const SAFETY_MS = 1_000;

export class Relayer {
  private server?: Server;
  private readonly stoppers: Array<() => void> = [];
  private readonly packetListeners: PacketListener[] = [];
  readonly flusher: Loop;

  private constructor(
    readonly config: RelayerConfig,
    readonly store: RelayerStore,
    readonly chains: Map<number, ChainClient>,
    readonly reader: HubReader,
    readonly indexers: ChainIndexer[],
    readonly book: AccountBook,
    readonly reconciler: Reconciler,
    readonly parity: ParityMonitor,
    readonly stuck: StuckMessages,
    readonly metrics: RelayerMetrics,
    readonly keeper: Keeper | undefined,
    readonly plugins: RelayerPlugin[],
    readonly log: Logger,
  ) {
    this.flusher = new Loop('store', () => this.flush(), log);
  }

  static async create(config: RelayerConfig, log: Logger, plugins: RelayerPlugin[] = []): Promise<Relayer> {
    const store = await Store.open(config.dataDir);
    const chains = connectChains(config, log);
    await checkEndpointIds(chains);
    const hubChain = chains.get(config.hubEid)!;
    const reader = new HubReader(hubChain.provider, hubChain.multicall, config.hub, config.riskEngine);
    await reader.loadConfig();
    const metrics = new RelayerMetrics();
    const book = new AccountBook(reader, hubChain, store, log);
    const reconciler = new Reconciler(reader, chains, store, log, metrics, config.hubEid);
    const parity = new ParityMonitor(
      reader.independent(hubChain.provider, new Multicall(hubChain.provider, hubChain.config.multicall)),
      hubChain,
      store,
      config.paritySample,
      log,
      metrics,
    );
    const stuck = new StuckMessages(chains, store, config.stuckAfterBlocks, log, metrics);
    const keeper = config.keeper
      ? new Keeper(config.keeper, reader, book, store, chains, config.hubEid, log, metrics)
      : undefined;

    let relayer: Relayer | undefined;
    const listener: IndexerListener = {
      accountsTouched: (ids) => book.touch(ids),
      cashIndexLowered: () => book.touch(book.withPositiveCash()),
      configChanged: () => {
        void reader.loadConfig().then(
          () => book.repriceAll(),
          (err: unknown) => log.warn({ err: String(err) }, 'reloading the risk configuration failed'),
        );
      },
      packets: (messages, chain) => {
        keeper?.onPackets(messages);
        for (const l of relayer?.packetListeners ?? []) l(messages, chain);
      },
      indexed: (chain, block) => {
        if (chain.config.eid === config.hubEid) keeper?.hubIndexed.reached(block);
      },
    };
    const oapps = new Set([config.hub.toLowerCase(), ...config.chains.map((c) => c.vault.toLowerCase())]);
    const indexers = [...chains.values()].map(
      (c) =>
        new ChainIndexer(
          c,
          { hubEid: config.hubEid, hub: config.hub, engine: config.riskEngine, oapps },
          store,
          listener,
          log,
          metrics,
        ),
    );
    book.caughtUp = () => indexers.every((i) => i.caughtUp);
    // Figures for the API wait while the keeper confirms and sends a pass: the thread is theirs first.
    if (keeper) book.deferTo = () => keeper.loop.busy;
    // The risk parameter engine runs beside the services like a plugin, when configured.
    const all = [...plugins];
    if (config.riskParameters) all.push(new ParameterSteward(config.riskParameters));
    if (config.backstop && config.backstopCallerKey)
      all.push(new BackstopCaller(config.backstop, config.backstopCallerKey));
    relayer = new Relayer(
      config,
      store,
      chains,
      reader,
      indexers,
      book,
      reconciler,
      parity,
      stuck,
      metrics,
      keeper,
      all,
      log,
    );
    for (const p of all) await p.attach(relayer);
    if (keeper) await keeper.prepare();
    return relayer;
  }

  /** Lets a plugin hear about packets the indexers record or move forward. */
  onPackets(listener: PacketListener): void {
    this.packetListeners.push(listener);
  }

  /** Starts every service and the API; resolves with the API's URL once it listens. */
  async start(): Promise<string> {
    const app = createApp({
      book: this.book,
      reader: this.reader,
      store: this.store,
      indexers: this.indexers,
      reconciler: this.reconciler,
      keeper: this.keeper,
      parity: this.parity,
      stuck: this.stuck,
      chains: this.chains,
      metrics: this.metrics,
      log: this.log,
      stressReport: this.config.stressReport,
      backstop: this.config.backstop,
    });
    this.server = await listen(app, this.config.api.host, this.config.api.port);
    const address = this.server.address();
    const port = typeof address === 'object' && address ? address.port : this.config.api.port;
    for (const c of this.chains.values()) c.heads.start();
    for (const p of this.plugins) p.start?.();
    this.book.loop.trigger();
    this.stoppers.push(
      every(FLUSH_MS, this.flusher),
      every(RECONCILE_MS, this.reconciler.loop),
      every(RECONCILE_MS, this.stuck.loop),
      ...[...this.indexers.map((i) => i.loop), this.book.loop, ...(this.keeper ? [this.keeper.loop] : [])].map((loop) =>
        every(SAFETY_MS, loop),
      ),
    );
    return `http://${this.config.api.host}:${port}`;
  }

  /**
   * Runs every service once, in dependency order, and waits for it (tests use this to step the
   * relayer deterministically; a running relayer does the same on its own).
   */
  async pass(): Promise<void> {
    for (const i of this.indexers) {
      i.loop.trigger();
      await i.loop.idle();
    }
    for (const p of this.plugins) await p.idle?.();
    for (const i of this.indexers) {
      i.loop.trigger();
      await i.loop.idle();
    }
    for (const loop of [this.book.loop, this.book.figuresLoop, this.keeper?.loop, this.reconciler.loop, this.flusher]) {
      if (!loop) continue;
      loop.trigger();
      await loop.idle();
      // A keeper pass does not wait for its broadcasts; a step of every service does.
      if (loop === this.keeper?.loop) await this.keeper.broadcastsAnswered();
    }
  }

  private async flush(): Promise<void> {
    this.metrics.messagesInFlight.set(this.store.inFlight().length);
    this.metrics.accounts.set(this.book.size());
    this.metrics.accountsLiquidatable.set(
      this.book.all().filter((r) => r.health !== undefined && r.health < WAD).length,
    );
    for (const c of this.chains.values()) this.metrics.rpcRequests.set({ chain: c.config.name }, c.provider.requests);
    await this.store.flush();
  }

  async stop(): Promise<void> {
    for (const stop of this.stoppers.splice(0)) stop();
    await Promise.all([...this.chains.values()].map((c) => c.heads.stop()));
    await Promise.all(this.plugins.map((p) => p.stop()));
    await this.keeper?.stop();
    await Promise.all([
      ...this.indexers.map((i) => i.loop.stop()),
      this.book.loop.stop(),
      this.book.figuresLoop.stop(),
      this.reconciler.loop.stop(),
      this.parity.loop.stop(),
      this.flusher.stop(),
    ]);
    if (this.server) {
      const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
      this.server.closeAllConnections();
      await closed;
    }
    await this.store.flush();
    for (const c of this.chains.values()) c.provider.destroy();
    this.log.info('relayer stopped; store flushed');
  }
}
