import { JsonRpcProvider, toBeHex, Wallet } from 'ethers';
/** What a trader or venue does on a devnet: mint test tokens and deposit, withdraw, trade. */
import { backstopVaultAbi, collateralVaultAbi, manualAggregatorAbi, testTokenAbi } from '@omnichain-collateral/sdk/abi';
import { toAccountId } from '@omnichain-collateral/sdk/accountId';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { MessageType } from '@omnichain-collateral/sdk/messageCodec';
import { devnetSigner, hubContracts, type DeployedChain, type DevnetManifest } from './deploySystem.js';

export function tokenOn(
  chain: DeployedChain,
  symbol: string,
  signer: ReturnType<typeof devnetSigner>,
): TypedContract<typeof testTokenAbi> {
  const address = chain.tokens[symbol];
  if (!address) throw new Error(`${chain.name} has no ${symbol}`);
  return new TypedContract(testTokenAbi, address, signer);
}

export async function mintAndDeposit(
  chain: DeployedChain,
  privateKey: string,
  symbol: string,
  amount: bigint,
  subAccount = 0,
): Promise<void> {
  const signer = devnetSigner(chain, privateKey);
  const owner = await signer.getAddress();
  const token = tokenOn(chain, symbol, signer);
  const vault = new TypedContract(collateralVaultAbi, chain.vault, signer);
  await token.send('mint', [owner, amount]);
  await token.send('approve', [chain.vault, amount]);
  const fee = await vault.read('quoteDeposit', [owner, subAccount, token.address, amount, '0x']);
  await vault.send('deposit', [owner, subAccount, token.address, amount, '0x'], { value: fee });
}

export async function requestWithdrawal(
  manifest: DevnetManifest,
  privateKey: string,
  assetId: number,
  amount: bigint,
  subAccount = 0,
): Promise<void> {
  const signer = devnetSigner(hubChain(manifest), privateKey);
  const { hub } = hubContracts(manifest, signer);
  const fee = await hub.read('quoteOrder', [assetId, MessageType.RELEASE, '0x']);
  await hub.send('withdraw', [subAccount, assetId, amount, await signer.getAddress(), '0x'], { value: fee });
}

/**
 * The venue books `size` (WAD) of market `marketId` between two accounts at `price`. Each side's
 * owner (given by key) first authorises the venue, if it has not: the hub books trades only for
 * accounts whose owners did.
 */
export async function venueTrade(
  manifest: DevnetManifest,
  venueKey: string,
  buyer: { key: string; subAccount?: number },
  seller: { key: string; subAccount?: number },
  marketId: number,
  size: bigint,
  price: bigint,
): Promise<void> {
  const venue = new Wallet(venueKey).address;
  await authorizeVenue(manifest, buyer.key, venue);
  await authorizeVenue(manifest, seller.key, venue);
  const { hub } = hubContracts(manifest, devnetSigner(hubChain(manifest), venueKey));
  await hub.send('trade', [
    toAccountId(new Wallet(buyer.key).address, buyer.subAccount ?? 0),
    toAccountId(new Wallet(seller.key).address, seller.subAccount ?? 0),
    marketId,
    size,
    price,
  ]);
}

/**
 * The venue moves `amount` (USD WAD) of cash from the payer's sub-account 0 to `payee`'s; the
 * payer's owner (by key) first authorises it, with gas the devnet gives it.
 */
export async function venueSettle(
  manifest: DevnetManifest,
  venueKey: string,
  payerKey: string,
  payee: string,
  amount: bigint,
): Promise<void> {
  const payer = new Wallet(payerKey).address;
  await new JsonRpcProvider(hubChain(manifest).rpcUrl).send('anvil_setBalance', [payer, toBeHex(10n ** 18n)]);
  await authorizeVenue(manifest, payerKey, new Wallet(venueKey).address);
  const { hub } = hubContracts(manifest, devnetSigner(hubChain(manifest), venueKey));
  await hub.send('settleCash', [toAccountId(payer, 0), toAccountId(payee, 0), amount]);
}

