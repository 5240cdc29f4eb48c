/**
 * The crash scenario behind `npm run demo`: a fresh three-chain devnet with the relayer and its
 * keeper, a book of traders with collateral spread over the three chains, debt, perps and
 * options against a market maker, then a crash of the main collateral asset (ETH) over several
 * blocks with implied volatility rising. It measures what the keeper did: accounts liquidated,
 * collateral seized per chain, latency from each price move to the seize on the collateral
 * chain, bad debt and the insurance fund.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonRpcProvider, Wallet } from 'ethers';
import { toAccountId } from '../../../sdk/src/accountId.js';
import { formatWad } from '../../../sdk/src/risk/marginModel.js';
import { rng } from '../../../sdk/vectors/optionMathVectors.js';
import { createLogger } from '../log.js';
import type { Relayer } from '../relayer.js';
import type { LiquidationRecord } from '../store/store.js';
import { createDevnetRelayer } from './relayer.js';
import { waitFor } from '../wait.js';
import { borrowCash, depositCash, fundKeeper, hubChain, mintAndDeposit, setFeed, venueTrade } from './actions.js';
import { anvilKey, startAnvil, type AnvilChain } from './anvil.js';
import { deploySystem, devnetRelayerConfig, devnetSigner, devnetSpecs, hubContracts, type DevnetManifest } from './deploySystem.js';

export interface CrashDemoOptions {
  accounts: number;
  /** fall of ETH, as a fraction of its $3,000 start (0.4 = to $1,800) */
  crash: number;
  /** price updates the crash is spread over, one block each */
  steps: number;
  /** wall-clock time between two price updates */
  stepMs: number;
  /** rise of ETH implied volatility over the crash, as a fraction of its 80% start */
  volUp: number;
  seed: bigint;
  log?: (line: string) => void;
}

export const DEFAULT_CRASH: CrashDemoOptions = { accounts: 50, crash: 0.4, steps: 10, stepMs: 2000, volUp: 0.5, seed: 0xc4a5n };

export interface CrashDemoResult {
  accounts: number;
  positions: { perps: number; options: number };
  liquidations: number;
  accountsLiquidated: number;
  byStatus: Record<string, number>;
  /** why liquidations were dropped (the hub refused) or failed, with counts */
  reasons: Record<string, number>;
  seizedByChain: Array<{ chain: string; token: string; amount: string }>;
  positionsTakenOver: number;
  latencyBlocks: { median: number; max: number };
  latencyMs: { median: number; max: number };
  badDebtUsd: string;
  insuranceFundUsd: string;
  unhealthyAtEnd: number;
  ethPrice: { from: string; to: string };
}

const E18 = 10n ** 18n;
/** Moves the prices and acts as the venue; the deployer's key is the relayer's. */
const OPERATOR = anvilKey(7);
const PRICE_DECIMALS = 10n ** 8n;
const usdc = (n: bigint) => n * 10n ** 6n;

