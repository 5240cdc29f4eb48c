/**
 * The crash scenario behind `npm run demo`: a fresh three-chain devnet producing a block every
 * `blockTime` seconds like a real chain, the relayer and its keeper in their own process, a book
 * of traders with collateral spread over the three chains, debt, perps and options against a
 * market maker, then a crash of the main collateral asset (ETH) over several price updates with
 * implied volatility rising. It measures the set-up, a fresh relayer's cold start on the whole
 * book, the keeper's passes, the relayer's memory, and what the keeper did: liquidations,
 * collateral seized per chain, latency from each price move to the seize, bad debt, and any
 * liquidation done twice. Optional faults: a spoke whose RPC stops answering for a while
 * mid-crash, and the relayer killed mid-crash and started again.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { backstopVaultAbi, manualAggregatorAbi, marginHubAbi } from '@omnichain-collateral/sdk/abi';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { formatWad } from '@omnichain-collateral/sdk/risk/marginModel';
import { createProgress, type Progress } from '../progress.js';
import { waitForReceipt } from '../chain/receipts.js';
import { RpcProvider } from '../chain/rpc.js';
import { CpuSampler } from './cpuTime.js';
import { waitFor } from '../wait.js';
import { depositBackstop, fundKeeper, hubChain } from './actions.js';
import { anvilKey, freePort, startAnvil, type AnvilChain } from './anvil.js';
import { deploySystem, devnetRelayerConfig, devnetSpecs, type DevnetManifest } from './deploySystem.js';
import type { MessageLibKind } from './layerzero.js';
import { openBook } from './load/openBook.js';
import { Sender } from './load/senders.js';
import { RelayerProcess } from './relayerProcess.js';
import {
  doubleLiquidations,
  hubLoad,
  latencyOf,
  lowest,
  numbers,
  paidToKeeper,
  seizedByChain,
  spread,
  type CrashDemoResult,
  type LiquidationJson,
  type StatusJson,
} from './crashFigures.js';

export type { CrashDemoResult, HubLoad, Spread } from './crashFigures.js';

export interface CrashFaults {
  /** pause spoke `spoke` (1 or 2) with SIGSTOP at price update `atStep` for `seconds`: its RPC stops answering */
  stallSpoke?: { spoke: number; atStep: number; seconds: number };
  /** SIGKILL the relayer right after price update `atStep` and start it again on the same store */
  killRelayerAtStep?: number;
}

export interface CrashDemoOptions {
  accounts: number;
  /** fall of ETH, as a fraction of its $3,000 start (0.4 = to $1,800) */
  crash: number;
  /** price updates the crash is spread over */
  steps: number;
  /** wall-clock time between two price updates */
  stepMs: number;
  /** rise of ETH implied volatility over the crash, as a fraction of its 80% start */
  volUp: number;
  /** seconds between blocks on every chain; 0 mines a block per transaction */
  blockTime: number;
  seed: bigint;
  /** start a second, fresh relayer after set-up and time how long it takes to read the whole book */
  coldStart: boolean;
  /** the LayerZero path: ULN302 with a DVN and an executor, or SimpleMessageLib */
  messageLib: MessageLibKind;
  faults?: CrashFaults;
  log?: (line: string) => void;
  /** counts the set-up's long phases (none by default) */
  progress?: Progress;
}

export const DEFAULT_CRASH: CrashDemoOptions = {
  accounts: 50,
  crash: 0.4,
  steps: 10,
  stepMs: 2000,
  volUp: 0.5,
  blockTime: 1,
  seed: 0xc4a5n,
  coldStart: true,
  messageLib: 'uln302',
};

const E18 = 10n ** 18n;
/** Moves the prices and acts as the venue; the deployer's key is the relayer's. */
const OPERATOR = anvilKey(7);
const KEEPER = anvilKey(9);
const PRICE_DECIMALS = 10n ** 8n;
const usdc = (n: bigint) => n * 10n ** 6n;
/**
 * Big blocks so a large book opens in a few dozen of them; the base fee starts at 0 so set-up fees cannot outrun it.
 */
const DEVNET_GAS_LIMIT = 1_000_000_000n;