/** The owner of `ownerKey` authorises `venue` to trade and settle cash for its accounts (once). */
export async function authorizeVenue(manifest: DevnetManifest, ownerKey: string, venue: string): Promise<void> {
  const { hub } = hubContracts(manifest, devnetSigner(hubChain(manifest), ownerKey));
  if (await hub.read('isVenueAuthorized', [new Wallet(ownerKey).address, venue])) return;
  await hub.send('setVenueAuthorization', [venue, true]);
}

export function hubChain(manifest: DevnetManifest): DeployedChain {
  return manifest.chains.find((c) => c.eid === manifest.hubEid)!;
}

/** Moves a devnet feed (`ETH`, `USD`, `ETH_VOL`) to `answer` in its 8 decimals, stamped now. */
export async function setFeed(manifest: DevnetManifest, ownerKey: string, feed: string, answer: bigint): Promise<void> {
  const address = manifest.feeds[feed];
  if (!address) throw new Error(`no feed ${feed}`);
  // A set gas limit: an estimate made in one second can fall short when the block lands in the
  // next, where the round's timestamps change value (a dearer storage write).
  await new TypedContract(manualAggregatorAbi, address, devnetSigner(hubChain(manifest), ownerKey)).send(
    'setAnswer',
    [answer],
    { gasLimit: 100_000n },
  );
}

/** Mints hub settlement tokens (USDC, 6 decimals) to the key's address: a lender's or keeper's wallet. */
export async function mintUsdc(manifest: DevnetManifest, privateKey: string, tokens: bigint): Promise<void> {
  const chain = hubChain(manifest);
  const signer = devnetSigner(chain, privateKey);
  await tokenOn(chain, 'USDC', signer).send('mint', [await signer.getAddress(), tokens]);
}

/**
 * Funds the keeper before it starts (so its nonces are its own): `walletTokens` of USDC in its
 * wallet, its repayment budget, and `marginTokens` deposited as hub margin for position takeovers.
 */
export async function fundKeeper(
  manifest: DevnetManifest,
  keeperKey: string,
  walletTokens: bigint,
  marginTokens: bigint,
): Promise<void> {
  await mintUsdc(manifest, keeperKey, walletTokens);
  await mintAndDeposit(hubChain(manifest), keeperKey, 'USDC', marginTokens);
}

/** Deposits `tokens` of settlement token into the backstop vault for `privateKey`'s shares. */
export async function depositBackstop(manifest: DevnetManifest, privateKey: string, tokens: bigint): Promise<void> {
  if (!manifest.backstop) throw new Error('this deployment has no backstop vault');
  await mintUsdc(manifest, privateKey, tokens);
  const signer = devnetSigner(hubChain(manifest), privateKey);
  await tokenOn(hubChain(manifest), 'USDC', signer).send('approve', [manifest.backstop, tokens]);
  const vault = new TypedContract(backstopVaultAbi, manifest.backstop, signer);
  await vault.send('deposit', [tokens, await signer.getAddress()]);
}

/** Pays settlement tokens into an account's hub cash (lending liquidity, or repaying debt). */
export async function depositCash(
  manifest: DevnetManifest,
  privateKey: string,
  tokens: bigint,
  owner?: string,
  subAccount = 0,
): Promise<void> {
  await mintUsdc(manifest, privateKey, tokens);
  const chain = hubChain(manifest);
  const signer = devnetSigner(chain, privateKey);
  await tokenOn(chain, 'USDC', signer).send('approve', [manifest.hub, tokens]);
  const { hub } = hubContracts(manifest, signer);
  await hub.send('depositCash', [owner ?? (await signer.getAddress()), subAccount, tokens]);
}

/** Borrows settlement tokens against the account's collateral (its cash goes negative). */
export async function borrowCash(
  manifest: DevnetManifest,
  privateKey: string,
  tokens: bigint,
  subAccount = 0,
): Promise<void> {
  const signer = devnetSigner(hubChain(manifest), privateKey);
  const { hub } = hubContracts(manifest, signer);
  await hub.send('withdrawCash', [subAccount, tokens, await signer.getAddress()]);
}