export async function runCrashDemo(options: CrashDemoOptions): Promise<CrashDemoResult> {
  const say = options.log ?? (() => undefined);
  const chains: AnvilChain[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'crash-demo-'));
  let relayer: Relayer | undefined;
  try {
    say('starting three local chains and deploying LayerZero and the system...');
    for (const chainId of [31_337, 31_338, 31_339]) chains.push(await startAnvil({ chainId }));
    const specs = devnetSpecs(chains);
    const deployer = anvilKey(0);
    const manifest = await deploySystem(specs[0]!, specs.slice(1), deployer, OPERATOR);
    const keeperKey = anvilKey(9);
    // The keeper's wallet and margin are funded before it starts, so its nonces are its own:
    // a repayment budget, and margin for position takeovers.
    await fundKeeper(manifest, keeperKey, usdc(5_000_000n), usdc(2_000_000n));
    relayer = await createDevnetRelayer(devnetRelayerConfig(manifest, { dataDir, apiPort: 0, relayerKey: deployer, keeperKey }), createLogger(process.env.CRASH_DEMO_LOG ?? 'silent'));
    await relayer.start();

    say(`opening ${options.accounts} accounts: collateral on three chains, debt, perps and options...`);
    const traders = await fundTraders(manifest, options.accounts);
    const book = await openBook(manifest, relayer, traders, options.seed);

    const { hub } = hubContracts(manifest, devnetSigner(hubChain(manifest).rpcUrl, deployer));
    const hubRpc = new JsonRpcProvider(hubChain(manifest).rpcUrl);
    const steps: Array<{ at: number; block: number }> = [];
    const to = 3000n * PRICE_DECIMALS - (BigInt(Math.round(options.crash * 1e6)) * 3000n * PRICE_DECIMALS) / 1_000_000n;
    say(`crash: ETH $3,000 -> $${formatWad((to * E18) / PRICE_DECIMALS)} over ${options.steps} blocks, volatility 80% -> ${Math.round(80 * (1 + options.volUp))}%`);
    for (let i = 1; i <= options.steps; i++) {
      const price = 3000n * PRICE_DECIMALS - ((3000n * PRICE_DECIMALS - to) * BigInt(i)) / BigInt(options.steps);
      const vol = BigInt(Math.round(0.8e8 * (1 + (options.volUp * i) / options.steps)));
      await setFeed(manifest, OPERATOR, 'ETH_VOL', vol);
      await setFeed(manifest, OPERATOR, 'ETH', price);
      steps.push({ at: Date.now(), block: await hubRpc.getBlockNumber() });
      await new Promise((r) => setTimeout(r, options.stepMs));
    }

    say('waiting for the keeper to finish...');
    await settle(relayer);
    const records = relayer.store.liquidations();
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
    return {
      accounts: traders.length,
      positions: book,
      liquidations: done.length,
      accountsLiquidated: new Set(done.map((l) => l.account)).size,
      byStatus,
      reasons,
      seizedByChain: seizedByChain(manifest, done),
      positionsTakenOver: done.filter((l) => l.kind === 'position').length,
      latencyBlocks: stats(latencies.map((l) => l.blocks)),
      latencyMs: stats(latencies.map((l) => l.ms)),
      badDebtUsd: formatWad(await hub.read('badDebt', [])),
      insuranceFundUsd: formatWad(await hub.read('insuranceFund', [])),
      unhealthyAtEnd: relayer.book.all().filter((r) => r.health !== undefined && r.health < E18).length,
      ethPrice: { from: '3000', to: formatWad((to * E18) / PRICE_DECIMALS) },
    };
  } finally {
    await relayer?.stop().catch(() => undefined);
    await Promise.all(chains.map((c) => c.stop()));
    if (!process.env.CRASH_DEMO_KEEP) rmSync(dataDir, { recursive: true, force: true });
    else say(`relayer store kept in ${dataDir}`);
  }
}

/** Trader keys beyond anvil's ten funded accounts get gas money on every chain. */
async function fundTraders(manifest: DevnetManifest, count: number): Promise<string[]> {
  const keys = Array.from({ length: count }, (_, i) => anvilKey(20 + i));
  for (const chain of manifest.chains) {
    const rpc = new JsonRpcProvider(chain.rpcUrl);
    for (const key of keys) await rpc.send('anvil_setBalance', [new Wallet(key).address, '0x56bc75e2d63100000']); // 100 ETH
    rpc.destroy();
  }
  return keys;
}

/**
 * Each trader deposits WETH on one or both spokes and maybe USDC on the hub, trades perps and
 * options with the market maker at the model mark, then borrows part of what initial margin
 * allows. Returns how many perp and option positions were opened.
 */
