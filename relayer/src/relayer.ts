/**
 * The relayer: one loop that indexes every chain, delivers packets (devnet only), recomputes the
 * touched accounts, reconciles custody, and flushes its store; plus the HTTP API. `stop()` ends
 * the loop after the current pass, closes the API and flushes the store, so a restart resumes
 * exactly where it stopped.
 */
import type { Server } from 'node:http';
import { WAD } from '../../sdk/src/risk/marginModel.js';
import { AccountBook } from './book.js';
import { abis, connectChains, type ChainClient } from './chains.js';
import type { RelayerConfig } from './config.js';
import { DevnetDeliverer } from './devnet/deliverer.js';
import { HubReader } from './hubReader.js';
import { Indexer } from './indexer.js';
import type { Logger } from './log.js';
import { RelayerMetrics } from './metrics.js';
import { Reconciler } from './reconciler.js';
import { RelayerStore } from './store.js';
import { DevnetWorker } from './worker.js';
import { createApp, listen } from './api/server.js';
import { Keeper } from './keeper/keeper.js';

export class Relayer {
  private running = false;
  private loop?: Promise<void>;
  private server?: Server;
  private passes = 0;

  private constructor(
    readonly config: RelayerConfig,
    readonly store: RelayerStore,
    readonly chains: Map<number, ChainClient>,
    readonly reader: HubReader,
    readonly indexer: Indexer,
    readonly book: AccountBook,
    readonly reconciler: Reconciler,
    readonly metrics: RelayerMetrics,
    readonly worker: DevnetWorker | undefined,
    readonly keeper: Keeper | undefined,
    private readonly log: Logger,
  ) {}

  static async create(config: RelayerConfig, log: Logger): Promise<Relayer> {
    const store = await RelayerStore.open(config.dataDir);
    const chains = connectChains(config);
    for (const c of chains.values()) {
      const eid = Number(await c.endpoint.getFunction('eid')());
      if (eid !== c.config.eid) throw new Error(`${c.config.name}: endpoint ${c.config.endpoint} has eid ${eid}, config says ${c.config.eid}`);
    }
    const hubChain = chains.get(config.hubEid)!;
    const reader = new HubReader(hubChain.provider, config.hub, config.riskEngine);
    await reader.loadConfig();
    const metrics = new RelayerMetrics();
    const indexer = new Indexer(chains, config.hubEid, config.hub, config.riskEngine, store, log, metrics);
    const book = new AccountBook(reader, store);
    const reconciler = new Reconciler(reader, chains, store, log, metrics, config.hubEid);
    let worker: DevnetWorker | undefined;
    if (config.devnetWorker) {
      const deliverer = new DevnetDeliverer(chains.values(), [abis.hub(), abis.vault(), abis.engine()]);
      worker = new DevnetWorker(deliverer, store, log, metrics);
    }
    let keeper: Keeper | undefined;
    if (config.keeper) {
      keeper = new Keeper(config.keeper, reader, store, chains, config.hubEid, log, metrics);
      await keeper.prepare();
    }
    return new Relayer(config, store, chains, reader, indexer, book, reconciler, metrics, worker, keeper, log);
  }

  /** Starts the loop and the API; resolves with the API's URL once it listens. */
  async start(): Promise<string> {
    const app = createApp({
      book: this.book,
      reader: this.reader,
      store: this.store,
      indexer: this.indexer,
      reconciler: this.reconciler,
      chains: this.chains,
      metrics: this.metrics,
      log: this.log,
    });
    this.server = await listen(app, this.config.api.host, this.config.api.port);
    const address = this.server.address();
    const port = typeof address === 'object' && address ? address.port : this.config.api.port;
    this.running = true;
    this.loop = this.run();
    return `http://${this.config.api.host}:${port}`;
  }

  /** One pass of everything; the loop calls it, tests may too. */
  async pass(): Promise<void> {
    const indexed = await this.indexer.pollOnce();
    if (indexed.configChanged) await this.reader.loadConfig();
    if (this.worker && (await this.worker.runOnce()) > 0) {
      // Pick up the PacketDelivered events (and what they changed) in the same pass.
      const again = await this.indexer.pollOnce();
      for (const id of again.touched) indexed.touched.add(id);
    }
    // The keeper first: it screens the holdings the book last read at fresh prices, so a price
    // move reaches it without waiting for the whole book to be re-read.
    if (this.keeper) await this.keeper.runOnce(this.book.all());
    await this.book.refresh(indexed.touched);
    if (this.passes++ % 4 === 0) await this.reconciler.check();
    const inFlight = this.store.messages().filter((m) => m.status !== 'delivered').length;
    this.metrics.messagesInFlight.set(inFlight);
    this.metrics.accounts.set(this.book.size());
    this.metrics.accountsLiquidatable.set(this.book.all().filter((r) => r.health !== undefined && r.health < WAD).length);
    await this.store.flush();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.pass();
      } catch (err) {
        // During shutdown the chains may already be gone; that is not worth an error line.
        if (this.running) this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'relayer pass failed; retrying');
      }
      if (this.running) await new Promise((r) => setTimeout(r, this.config.pollIntervalMs));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    if (this.server) {
      const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
      this.server.closeAllConnections();
      await closed;
    }
    await this.store.flush();
    this.keeper?.close();
    for (const c of this.chains.values()) c.provider.destroy();
    this.log.info('relayer stopped; store flushed');
  }
}