export async function runCrashDemo(options: CrashDemoOptions): Promise<CrashDemoResult> {
  const say = options.log ?? (() => undefined);
  const chains: AnvilChain[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'crash-demo-'));
  const relayers: RelayerProcess[] = [];
  try {
    say('starting three local chains and deploying LayerZero and the system...');
    for (const chainId of [31_337, 31_338, 31_339])
      chains.push(await startAnvil({ chainId, gasLimit: DEVNET_GAS_LIMIT, baseFee: 0n }));
    const specs = devnetSpecs(chains);
    const deployer = anvilKey(0);
    const manifest = await deploySystem(specs[0]!, specs.slice(1), deployer, OPERATOR, options.messageLib);
    // The keeper's wallet and margin are funded before it starts, so its nonces are its own.
    await fundKeeper(
      manifest,
      KEEPER,
      usdc(5_000_000n + 10_000n * BigInt(options.accounts)),
      usdc(2_000_000n + 2_000n * BigInt(options.accounts)),
    );
    await depositBackstop(manifest, deployer, usdc(10_000_000n));
    const providers = manifest.chains.map((c) => new RpcProvider(c.rpcUrl, { chainId: c.chainId, timeoutMs: 60_000 }));
    // Deployed with a block per transaction; from here on, blocks come at the chain's pace.
    if (options.blockTime > 0) await Promise.all(chains.map((c) => c.mineEvery(options.blockTime)));
    const hubRpc = providers[0]!;

    const relayerDir = join(dataDir, 'relayer');
    mkdirSync(relayerDir);
    const config = devnetRelayerConfig(manifest, {
      dataDir: relayerDir,
      apiPort: await freePort(),
      relayerKey: deployer,
      keeperKey: KEEPER,
      backstopCaller: true,
    });
    const relayer = new RelayerProcess(config);
    relayers.push(relayer);
    await relayer.start();

    say(`opening ${options.accounts} accounts: collateral on three chains, debt, perps and options...`);
    const setupStarted = Date.now();
    const book = await openBook(manifest, {
      traders: options.accounts,
      seed: options.seed,
      venueKey: OPERATOR,
      say,
      progress: options.progress ?? createProgress(process.stdout, 'silent'),
      delivered: async (what, timeoutMs) =>
        void (await waitFor(
          what,
          async () => (await relayer.get<{ total: number }>('/v1/messages?status=inflight&limit=1')).total === 0,
          timeoutMs,
          500,
        )),
    });
    await waitFor(
      'the relayer book to hold every trader',
      async () => (await relayer.get<StatusJson>('/v1/status')).book.accounts >= options.accounts,
      60_000 + options.accounts * 10,
      500,
    );
    const setupMs = Date.now() - setupStarted;
    say(
      `  set up in ${(setupMs / 1000).toFixed(1)} s: ${book.perps} perps, ${book.options} options, ${book.borrowers} borrowers`,
    );

    // A cold start that does not finish in time is reported, not fatal: the crash still runs.
    const coldStart = options.coldStart
      ? await measureColdStart(manifest, dataDir, options.accounts, say).catch((err: unknown) => {
          say(`  cold start: ${err instanceof Error ? err.message : String(err)}`);
          return null;
        })
      : null;

    const to = 3000n * PRICE_DECIMALS - (BigInt(Math.round(options.crash * 1e6)) * 3000n * PRICE_DECIMALS) / 1_000_000n;
    say(
      `crash: ETH $3,000 -> $${formatWad((to * E18) / PRICE_DECIMALS)} in ${options.steps} price updates ${options.stepMs} ms apart, volatility 80% -> ${Math.round(80 * (1 + options.volUp))}%`,
    );
    const operator = new Sender(new Wallet(OPERATOR), hubChain(manifest).chainId);
    const ethFeed = new TypedContract(manualAggregatorAbi, manifest.feeds.ETH!, hubRpc);
    const volFeed = new TypedContract(manualAggregatorAbi, manifest.feeds.ETH_VOL!, hubRpc);
    const steps: Array<{ at: number; block: number }> = [];
    let rss = 0;
    const sampleRss = async () => {
      rss = Math.max(rss, (await relayer.get<StatusJson>('/v1/status').catch(() => undefined))?.process.rssBytes ?? 0);
    };
    const pending: Array<Promise<unknown>> = [];
    let stallWindow: CrashDemoResult['stallWindow'] = null;
    const cpu = new CpuSampler([
      ...chains.map((c, i) => ({ name: i === 0 ? 'hub node' : `spoke node ${i}`, pid: c.pid })),
      { name: 'relayer', pid: relayer.pid! },
      { name: 'demo', pid: process.pid },
    ]);
    for (let i = 1; i <= options.steps; i++) {
      const started = Date.now();
      const price = 3000n * PRICE_DECIMALS - ((3000n * PRICE_DECIMALS - to) * BigInt(i)) / BigInt(options.steps);
      const vol = BigInt(Math.round(0.8e8 * (1 + (options.volUp * i) / options.steps)));
      // Both updates in one block: volatility first, then the price.
      const raws = [
        await operator.sign(hubRpc, {
          to: volFeed.address,
          data: volFeed.encode('setAnswer', [vol]),
          gasLimit: 200_000n,
        }),
        await operator.sign(hubRpc, {
          to: ethFeed.address,
          data: ethFeed.encode('setAnswer', [price]),
          gasLimit: 200_000n,
        }),
      ];
      await hubRpc.send('eth_sendRawTransaction', [raws[0]]);
      const hash = (await hubRpc.send('eth_sendRawTransaction', [raws[1]])) as string;
      const receipt = await waitForReceipt(hubRpc, hash, { pollMs: 20 });
      steps.push({ at: Date.now(), block: receipt.blockNumber });
      pending.push(sampleRss());
      if (options.faults?.stallSpoke?.atStep === i) {
        const from = Date.now();
        pending.push(
          stall(chains[options.faults.stallSpoke.spoke]!, options.faults.stallSpoke.seconds, say).then(
            () => (stallWindow = { from, until: Date.now() }),
          ),
        );
      }
      if (options.faults?.killRelayerAtStep === i) {
        say('  fault: the relayer is killed (SIGKILL) and started again');
        await relayer.kill();
        pending.push(relayer.start());
      }
      await new Promise((r) => setTimeout(r, Math.max(0, options.stepMs - (Date.now() - started))));
    }
    await Promise.all(pending);

    say('waiting for the keeper to finish...');
    await settle(relayer, 120_000 + options.accounts * 20);
    const cpuWindow = cpu.end();
    await sampleRss();
    const records = await relayer.all<LiquidationJson>('/v1/liquidations?status=all', 'liquidations');
    const status = await relayer.get<StatusJson>(`/v1/status?fromBlock=${steps[0]!.block}`);
    const hub = new TypedContract(marginHubAbi, manifest.hub, hubRpc);
    const done = records.filter((l) => l.status === 'settled');
    const latencies = done.filter((l) => l.kind === 'collateral').map((l) => latencyOf(l, steps));
    const byStatus: Record<string, number> = {};
    const reasons: Record<string, number> = {};
    for (const l of records) {
      byStatus[l.status] = (byStatus[l.status] ?? 0) + 1;
      if (l.reason) {
        const key = `${l.status}: ${l.reason.replace(/\(.*$/, '')}`;
        reasons[key] = (reasons[key] ?? 0) + 1;
      }
    }
    const unhealthy = await relayer.get<{ total: number; accounts: Array<{ accountId: string }> }>(
      '/v1/accounts?maxHealth=0.999999999999999999&limit=3',
    );
    const result: CrashDemoResult = {
      accounts: options.accounts,
      positions: { perps: book.perps, options: book.options },
      borrowers: book.borrowers,
      setupMs,
      coldStart,
      keeper: {
        passes: status.keeper.passes,
        passMs: numbers(status.keeper.passMs),
        requestsPerPass: numbers(status.keeper.requestsPerPass),
        broadcastMs: numbers(status.keeper.broadcastMs),
        screened: status.keeper.screened ?? 0,
      },
      relayerRssMb: Math.round(rss / 2 ** 20),
      liquidations: done.length,
      accountsLiquidated: new Set(done.map((l) => l.account)).size,
      byStatus,
      reasons,
      seizedByChain: seizedByChain(manifest, done),
      positionsTakenOver: done.filter((l) => l.kind === 'position').length,
      latencyBlocks: spread(latencies.map((l) => l.blocks)),
      latencyMs: spread(latencies.map((l) => l.ms)),
      ...(await lossBeyondInsurance(hub)),
      backstopTakeovers: (await hub.queryEvent('AccountTakenOver', null, steps[0]!.block)).length,
      backstop: {
        health: formatWad(
          await new TypedContract(backstopVaultAbi, manifest.backstop!, hubRpc).read('backstopHealth', []),
        ),
        lowestHealthAtPlan: lowest(records.map((l) => l.healthAtPlan)),
      },
      insuranceFundUsd: formatWad(await hub.read('insuranceFund', [])),
      unhealthyAtEnd: unhealthy.total,
      unhealthyAccounts: unhealthy.accounts.map((account) => ({
        account,
        liquidations: records.filter((l) => l.account.toLowerCase() === account.accountId.toLowerCase()),
      })),
      doubleLiquidations: await doubleLiquidations(hub, records, steps[0]!.block),
      unfinishedRecords: records.filter((l) => !['settled', 'dropped', 'failed'].includes(l.status)).length,
      parity: status.parity,
      hubLoad: await hubLoad(
        hubRpc,
        steps[0]!.block,
        Math.max(steps[0]!.block, ...records.map((l) => l.hubBlock ?? 0)),
      ),
      cpu: cpuWindow,
      paidToKeeper: await paidToKeeper(manifest, providers, new Wallet(KEEPER).address),
      stallWindow,
      records: records.map((l) => ({
        chain: l.chain,
        kind: l.kind,
        status: l.status,
        settledAt: l.settledAt ? Date.parse(l.settledAt) : null,
      })),
      ethPrice: { from: '3000', to: formatWad((to * E18) / PRICE_DECIMALS) },
    };
    for (const p of providers) p.destroy();
    return result;
  } finally {
    await Promise.all(relayers.map((r) => r.stop().catch(() => undefined)));
    await Promise.all(chains.map((c) => c.stop()));
    if (!process.env.CRASH_DEMO_KEEP) rmSync(dataDir, { recursive: true, force: true });
    else say(`data kept in ${dataDir}`);
  }
}

