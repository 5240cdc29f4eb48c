/** What the crash demo reports, and how it reads each figure off the chains and the relayer. */
import { erc20Abi, type marginHubAbi } from '@omnichain-collateral/sdk/abi';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { formatWad } from '@omnichain-collateral/sdk/risk/marginModel';
import type { RpcProvider } from '../chain/rpc.js';
import { percentiles, type Percentiles } from '../percentiles.js';
import type { CpuWindow } from './cpuTime.js';
import type { DevnetManifest } from './deploySystem.js';

export interface HubLoad {
  blocks: number;
  seconds: number;
  gasUsed: string;
  maxBlockGas: string;
}

export interface Spread {
  median: number;
  p95: number;
  max: number;
}

export interface CrashDemoResult {
  accounts: number;
  positions: { perps: number; options: number };
  borrowers: number;
  setupMs: number;
  /** the fresh relayer: until its book held every account (its own count), and wall time from its process start */
  coldStart: { ms: number; wallMs: number; accounts: number } | null;
  keeper: {
    passes: number;
    passMs: Percentiles;
    requestsPerPass: Percentiles;
    /** from a broadcast to the hub node accepting it, outside the pass */
    broadcastMs: Percentiles;
    screened: number;
  };
  relayerRssMb: number;
  liquidations: number;
  accountsLiquidated: number;
  byStatus: Record<string, number>;
  /** why liquidations were dropped (the hub refused) or failed, with counts */
  reasons: Record<string, number>;
  seizedByChain: Array<{ chain: string; token: string; amount: string }>;
  positionsTakenOver: number;
  latencyBlocks: Spread;
  latencyMs: Spread;
  /** shortfall of bankrupt accounts beyond the insurance fund: what the hub charged to positive cash, and any left unowned */
  badDebtUsd: string;
  /** of which no one bears (zero on a sound hub) */
  unownedLossUsd: string;
  /** accounts the backstop vault took over whole during the crash (at or below its backstop health) */
  backstopTakeovers: number;
  /** the vault's backstop health (decimal), and the lowest health the keeper planned a liquidation at: why it had nothing to take, when it had not */
  backstop: { health: string; lowestHealthAtPlan: string | null };
  insuranceFundUsd: string;
  unhealthyAtEnd: number;
  /** the first few accounts still unhealthy at the end, as the API shows them, with the keeper's records for each */
  unhealthyAccounts: Array<{ account: unknown; liquidations: LiquidationJson[] }>;
  /** hub liquidations not matched one-to-one by a keeper record (a liquidation sent twice, or lost track of) */
  doubleLiquidations: number;
  /** keeper records not finished when the demo ended */
  unfinishedRecords: number;
  parity: { checked: number; mismatches: number };
  /**
   * The hub chain from the first price move to the keeper's last hub transaction: how many blocks in how long, and the
   * gas they used (a node that cannot execute a block's work within the block time makes its blocks late)
   */
  hubLoad: HubLoad;
  /** CPU from the first price move until the keeper finished: each node's, the relayer's, the demo's, the machine's */
  cpu: CpuWindow;
  /**
   * WETH the keeper holds on each spoke at the end (it started with none): each SEIZE paid once means this equals what
   * was seized there
   */
  paidToKeeper: Array<{ chain: string; token: string; amount: string }>;
  /** when a stalled spoke stopped and started answering again (ms since epoch) */
  stallWindow: { from: number; until: number } | null;
  /** every liquidation record, briefly */
  records: Array<{ chain: string | null; kind: string; status: string; settledAt: number | null }>;
  ethPrice: { from: string; to: string };
}

export interface LiquidationJson {
  id: string;
  account: string;
  kind: 'collateral' | 'position';
  status: string;
  reason: string | null;
  assetId: number | null;
  seized: string | null;
  txHash: string | null;
  hubBlock: number | null;
  plannedBlock: number;
  seizedAt: string | null;
  settledAt: string | null;
  chain: string | null;
  /** the account's health when the keeper planned it, a decimal */
  healthAtPlan: string;
}