async function openBook(manifest: DevnetManifest, relayer: Relayer, traders: string[], seed: bigint): Promise<{ perps: number; options: number }> {
  const next = rng(seed);
  const maker = anvilKey(2);
  const [spoke1, spoke2] = manifest.chains.filter((c) => c.eid !== manifest.hubEid);
  await depositCash(manifest, anvilKey(1), usdc(20_000_000n)); // lenders' liquidity for borrowers
  await mintAndDeposit(hubChain(manifest), maker, 'USDC', usdc(20_000_000n));

  // Drawn up front, so the book is the same whatever order the deposits land in.
  const plans = traders.map((key) => ({
    key,
    weth1: (1n + next(15n)) * E18,
    weth2: next(3n) !== 0n ? (1n + next(10n)) * E18 : 0n,
    usdc: next(3n) === 0n ? usdc(1_000n + next(10_000n)) : 0n,
  }));
  await inBatches(plans, 10, async (p) => {
    await mintAndDeposit(spoke1!, p.key, 'WETH', p.weth1);
    if (p.weth2 > 0n) await mintAndDeposit(spoke2!, p.key, 'WETH', p.weth2);
    if (p.usdc > 0n) await mintAndDeposit(hubChain(manifest), p.key, 'USDC', p.usdc);
  });
  const credits = traders.length + 2;
  await waitFor('deposits to be credited', async () => relayer.store.messages().filter((m) => m.status === 'delivered').length >= credits, 60_000);

  const { hub, engine } = hubContracts(manifest, devnetSigner(hubChain(manifest).rpcUrl, OPERATOR));
  const makerAddress = new Wallet(maker).address;
  let perps = 0;
  let options = 0;
  for (const key of traders) {
    const owner = new Wallet(key).address;
    // Mostly long ETH (the crash hurts), some short: perps of 0.5 to 5 ETH, options of 1 to 4.
    if (next(4n) !== 0n) {
      const size = (1n + next(10n)) * (E18 / 2n);
      const long = next(5n) !== 0n;
      if (await tradeWithinMargin(manifest, engine, long ? owner : makerAddress, long ? makerAddress : owner, 0, size)) perps++;
    }
    if (next(2n) === 0n) {
      const market = 1 + Number(next(2n)); // the 30-day call or put
      const size = (1n + next(4n)) * E18;
      const buy = next(2n) === 0n;
      if (await tradeWithinMargin(manifest, engine, buy ? owner : makerAddress, buy ? makerAddress : owner, market, size)) options++;
    }
    const f = await hub.read('accountFigures', [toAccountId(owner, 0)]);
    const spare = f.initialEquity - BigInt(f.initialRequirement);
    const share = 30n + next(65n); // borrow 30% to 94% of what initial margin allows
    // Option premiums move with time between the read and the borrow: halve it if refused.
    for (let tokens = (spare * share) / 100n / 10n ** 12n; tokens > 0n; tokens /= 2n) {
      try {
        await borrowCash(manifest, key, tokens);
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== 'CALL_EXCEPTION') throw err;
      }
    }
  }
  return { perps, options };
}

/** Books the trade at the model mark, halving the size (up to three times) while the hub refuses it for margin. */
async function tradeWithinMargin(manifest: DevnetManifest, engine: ReturnType<typeof hubContracts>['engine'], buyer: string, seller: string, market: number, size: bigint): Promise<boolean> {
  for (let tries = 0; tries < 4; tries++, size /= 2n) {
    try {
      await venueTrade(manifest, OPERATOR, { owner: buyer }, { owner: seller }, market, size, await engine.read('markPrice', [market]));
      return true;
    } catch (err) {
      if ((err as { code?: string }).code !== 'CALL_EXCEPTION') throw err;
    }
  }
  return false;
}

/** Until every liquidation is finished and no account in the book is below health 1 (or 90 s). */
async function settle(relayer: Relayer): Promise<void> {
  const finished = new Set(['settled', 'dropped', 'failed']);
  let quiet = 0;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && quiet < 5) {
    await new Promise((r) => setTimeout(r, 400));
    const busy = relayer.store.liquidations().some((l) => !finished.has(l.status)) || relayer.store.inFlight().length > 0;
    const unhealthy = relayer.book.all().some((r) => r.health !== undefined && r.health < E18);
    quiet = busy || unhealthy ? 0 : quiet + 1;
  }
}

/** From the last price update at or before the keeper planned the liquidation to the SEIZE executed. */
function latencyOf(l: LiquidationRecord, steps: Array<{ at: number; block: number }>): { ms: number; blocks: number } {
  const step = [...steps].reverse().find((s) => s.at <= l.plannedAt) ?? steps[0]!;
  return { ms: (l.seizedAt ?? l.settledAt ?? l.plannedAt) - step.at, blocks: (l.hubBlock ?? step.block) - step.block };
}

function seizedByChain(manifest: DevnetManifest, done: LiquidationRecord[]): CrashDemoResult['seizedByChain'] {
  const totals = new Map<string, bigint>();
  for (const l of done) {
    if (l.kind !== 'collateral') continue;
    const asset = manifest.assets.find((a) => a.assetId === l.assetId)!;
    const key = `${manifest.chains.find((c) => c.eid === asset.eid)!.name}|${asset.symbol}`;
    totals.set(key, (totals.get(key) ?? 0n) + BigInt(l.seized ?? '0'));
  }
  return [...totals].map(([key, amount]) => {
    const [chain, token] = key.split('|') as [string, string];
    return { chain, token, amount: formatWad(token === 'USDC' ? amount * 10n ** 12n : amount) };
  });
}

function stats(values: number[]): { median: number; max: number } {
  if (values.length === 0) return { median: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor((sorted.length - 1) / 2)]!, max: sorted[sorted.length - 1]! };
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}