/**
 * A second relayer, with an empty store, reading the whole book from the chains: how long until its book holds every
 * account.
 */
async function measureColdStart(
  manifest: DevnetManifest,
  dataDir: string,
  accounts: number,
  say: (line: string) => void,
): Promise<CrashDemoResult['coldStart']> {
  const dir = join(dataDir, 'cold-start');
  mkdirSync(dir);
  const config = {
    ...devnetRelayerConfig(manifest, { dataDir: dir, apiPort: await freePort(), relayerKey: anvilKey(0) }),
    devnetWorker: false,
  };
  const fresh = new RelayerProcess(config);
  const started = Date.now();
  try {
    await fresh.start();
    const status = await waitFor(
      'a fresh relayer to read the whole book',
      async () => {
        // A relayer busy indexing a whole history may be slow to answer: ask again.
        const s = await fresh.get<StatusJson>('/v1/status').catch(() => undefined);
        return s !== undefined && s.book.loaded && s.book.accounts >= accounts && s;
      },
      120_000 + accounts * 20,
    );
    const result = { ms: status.book.coldStartMs ?? 0, wallMs: Date.now() - started, accounts: status.book.accounts };
    say(
      `  cold start: a fresh relayer read ${result.accounts} accounts in ${(result.ms / 1000).toFixed(1)} s (${(result.wallMs / 1000).toFixed(1)} s from process start)`,
    );
    return result;
  } finally {
    await fresh.stop();
  }
}

