/**
 * The CLI's transactions: deposit, withdraw, transfer, refunds and venue authorisations, signed with the key in OCC_KEY. Amounts
 * and addresses are checked before anything is sent; a refusal is a sentence (errors.ts); a
 * cross-chain message is followed through the relayer API until it lands, each step printed.
 */
import { getAddress, JsonRpcProvider, parseUnits, Wallet, ZeroAddress } from 'ethers';
import { endpointV2Abi, erc20Abi, marginHubAbi } from '../abi/index.js';
import type { RelayerClient } from '../api/client.js';
import {
  deposit,
  quoteDeposit,
  quoteWithdraw,
  refundCredit,
  setVenueAuthorization,
  transfer,
  withdraw,
} from '../contracts/marginAccount.js';
import { TypedContract } from '../contracts/typedContract.js';
import { decodePacket } from '../packet.js';
import { chainOf, hubChainOf, type CliManifest } from './manifest.js';
import { refusal } from './errors.js';

export class UsageError extends Error {}

export function signer(rpcUrl: string): Wallet {
  const key = process.env.OCC_KEY;
  if (!key || !/^0x[0-9a-fA-F]{64}$/.test(key))
    throw new UsageError(
      'set OCC_KEY to the 0x-prefixed private key that signs (it is never taken on the command line)',
    );
  // No result cache: the approval's nonce must not be reused by the deposit sent right after it.
  return new Wallet(
    key,
    new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, pollingInterval: 250, cacheTimeout: -1 }),
  );
}

/** A decimal token amount ("1.5") in base units; refused unless positive with at most `decimals` places. */
export function parseAmount(value: string, decimals: number): bigint {
  if (!/^\d+(\.\d+)?$/.test(value))
    throw new UsageError(`amount "${value}" is not a positive decimal number (e.g. 1.5)`);
  const places = value.split('.')[1]?.length ?? 0;
  if (places > decimals) throw new UsageError(`amount "${value}" has ${places} decimals; this token has ${decimals}`);
  const amount = parseUnits(value, decimals);
  if (amount === 0n) throw new UsageError('amount must be more than 0');
  return amount;
}

export function parseAddress(value: string, what: string): string {
  try {
    return getAddress(value);
  } catch {
    throw new UsageError(
      `${what} "${value}" is not an address (0x and 40 hex characters, with a valid checksum if mixed case)`,
    );
  }
}

type Say = (line: string) => void;

/** A listed asset, the chain it is on, and its token's decimals (read from that chain). */
export async function assetOf(manifest: CliManifest, assetId: number) {
  const asset = manifest.assets.find((a) => a.assetId === assetId);
  if (!asset)
    throw new UsageError(
      `no asset ${assetId}; the manifest lists ${manifest.assets.map((a) => `${a.assetId} (${a.symbol})`).join(', ')}`,
    );
  const chain = manifest.chains.find((c) => c.eid === asset.eid)!;
  const decimals = Number(
    await new TypedContract(
      erc20Abi,
      asset.token,
      new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true }),
    ).read('decimals', []),
  );
  return { asset, chain, decimals };
}

async function send<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${what}: ${refusal(err)}`);
  }
}

/** The endpoint's PacketSent event, matched by topic (a transaction's logs come from its own endpoint). */
const PACKETS = new TypedContract(endpointV2Abi, ZeroAddress, null);

/** The guid of the LayerZero packet a transaction sent, if it sent one. */
async function sentGuid(wallet: Wallet, txHash: string): Promise<string | undefined> {
  const receipt = await wallet.provider!.getTransactionReceipt(txHash);
  for (const log of receipt?.logs ?? []) {
    const sent = PACKETS.parseEvent('PacketSent', log);
    if (sent) return decodePacket(sent.encodedPayload).guid;
  }
  return undefined;
}

/**
 * Prints the message's progress (sent, verified, delivered) as the relayer sees it, until it lands or `timeoutMs`
 * passes.
 */
export async function follow(client: RelayerClient, guid: string, timeoutMs: number, say: Say): Promise<void> {
  const start = Date.now();
  let last = '';
  while (Date.now() - start < timeoutMs) {
    const m = await client.message(guid).catch(() => undefined);
    const status = m
      ? `${m.status}${m.stuck ? ` (stuck: ${m.stuck})` : ''}${m.lastError ? ` (last attempt: ${m.lastError})` : ''}`
      : 'waiting for the relayer to index it';
    if (status !== last) {
      say(`  ${((Date.now() - start) / 1000).toFixed(1)} s  ${status}`);
      last = status;
    }
    if (m && m.status !== 'sent' && m.status !== 'verified') return;
    await new Promise((r) => setTimeout(r, 400));
  }
  say(`  still on its way after ${timeoutMs / 1000} s; follow it with \`occ messages --status stuck\``);
}

