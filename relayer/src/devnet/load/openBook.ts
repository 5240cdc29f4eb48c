/**
 * Opens a book of traders on a devnet, at any size, the way many users at once would: funders
 * deposit WETH on the spokes (and sometimes USDC on the hub) for each trader, each trader authorises
 * the venue, the venue books perps and options against a market maker at the model mark, and each
 * trader then borrows part of what
 * initial margin allows, every trader from their own key. Transactions are signed locally with
 * per-sender nonces and broadcast in batches; each phase waits for the chains with a deadline
 * that names what it waited for.
 */
import { Wallet } from 'ethers';
import { collateralVaultAbi, marginHubAbi, riskEngineAbi, testTokenAbi } from '@omnichain-collateral/sdk/abi';
import { toAccountId } from '@omnichain-collateral/sdk/accountId';
import { batchCall, Multicall } from '@omnichain-collateral/sdk/contracts/multicall';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { rng } from '../../../../sdk/vectors/optionMathVectors.js';
import { RpcProvider } from '../../chain/rpc.js';
import type { Progress, ProgressTask } from '../../progress.js';
import { waitFor } from '../../wait.js';
import { anvilKey } from '../anvil.js';
import { depositCash, hubChain, mintAndDeposit } from '../actions.js';
import type { DeployedChain, DevnetManifest } from '../deploySystem.js';
import { broadcast, devnetWallets, fundGas, Sender, waitForPoolEmpty } from './senders.js';

const E18 = 10n ** 18n;
const usdc = (n: bigint) => n * 10n ** 6n;
/** Senders that deposit on each chain for the traders. */
const FUNDERS = 8;
/** Gas limits, with room over what each call measures (snapshots/flows.json). */
const GAS = { deposit: 700_000n, authorize: 100_000n, trade: 4_000_000n, borrow: 4_000_000n };

export interface OpenBookOptions {
  traders: number;
  seed: bigint;
  /** the venue's key (VENUE_ROLE) */
  venueKey: string;
  /** resolves once the relayer has delivered every message sent so far */
  delivered: (what: string, timeoutMs: number) => Promise<void>;
  say: (line: string) => void;
  /** counts the long phases (deposits mined, credits on the hub, trades, borrows) */
  progress: Progress;
}

export interface OpenedBook {
  traders: Wallet[];
  perps: number;
  options: number;
  borrowers: number;
}

interface Plan {
  trader: Wallet;
  weth1: bigint;
  weth2: bigint;
  usdc: bigint;
  perp?: { size: bigint; long: boolean };
  option?: { market: number; size: bigint; buy: boolean };
  /** percent of spare initial margin to borrow */
  share: bigint;
}