/** Pauses a chain's node: its RPC stops answering until it is resumed. */
async function stall(chain: AnvilChain, seconds: number, say: (line: string) => void): Promise<void> {
  say(`  fault: chain ${chain.chainId} stops answering for ${seconds} s`);
  process.kill(chain.pid, 'SIGSTOP');
  await new Promise((r) => setTimeout(r, seconds * 1000));
  process.kill(chain.pid, 'SIGCONT');
  say(`  fault: chain ${chain.chainId} answers again`);
}

/** Until every liquidation is finished, nothing is in flight and no account is below health 1, five polls in a row. */
async function settle(relayer: RelayerProcess, timeoutMs: number): Promise<void> {
  let quiet = 0;
  await waitFor(
    'the keeper to finish (every liquidation finished, no message in flight, no account below health 1)',
    async () => {
      const [open, inFlight, unhealthy] = await Promise.all(
        [
          '/v1/liquidations?status=planned&limit=1',
          '/v1/messages?status=inflight&limit=1',
          '/v1/accounts?maxHealth=0.999999999999999999&limit=1',
        ].map((p) =>
          relayer.get<{ total: number }>(p).then(
            (r) => r.total,
            () => 1,
          ),
        ),
      );
      const submitted = await relayer.get<{ total: number }>('/v1/liquidations?status=submitted&limit=1').then(
        (r) => r.total,
        () => 1,
      );
      quiet = open! + inFlight! + unhealthy! + submitted > 0 ? 0 : quiet + 1;
      await new Promise((r) => setTimeout(r, 400));
      return quiet >= 5;
    },
    timeoutMs,
  ).catch(() => undefined); // the summary reports what is left unfinished
}

/** The shortfall beyond the insurance fund (charged to positive cash, or unowned), and its unowned part. */
async function lossBeyondInsurance(
  hub: TypedContract<typeof marginHubAbi>,
): Promise<{ badDebtUsd: string; unownedLossUsd: string }> {
  const [socialised, unowned] = await Promise.all([hub.read('socialisedLoss', []), hub.read('unownedLoss', [])]);
  return { badDebtUsd: formatWad(socialised + unowned), unownedLossUsd: formatWad(unowned) };
}
