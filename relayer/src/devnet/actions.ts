/** What a trader or venue does on a devnet: mint test tokens and deposit, withdraw, trade. */
import type { Signer } from 'ethers';
import { toAccountId } from '../../../sdk/src/accountId.js';
import { MessageType } from '../../../sdk/src/messageCodec.js';
import { contractAt, devnetSigner, type DeployedChain, type DevnetManifest } from './deploySystem.js';
import { send } from './layerzero.js';

export async function mintAndDeposit(chain: DeployedChain, privateKey: string, symbol: string, amount: bigint, subAccount = 0): Promise<void> {
  const signer = devnetSigner(chain.rpcUrl, privateKey);
  const owner = await signer.getAddress();
  const tokenAddress = chain.tokens[symbol];
  if (!tokenAddress) throw new Error(`${chain.name} has no ${symbol}`);
  const token = contractAt('TestToken.sol', tokenAddress, signer);
  const vault = contractAt('CollateralVault.sol', chain.vault, signer);
  await send(token, 'mint', owner, amount);
  await send(token, 'approve', chain.vault, amount);
  const fee: bigint = await vault.getFunction('quoteDeposit')(owner, subAccount, tokenAddress, amount, '0x');
  await send(vault, 'deposit', owner, subAccount, tokenAddress, amount, '0x', { value: fee });
}

export async function requestWithdrawal(manifest: DevnetManifest, privateKey: string, assetId: number, amount: bigint, subAccount = 0): Promise<void> {
  const signer: Signer = devnetSigner(hubChain(manifest).rpcUrl, privateKey);
  const hub = contractAt('MarginHub.sol', manifest.hub, signer);
  const fee: bigint = await hub.getFunction('quoteOrder')(assetId, MessageType.RELEASE, '0x');
  await send(hub, 'withdraw', subAccount, assetId, amount, await signer.getAddress(), '0x', { value: fee });
}

/** The deployer, as the devnet's venue, books `size` (WAD) of perp `marketId` between two accounts. */
export async function venueTrade(
  manifest: DevnetManifest,
  venueKey: string,
  buyer: { owner: string; subAccount?: number },
  seller: { owner: string; subAccount?: number },
  marketId: number,
  size: bigint,
  price: bigint,
): Promise<void> {
  const hub = contractAt('MarginHub.sol', manifest.hub, devnetSigner(hubChain(manifest).rpcUrl, venueKey));
  await send(hub, 'trade', toAccountId(buyer.owner, buyer.subAccount ?? 0), toAccountId(seller.owner, seller.subAccount ?? 0), marketId, size, price);
}

export function hubChain(manifest: DevnetManifest): DeployedChain {
  return manifest.chains.find((c) => c.eid === manifest.hubEid)!;
}

/** Moves a devnet feed (`ETH`, `USD`, `ETH_VOL`) to `answer` in its 8 decimals, stamped now. */
export async function setFeed(manifest: DevnetManifest, ownerKey: string, feed: string, answer: bigint): Promise<void> {
  const address = manifest.feeds[feed];
  if (!address) throw new Error(`no feed ${feed}`);
  const aggregator = contractAt('ManualAggregator.sol', address, devnetSigner(hubChain(manifest).rpcUrl, ownerKey));
  await send(aggregator, 'setAnswer', answer);
}

/** Mints hub settlement tokens (USDC, 6 decimals) to the key's address: a lender's or keeper's wallet. */
export async function mintUsdc(manifest: DevnetManifest, privateKey: string, tokens: bigint): Promise<void> {
  const chain = hubChain(manifest);
  const signer = devnetSigner(chain.rpcUrl, privateKey);
  const usdc = contractAt('TestToken.sol', chain.tokens.USDC!, signer);
  await send(usdc, 'mint', await signer.getAddress(), tokens);
}

/**
 * Funds the keeper before it starts (so its nonces are its own): `walletTokens` of USDC in its
 * wallet, its repayment budget, and `marginTokens` deposited as hub margin for position takeovers.
 */
export async function fundKeeper(manifest: DevnetManifest, keeperKey: string, walletTokens: bigint, marginTokens: bigint): Promise<void> {
  await mintUsdc(manifest, keeperKey, walletTokens);
  await mintAndDeposit(hubChain(manifest), keeperKey, 'USDC', marginTokens);
}

/** Pays settlement tokens into an account's hub cash (lending liquidity, or repaying debt). */
export async function depositCash(manifest: DevnetManifest, privateKey: string, tokens: bigint, owner?: string, subAccount = 0): Promise<void> {
  await mintUsdc(manifest, privateKey, tokens);
  const chain = hubChain(manifest);
  const signer = devnetSigner(chain.rpcUrl, privateKey);
  const usdc = contractAt('TestToken.sol', chain.tokens.USDC!, signer);
  await send(usdc, 'approve', manifest.hub, tokens);
  const hub = contractAt('MarginHub.sol', manifest.hub, signer);
  await send(hub, 'depositCash', owner ?? (await signer.getAddress()), subAccount, tokens);
}

/** Borrows settlement tokens against the account's collateral (its cash goes negative). */
export async function borrowCash(manifest: DevnetManifest, privateKey: string, tokens: bigint, subAccount = 0): Promise<void> {
  const signer = devnetSigner(hubChain(manifest).rpcUrl, privateKey);
  const hub = contractAt('MarginHub.sol', manifest.hub, signer);
  await send(hub, 'withdrawCash', subAccount, tokens, await signer.getAddress());
}
