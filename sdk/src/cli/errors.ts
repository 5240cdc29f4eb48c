/**
 * A contract's refusal in words: the named errors a trader meets, decoded from the revert data
 * with the hub's, the vault's and the engine's ABIs, each turned into a sentence that says what
 * to do; any other named error is given with its arguments.
 */
import { formatUnits, Interface } from 'ethers';
import { collateralVaultAbi, erc20Abi, marginHubAbi, riskEngineAbi } from '../abi/index.js';
import { decodeRevert } from '../contracts/revert.js';

const INTERFACES = [marginHubAbi, collateralVaultAbi, riskEngineAbi, erc20Abi].map((abi) => new Interface(abi));

const usd = (wad: unknown) =>
  Number(formatUnits(BigInt(wad as bigint), 18)).toLocaleString('en-US', { maximumFractionDigits: 2 });

const SENTENCES: Record<string, (args: readonly unknown[]) => string> = {
  InsufficientMargin: ([equity, requirement]) =>
    `the hub refused: after this the account's initial-margin equity would be $${usd(equity)} against a requirement of $${usd(requirement)}. Withdraw less, deposit more, or reduce positions (\`occ preview\` shows the figures first).`,
  InsufficientCollateral: ([held, amount]) =>
    `the hub refused: the account holds ${held} base units of this asset, fewer than the ${amount} asked for.`,
  InsufficientLiquidity: ([available, requested]) =>
    `the hub refused: only ${available} of the settlement token is available to lend, ${requested} was asked for.`,
  CapExceeded: ([token, custodied, cap]) =>
    `the vault refused: its cap for ${token} is ${cap} base units and it already holds ${custodied}.`,
  TokenNotAllowed: ([token]) => `the vault refused: ${token} is not a collateral it takes on this chain.`,
  EnforcedPause: () => 'the vault is paused: deposits are stopped for now (payouts the hub approved still go through).',
  ZeroAmount: () => 'the amount must be more than 0.',
  SameAccount: () => 'the two sub-accounts must differ.',
  NotEnoughNative: ([value]) =>
    `the LayerZero fee sent (${value} wei) is below the quote: the fee rose between the quote and the transaction; try again.`,
};

/** Why a transaction or call failed, as a sentence. */
export function refusal(err: unknown): string {
  const parsed = decodeRevert(err, INTERFACES);
  if (parsed) {
    const sentence = SENTENCES[parsed.name];
    return sentence
      ? sentence(parsed.args)
      : `the contract refused with ${parsed.name}(${parsed.args.map(String).join(', ')}).`;
  }
  const e = err as { shortMessage?: string; message?: string; code?: string };
  if (e.code === 'INSUFFICIENT_FUNDS')
    return 'the key has too little native gas token to pay for the transaction and its LayerZero fee.';
  return e.shortMessage ?? e.message ?? String(err);
}
