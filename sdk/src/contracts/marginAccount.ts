/**
 * What a trader or an integrating contract's off-chain side does with the contracts: deposit on
 * any chain's vault (approving the token if needed and paying the LayerZero fee the vault
 * quotes), withdraw through the hub (paying the RELEASE's fee), move collateral between
 * sub-accounts, and read the hub's figures. Each write waits for its receipt; a revert throws
 * with the contract's named error (TypedContract).
 */
import type { ContractRunner, Signer } from 'ethers';
import { collateralVaultAbi, erc20Abi, marginHubAbi } from '../abi/index.js';
import { toAccountId } from '../accountId.js';
import { MessageType } from '../messageCodec.js';
import type { MarginFigures } from '../risk/marginModel.js';
import { TypedContract } from './typedContract.js';

export interface DepositParams {
  /** the CollateralVault on the token's chain */
  vault: string;
  token: string;
  /** base units of the token */
  amount: bigint;
  /** whose account is credited (default: the signer) */
  owner?: string;
  subAccount?: number;
  /** LayerZero type-3 options added to the enforced ones (default none) */
  extraOptions?: string;
}

export interface SentTransaction {
  txHash: string;
  /** the LayerZero fee paid, in the chain's native wei (0 on the hub chain's own vault) */
  fee: bigint;
}

/** The native fee a deposit's CREDIT costs now. */
export function quoteDeposit(runner: ContractRunner, p: DepositParams & { owner: string }): Promise<bigint> {
  return new TypedContract(collateralVaultAbi, p.vault, runner).read('quoteDeposit', [
    p.owner,
    p.subAccount ?? 0,
    p.token,
    p.amount,
    p.extraOptions ?? '0x',
  ]);
}

/**
 * Approves the vault for `amount` if needed, then deposits, paying the quoted fee. Credited on the hub when the CREDIT
 * lands.
 */
export async function deposit(signer: Signer, p: DepositParams): Promise<SentTransaction> {
  const from = await signer.getAddress();
  const owner = p.owner ?? from;
  const token = new TypedContract(erc20Abi, p.token, signer);
  // After an approval, the deposit takes the next nonce explicitly: a provider that caches the
  // account's nonce for a moment (ethers' default) would otherwise hand out the approval's again.
  let nonce: number | undefined;
  if ((await token.read('allowance', [from, p.vault])) < p.amount) {
    const approval = await token.write('approve', [p.vault, p.amount]);
    await approval.wait();
    nonce = approval.nonce + 1;
  }
  const fee = await quoteDeposit(signer, { ...p, owner });
  const tx = await new TypedContract(collateralVaultAbi, p.vault, signer).write(
    'deposit',
    [owner, p.subAccount ?? 0, p.token, p.amount, p.extraOptions ?? '0x'],
    {
      value: fee,
      ...(nonce !== undefined ? { nonce } : {}),
    },
  );
  await tx.wait();
  return { txHash: tx.hash, fee };
}

export interface WithdrawParams {
  hub: string;
  assetId: number;
  amount: bigint;
  subAccount?: number;
  /** who the vault pays (default: the signer) */
  recipient?: string;
  extraOptions?: string;
}

/** The native fee a withdrawal's RELEASE of `assetId` costs now (0 for the hub chain's own asset). */
export function quoteWithdraw(
  runner: ContractRunner,
  hub: string,
  assetId: number,
  extraOptions = '0x',
): Promise<bigint> {
  return new TypedContract(marginHubAbi, hub, runner).read('quoteOrder', [assetId, MessageType.RELEASE, extraOptions]);
}

/** Withdraws through the hub: it checks margin and debits at once; the vault pays when the RELEASE lands. */
export async function withdraw(signer: Signer, p: WithdrawParams): Promise<SentTransaction> {
  const recipient = p.recipient ?? (await signer.getAddress());
  const fee = await quoteWithdraw(signer, p.hub, p.assetId, p.extraOptions);
  const tx = await new TypedContract(marginHubAbi, p.hub, signer).write(
    'withdraw',
    [p.subAccount ?? 0, p.assetId, p.amount, recipient, p.extraOptions ?? '0x'],
    { value: fee },
  );
  await tx.wait();
  return { txHash: tx.hash, fee };
}

/** Moves collateral between two of the signer's sub-accounts (the source must stay within margin). */
export async function transfer(
  signer: Signer,
  p: { hub: string; assetId: number; amount: bigint; fromSub: number; toSub: number },
): Promise<{ txHash: string }> {
  const tx = await new TypedContract(marginHubAbi, p.hub, signer).write('transferCollateral', [
    p.fromSub,
    p.toSub,
    p.assetId,
    p.amount,
  ]);
  await tx.wait();
  return { txHash: tx.hash };
}

/**
 * Authorises (or revokes) `venue` to trade and settle cash for every account of the signer: the
 * hub books a venue's trade or payment only for accounts whose owners did.
 */
export async function setVenueAuthorization(
  signer: Signer,
  p: { hub: string; venue: string; authorized: boolean },
): Promise<{ txHash: string }> {
  const tx = await new TypedContract(marginHubAbi, p.hub, signer).write('setVenueAuthorization', [
    p.venue,
    p.authorized,
  ]);
  await tx.wait();
  return { txHash: tx.hash };
}

/**
 * Takes back a deposit the hub refused (a token it has not listed on that chain): the hub sends
 * a RELEASE paying the signer, the deposit's owner, on chain `srcEid`.
 */
export async function refundCredit(
  signer: Signer,
  p: { hub: string; srcEid: number; creditId: bigint; extraOptions?: string },
): Promise<SentTransaction> {
  const hub = new TypedContract(marginHubAbi, p.hub, signer);
  const options = p.extraOptions ?? '0x';
  const fee = await hub.read('quoteRefund', [p.srcEid, p.creditId, options]);
  const tx = await hub.write('refundCredit', [p.srcEid, p.creditId, options], { value: fee });
  await tx.wait();
  return { txHash: tx.hash, fee };
}

/** The hub's figures and health of one sub-account, now. */
export async function readFigures(
  runner: ContractRunner,
  hub: string,
  owner: string,
  subAccount = 0,
): Promise<{ figures: MarginFigures; health: bigint }> {
  const contract = new TypedContract(marginHubAbi, hub, runner);
  const account = toAccountId(owner, subAccount);
  const [figures, health] = await Promise.all([
    contract.read('accountFigures', [account]),
    contract.read('health', [account]),
  ]);
  return { figures, health };
}