export async function runDeposit(
  manifest: CliManifest,
  client: RelayerClient,
  opts: { chain: string; token: string; amount: string; sub: number; owner?: string; wait: boolean; timeoutMs: number },
  say: Say,
): Promise<{ txHash: string; fee: bigint; guid?: string }> {
  const chain = chainOf(manifest, opts.chain);
  const token = chain.tokens[opts.token];
  if (!token)
    throw new UsageError(
      `${chain.name} takes no token "${opts.token}"; it takes ${Object.keys(chain.tokens).join(', ')}`,
    );
  const wallet = signer(chain.rpcUrl);
  const decimals = Number(await new TypedContract(erc20Abi, token, wallet).read('decimals', []));
  const amount = parseAmount(opts.amount, decimals);
  const owner = opts.owner ? parseAddress(opts.owner, 'owner') : wallet.address;
  const balance = await new TypedContract(erc20Abi, token, wallet).read('balanceOf', [wallet.address]);
  if (balance < amount)
    throw new UsageError(
      `${wallet.address} holds ${balance} base units of ${opts.token} on ${chain.name}, fewer than ${amount}`,
    );
  const fee = await quoteDeposit(wallet, { vault: chain.vault, token, amount, owner, subAccount: opts.sub });
  say(
    `depositing ${opts.amount} ${opts.token} on ${chain.name} for ${owner} sub-account ${opts.sub}; LayerZero fee ${fee} wei`,
  );
  const sent = await send('the deposit failed', () =>
    deposit(wallet, { vault: chain.vault, token, amount, owner, subAccount: opts.sub }),
  );
  say(`sent in ${sent.txHash}`);
  const guid = await sentGuid(wallet, sent.txHash);
  if (!guid) say('credited at once (the hub chain calls the hub directly)');
  else if (opts.wait) {
    say(`CREDIT ${guid} to the hub:`);
    await follow(client, guid, opts.timeoutMs, say);
  }
  return { ...sent, ...(guid ? { guid } : {}) };
}

export async function runWithdraw(
  manifest: CliManifest,
  client: RelayerClient,
  opts: { asset: number; amount: string; sub: number; to?: string; wait: boolean; timeoutMs: number },
  say: Say,
): Promise<{ txHash: string; fee: bigint; guid?: string }> {
  const { asset, chain: assetChain, decimals } = await assetOf(manifest, opts.asset);
  const wallet = signer(hubChainOf(manifest).rpcUrl);
  const amount = parseAmount(opts.amount, decimals);
  const recipient = opts.to ? parseAddress(opts.to, 'recipient') : wallet.address;
  const fee = await quoteWithdraw(wallet, manifest.hub, opts.asset);
  say(
    `withdrawing ${opts.amount} ${asset.symbol} (asset ${opts.asset}, on ${assetChain.name}) from sub-account ${opts.sub} to ${recipient}; LayerZero fee ${fee} wei`,
  );
  const sent = await send('the withdrawal failed', () =>
    withdraw(wallet, { hub: manifest.hub, assetId: opts.asset, amount, subAccount: opts.sub, recipient }),
  );
  say(`sent in ${sent.txHash}; the hub has debited the account`);
  const guid = await sentGuid(wallet, sent.txHash);
  if (!guid) say('paid at once (an asset on the hub chain)');
  else if (opts.wait) {
    say(`RELEASE ${guid} to ${assetChain.name}:`);
    await follow(client, guid, opts.timeoutMs, say);
  }
  return { ...sent, ...(guid ? { guid } : {}) };
}

export async function runTransfer(
  manifest: CliManifest,
  opts: { asset: number; amount: string; from: number; to: number },
  say: Say,
): Promise<{ txHash: string }> {
  const { asset, decimals } = await assetOf(manifest, opts.asset);
  if (opts.from === opts.to) throw new UsageError('--from-sub and --to-sub must differ');
  const wallet = signer(hubChainOf(manifest).rpcUrl);
  const amount = parseAmount(opts.amount, decimals);
  const sent = await send('the transfer failed', () =>
    transfer(wallet, { hub: manifest.hub, assetId: opts.asset, amount, fromSub: opts.from, toSub: opts.to }),
  );
  say(`moved ${opts.amount} ${asset.symbol} from sub-account ${opts.from} to ${opts.to} in ${sent.txHash}`);
  return sent;
}

export async function runVenue(
  manifest: CliManifest,
  opts: { venue: string; authorized: boolean },
  say: Say,
): Promise<{ txHash: string }> {
  const venue = parseAddress(opts.venue, 'venue');
  const wallet = signer(hubChainOf(manifest).rpcUrl);
  const sent = await send('the authorisation failed', () =>
    setVenueAuthorization(wallet, { hub: manifest.hub, venue, authorized: opts.authorized }),
  );
  say(
    `${opts.authorized ? 'authorised' : 'revoked'} venue ${venue} for every account of ${wallet.address} in ${sent.txHash}`,
  );
  return sent;
}

export async function runRefund(
  manifest: CliManifest,
  client: RelayerClient,
  opts: { chain: string; credit: string; wait: boolean; timeoutMs: number },
  say: Say,
): Promise<{ txHash: string; fee: bigint; guid?: string }> {
  const chain = chainOf(manifest, opts.chain);
  if (!/^\d+$/.test(opts.credit)) throw new UsageError(`credit "${opts.credit}" is not a deposit's credit id`);
  const creditId = BigInt(opts.credit);
  const wallet = signer(hubChainOf(manifest).rpcUrl);
  const hub = new TypedContract(marginHubAbi, manifest.hub, wallet);
  const refused = await hub.read('refusedCredit', [chain.eid, creditId]);
  if (refused.amount === 0n)
    throw new UsageError(`no refused deposit ${creditId} from ${chain.name} waits for a refund (or it was refunded)`);
  say(`refunding ${refused.amount} base units of ${refused.token} to ${wallet.address} on ${chain.name}`);
  const sent = await send('the refund failed', () =>
    refundCredit(wallet, { hub: manifest.hub, srcEid: chain.eid, creditId }),
  );
  const guid = await sentGuid(wallet, sent.txHash);
  if (guid && opts.wait) {
    say(`RELEASE ${guid} to ${chain.name}:`);
    await follow(client, guid, opts.timeoutMs, say);
  }
  return { ...sent, ...(guid ? { guid } : {}) };
}