export async function openBook(manifest: DevnetManifest, options: OpenBookOptions): Promise<OpenedBook> {
  const n = options.traders;
  const next = rng(options.seed);
  const hub = hubChain(manifest);
  const [spoke1, spoke2] = manifest.chains.filter((c) => c.eid !== manifest.hubEid);
  const providers = new Map(
    manifest.chains.map((c) => [c.eid, new RpcProvider(c.rpcUrl, { chainId: c.chainId, timeoutMs: 60_000 })]),
  );
  const hubRpc = providers.get(hub.eid)!;
  const traders = devnetWallets(`trader:${options.seed}`, n);
  // A generous deadline per phase: a healthy devnet needs a fraction of it.
  const deadline = (perItemMs: number) => 60_000 + n * perItemMs;
  try {
    // Drawn up front, so the book is the same whatever order transactions land in.
    const plans: Plan[] = traders.map((trader) => ({
      trader,
      weth1: (1n + next(15n)) * E18,
      weth2: next(3n) !== 0n ? (1n + next(10n)) * E18 : 0n,
      usdc: next(3n) === 0n ? usdc(1_000n + next(10_000n)) : 0n,
      // Mostly long ETH (the crash hurts), some short: perps of 0.5 to 5 ETH, options of 1 to 4.
      ...(next(4n) !== 0n ? { perp: { size: (1n + next(10n)) * (E18 / 2n), long: next(5n) !== 0n } } : {}),
      ...(next(2n) === 0n
        ? { option: { market: 1 + Number(next(2n)), size: (1n + next(4n)) * E18, buy: next(2n) === 0n } }
        : {}),
      share: 30n + next(65n),
    }));

    options.say(`  liquidity: lenders and the market maker fund the hub`);
    // Lenders' liquidity for borrowers and the maker's margin grow with the book.
    await depositCash(manifest, anvilKeyFor('lender'), usdc(20_000_000n + 40_000n * BigInt(n)));
    await mintAndDeposit(hub, anvilKeyFor('maker'), 'USDC', usdc(20_000_000n + 5_000n * BigInt(n)));

    const byChain: Array<[DeployedChain, string, Array<[string, bigint]>]> = [
      [spoke1!, 'WETH', plans.map((p) => [p.trader.address, p.weth1])],
      [spoke2!, 'WETH', plans.filter((p) => p.weth2 > 0n).map((p) => [p.trader.address, p.weth2])],
      [hub, 'USDC', plans.filter((p) => p.usdc > 0n).map((p) => [p.trader.address, p.usdc])],
    ];
    const depositCount = byChain.reduce((sum, [, , d]) => sum + d.length, 0);
    options.say(
      `  deposits: ${byChain[0]![2].length + byChain[1]![2].length} WETH on two spokes, ${byChain[2]![2].length} USDC on the hub`,
    );
    const mined = options.progress.start('deposits mined', depositCount, 'deposits');
    const minedOn = byChain.map(() => 0);
    try {
      await Promise.all(
        byChain.map(([chain, symbol, deposits], i) =>
          deposit(chain, providers.get(chain.eid)!, symbol, deposits, deadline(20), (done) => {
            minedOn[i] = done;
            mined.update(minedOn.reduce((a, b) => a + b, 0));
          }),
        ),
      );
      mined.update(depositCount);
    } finally {
      mined.stop();
    }
    await creditedOnHub(
      manifest,
      hubRpc,
      [
        [spoke1!, plans.reduce((sum, p) => sum + p.weth1, 0n)],
        [spoke2!, plans.reduce((sum, p) => sum + p.weth2, 0n)],
      ],
      deadline(30),
      options.progress,
    );
    await options.delivered('every message to be delivered', deadline(30));

    options.say('  trades: perps and options with the market maker at the model mark');
    const venue = new Sender(new Wallet(options.venueKey), hub.chainId);
    const maker = new Wallet(anvilKeyFor('maker')).address;
    await authorizeVenue(manifest, hubRpc, venue.address, plans, deadline(20), options.progress);
    const booked = await trade(manifest, hubRpc, venue, maker, plans, deadline(20), options.progress);

    options.say('  borrowing: each trader borrows 30-94% of what initial margin allows');
    const borrowers = await borrow(manifest, hubRpc, plans, deadline(20), options.progress);
    return { traders, ...booked, borrowers };
  } finally {
    for (const p of providers.values()) p.destroy();
  }
}

/** Until the hub ledger holds what was deposited on each spoke (the relayer delivered every CREDIT). */
async function creditedOnHub(
  manifest: DevnetManifest,
  provider: RpcProvider,
  deposited: Array<[DeployedChain, bigint]>,
  timeoutMs: number,
  progress: Progress,
): Promise<void> {
  const hub = new TypedContract(marginHubAbi, manifest.hub, provider);
  const multicall = new Multicall(provider);
  const assets = deposited.map(([chain]) => manifest.assets.find((a) => a.eid === chain.eid)!.assetId);
  const expected = deposited.reduce((sum, [, amount]) => sum + amount, 0n);
  const credited = progress.start('WETH credited on the hub', Number(expected / E18), 'WETH');
  await waitFor(
    `the hub to credit every deposit (${deposited.map(([c, amount]) => `${amount / E18} WETH from ${c.name}`).join(', ')})`,
    async () => {
      const totals = await multicall.values(assets.map((a) => batchCall(hub, 'totalCollateral', [a])));
      const done = totals.reduce((sum, t, i) => sum + (t < deposited[i]![1] ? t : deposited[i]![1]), 0n);
      credited.update(Number(done / E18));
      return totals.every((t, i) => t >= deposited[i]![1]);
    },
    timeoutMs,
    500,
  ).finally(() => credited.stop());
}