export interface StatusJson {
  book: { accounts: number; loaded: boolean; coldStartMs: number | null };
  keeper: {
    passes: number;
    passMs: Record<'p50' | 'p95' | 'max', number | null>;
    requestsPerPass: Record<'p50' | 'p95' | 'max', number | null>;
    broadcastMs: Record<'p50' | 'p95' | 'max', number | null>;
    screened: number | null;
  };
  parity: { checked: number; mismatches: number };
  process: { rssBytes: number };
}

/** Blocks `from` to `to` of the hub: their count, the time they span, the gas they used. */
export async function hubLoad(rpc: RpcProvider, from: number, to: number): Promise<HubLoad> {
  const numbers = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const blocks = await Promise.all(numbers.map((n) => rpc.getBlock(n)));
  const gas = blocks.map((b) => b?.gasUsed ?? 0n);
  return {
    blocks: blocks.length,
    seconds: (blocks.at(-1)?.timestamp ?? 0) - (blocks[0]?.timestamp ?? 0),
    gasUsed: gas.reduce((a, b) => a + b, 0n).toString(),
    maxBlockGas: gas.reduce((a, b) => (b > a ? b : a), 0n).toString(),
  };
}

/**
 * Hub liquidations since `fromBlock` (an account liquidated in a transaction; a batch liquidates
 * many in one) that no accepted keeper record accounts for, plus records sharing one.
 */
export async function doubleLiquidations(
  hub: TypedContract<typeof marginHubAbi>,
  records: LiquidationJson[],
  fromBlock: number,
): Promise<number> {
  const key = (tx: string, account: string) => `${tx}|${account.toLowerCase()}`;
  const onChain = new Set(
    [
      ...(await hub.queryEvent('Liquidated', null, fromBlock)),
      ...(await hub.queryEvent('PositionLiquidated', null, fromBlock)),
    ].map((l) => key(l.transactionHash, l.topics[1]!)),
  );
  // Every record that sent a transaction, whether or not the keeper has seen its receipt yet.
  const accepted = records.filter((l) => l.txHash !== null).map((l) => key(l.txHash!, l.account));
  const matched = new Set(accepted);
  return [...onChain].filter((k) => !matched.has(k)).length + (accepted.length - matched.size);
}

/** The keeper's WETH on every spoke. */
export async function paidToKeeper(
  manifest: DevnetManifest,
  providers: RpcProvider[],
  keeper: string,
): Promise<CrashDemoResult['paidToKeeper']> {
  const spokes = manifest.chains.filter((c) => c.eid !== manifest.hubEid);
  return Promise.all(
    spokes.map(async (c) => {
      const provider = providers[manifest.chains.indexOf(c)]!;
      const balance = await new TypedContract(erc20Abi, c.tokens.WETH!, provider).read('balanceOf', [keeper]);
      return { chain: c.name, token: 'WETH', amount: formatWad(balance) };
    }),
  );
}

/** From the last price update at or before the block the keeper planned at, to the SEIZE executed. */
export function latencyOf(
  l: LiquidationJson,
  steps: Array<{ at: number; block: number }>,
): { ms: number; blocks: number } {
  const step = [...steps].reverse().find((s) => s.block <= l.plannedBlock) ?? steps[0]!;
  const seizedAt = Date.parse(l.seizedAt ?? l.settledAt ?? '') || step.at;
  return { ms: seizedAt - step.at, blocks: (l.hubBlock ?? step.block) - step.block };
}

export function seizedByChain(manifest: DevnetManifest, done: LiquidationJson[]): CrashDemoResult['seizedByChain'] {
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

/** The lowest of decimal healths, as written (null: none). */
export function lowest(healths: readonly string[]): string | null {
  return healths.reduce<string | null>((low, h) => (low === null || Number(h) < Number(low) ? h : low), null);
}

export function spread(values: number[]): Spread {
  const p = percentiles(values);
  return p ? { median: p.p50, p95: p.p95, max: p.max } : { median: 0, p95: 0, max: 0 };
}

export function numbers(p: Record<'p50' | 'p95' | 'max', number | null>): Percentiles {
  return { p50: p.p50 ?? 0, p95: p.p95 ?? 0, max: p.max ?? 0 };
}