/** Keys of the devnet's lender and market maker: anvil's funded accounts 1 and 2. */
function anvilKeyFor(role: 'lender' | 'maker'): string {
  return anvilKey(role === 'lender' ? 1 : 2);
}

/** Funders mint `symbol` and deposit it into the vault on `chain` for each (owner, amount). */
async function deposit(
  chain: DeployedChain,
  provider: RpcProvider,
  symbol: string,
  deposits: Array<[string, bigint]>,
  timeoutMs: number,
  onMined: (deposits: number) => void,
): Promise<void> {
  if (deposits.length === 0) return;
  const funders = devnetWallets(`funder:${chain.eid}`, FUNDERS).map((w) => new Sender(w, chain.chainId));
  await fundGas(
    provider,
    funders.map((f) => f.address),
    10n ** 24n,
  );
  const token = new TypedContract(testTokenAbi, chain.tokens[symbol]!, provider);
  const vault = new TypedContract(collateralVaultAbi, chain.vault, provider);
  const fee = await vault.read('quoteDeposit', [funders[0]!.address, 0, token.address, 1n, '0x']);
  const raws: string[] = [];
  for (const [i, f] of funders.entries()) {
    const mine = deposits.filter((_, k) => k % FUNDERS === i);
    const total = mine.reduce((sum, [, a]) => sum + a, 0n);
    raws.push(
      await f.sign(provider, { to: token.address, data: token.encode('mint', [f.address, total]), gasLimit: 200_000n }),
    );
    raws.push(
      await f.sign(provider, {
        to: token.address,
        data: token.encode('approve', [chain.vault, total]),
        gasLimit: 200_000n,
      }),
    );
    for (const [owner, amount] of mine) {
      raws.push(
        await f.sign(provider, {
          to: chain.vault,
          data: vault.encode('deposit', [owner, 0, token.address, amount, '0x']),
          value: fee,
          gasLimit: GAS.deposit,
        }),
      );
    }
  }
  await broadcast(provider, raws);
  // Each funder's mint and approval come first by nonce: what is left in the pool is deposits.
  await waitForPoolEmpty(
    provider,
    `${deposits.length} ${symbol} deposits on ${chain.name} to be mined`,
    timeoutMs,
    (left) => onMined(deposits.length - Math.min(left, deposits.length)),
  );
}

/**
 * The venue books each plan's perp and option. A trade the hub refuses for margin is tried again
 * at half the size, up to three times, as a trader shrinking an order would.
 */
/**
 * The market maker and every trader who will trade authorise the venue (the hub books trades only
 * for accounts whose owners did), each from its own key.
 */
async function authorizeVenue(
  manifest: DevnetManifest,
  provider: RpcProvider,
  venue: string,
  plans: Plan[],
  timeoutMs: number,
  progress: Progress,
): Promise<void> {
  const hub = new TypedContract(marginHubAbi, manifest.hub, provider);
  const owners = [new Wallet(anvilKeyFor('maker')), ...plans.filter((p) => p.perp || p.option).map((p) => p.trader)];
  await fundGas(
    provider,
    owners.map((w) => w.address),
    10n ** 20n,
  );
  const chainId = hubChain(manifest).chainId;
  const data = hub.encode('setVenueAuthorization', [venue, true]);
  const raws = await Promise.all(
    owners.map((w) => new Sender(w, chainId).sign(provider, { to: manifest.hub, data, gasLimit: GAS.authorize })),
  );
  await broadcast(provider, raws);
  await minedWithProgress(
    provider,
    `${raws.length} venue authorisations to be mined`,
    timeoutMs,
    progress.start('venue authorisations mined', raws.length, 'authorisations'),
    raws.length,
  );
}

async function trade(
  manifest: DevnetManifest,
  provider: RpcProvider,
  venue: Sender,
  maker: string,
  plans: Plan[],
  timeoutMs: number,
  progress: Progress,
): Promise<{ perps: number; options: number }> {
  const hub = new TypedContract(marginHubAbi, manifest.hub, provider);
  const engine = new TypedContract(riskEngineAbi, manifest.riskEngine, provider);
  type Order = { buyer: string; seller: string; market: number; size: bigint; kind: 'perp' | 'option' };
  let orders: Order[] = [];
  for (const p of plans) {
    const owner = p.trader.address;
    if (p.perp)
      orders.push({
        buyer: p.perp.long ? owner : maker,
        seller: p.perp.long ? maker : owner,
        market: 0,
        size: p.perp.size,
        kind: 'perp',
      });
    if (p.option)
      orders.push({
        buyer: p.option.buy ? owner : maker,
        seller: p.option.buy ? maker : owner,
        market: p.option.market,
        size: p.option.size,
        kind: 'option',
      });
  }
  const booked = { perps: 0, options: 0 };
  for (let round = 0; round < 4 && orders.length > 0; round++) {
    const from = await provider.head();
    const marks = await Promise.all([0, 1, 2].map((m) => engine.read('markPrice', [m])));
    const raws: string[] = [];
    for (const o of orders) {
      const data = hub.encode('trade', [
        toAccountId(o.buyer, 0),
        toAccountId(o.seller, 0),
        o.market,
        o.size,
        marks[o.market]!,
      ]);
      raws.push(await venue.sign(provider, { to: manifest.hub, data, gasLimit: GAS.trade }));
    }
    await broadcast(provider, raws);
    await minedWithProgress(
      provider,
      `${orders.length} trades (round ${round + 1}) to be mined`,
      timeoutMs,
      progress.start(`trades mined (round ${round + 1})`, raws.length, 'trades'),
      raws.length,
    );
    const done = new Set<string>();
    for (const log of await hub.queryEvent('Traded', null, from + 1)) {
      const t = hub.parseEvent('Traded', log)!;
      done.add(`${t.buyer}:${t.seller}:${t.marketId}`);
    }
    const key = (o: Order) => `${toAccountId(o.buyer, 0)}:${toAccountId(o.seller, 0)}:${o.market}`;
    for (const o of orders) if (done.has(key(o))) booked[o.kind === 'perp' ? 'perps' : 'options']++;
    orders = orders.filter((o) => !done.has(key(o))).map((o) => ({ ...o, size: o.size / 2n }));
  }
  return booked;
}

/** Each trader borrows `share`% of its spare initial margin, read from the hub for every trader in batches. */
async function borrow(
  manifest: DevnetManifest,
  provider: RpcProvider,
  plans: Plan[],
  timeoutMs: number,
  progress: Progress,
): Promise<number> {
  const hub = new TypedContract(marginHubAbi, manifest.hub, provider);
  const multicall = new Multicall(provider);
  await fundGas(
    provider,
    plans.map((p) => p.trader.address),
    10n ** 20n,
  );
  const figures = await multicall.all(
    plans.map((p) => batchCall(hub, 'accountFigures', [toAccountId(p.trader.address, 0)])),
    { batchSize: 40 },
  );
  const chainId = hubChain(manifest).chainId;
  const raws: string[] = [];
  for (const [i, p] of plans.entries()) {
    const f = figures[i]!;
    if (!f.ok) continue;
    const spare = f.value.initialEquity - BigInt(f.value.initialRequirement);
    const tokens = (spare * p.share) / 100n / 10n ** 12n;
    if (tokens <= 0n) continue;
    raws.push(
      await new Sender(p.trader, chainId).sign(provider, {
        to: manifest.hub,
        data: hub.encode('withdrawCash', [0, tokens, p.trader.address]),
        gasLimit: GAS.borrow,
      }),
    );
  }
  const from = await provider.head();
  await broadcast(provider, raws);
  await minedWithProgress(
    provider,
    `${raws.length} borrows to be mined`,
    timeoutMs,
    progress.start('borrows mined', raws.length, 'borrows'),
    raws.length,
  );
  return (await hub.queryEvent('CashWithdrawn', null, from + 1)).length;
}

/** Waits for the pool to empty, counting the `sent` transactions mined on `task`. */
async function minedWithProgress(
  provider: RpcProvider,
  what: string,
  timeoutMs: number,
  task: ProgressTask,
  sent: number,
): Promise<void> {
  try {
    await waitForPoolEmpty(provider, what, timeoutMs, (left) => task.update(sent - Math.min(left, sent)));
    task.update(sent);
  } finally {
    task.stop();
  }
}
