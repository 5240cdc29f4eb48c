/**
 * Unified health on a spoke chain, through its HealthReader: ask the hub for an account's figures
 * (an lzRead request, paid in the spoke's native token), then read the answer the reader keeps,
 * with the hub block and time it is from. An integrating contract calls `healthOf(account,
 * maxAge)` on the reader itself; these helpers are its off-chain side and the CLI's.
 */
import type { ContractRunner, Signer } from 'ethers';
import { healthReaderAbi } from '../abi/index.js';
import { toAccountId } from '../accountId.js';
import { TypedContract } from './typedContract.js';

export interface HealthReading {
  initialEquity: bigint;
  maintenanceEquity: bigint;
  initialRequirement: bigint;
  maintenanceRequirement: bigint;
  /** maintenance health, WAD (the hub's `health`); below 1e18 the account can be liquidated */
  health: bigint;
  /** the hub block the figures are from (0: no reading yet) */
  hubBlock: bigint;
  /** that block's time on the hub, unix seconds */
  hubTimestamp: bigint;
  /** when the answer arrived on this chain, unix seconds */
  receivedAt: bigint;
}

export interface HealthRequest {
  txHash: string;
  /** the lzRead request's LayerZero guid: the answer's FiguresRead event carries it */
  guid: string;
  /** the LayerZero fee paid, in the spoke's native wei */
  fee: bigint;
}

/** The native fee a read of `owner`'s sub-account costs now. */
export async function quoteHealthRequest(
  runner: ContractRunner,
  reader: string,
  owner: string,
  subAccount = 0,
): Promise<bigint> {
  const fee = await new TypedContract(healthReaderAbi, reader, runner).read('quoteRequest', [
    toAccountId(owner, subAccount),
    '0x',
  ]);
  return fee.nativeFee;
}

/** Asks the hub (through the spoke's reader) for the account's figures; the answer lands a few blocks later. */
export async function requestHealth(
  signer: Signer,
  reader: string,
  owner: string,
  subAccount = 0,
): Promise<HealthRequest> {
  const contract = new TypedContract(healthReaderAbi, reader, signer);
  const account = toAccountId(owner, subAccount);
  const fee = (await contract.read('quoteRequest', [account, '0x'])).nativeFee;
  const tx = await contract.write('requestFigures', [account, '0x'], { value: fee });
  const receipt = await tx.wait();
  const requested = receipt?.logs.map((l) => contract.parseEvent('FiguresRequested', l)).find((e) => e !== null);
  if (!requested) throw new Error(`requestFigures ${tx.hash} emitted no FiguresRequested`);
  return { txHash: tx.hash, guid: requested.guid, fee };
}

/** The reader's latest reading of the account (hubBlock 0: none yet). */
export function readHealthReading(
  runner: ContractRunner,
  reader: string,
  owner: string,
  subAccount = 0,
): Promise<HealthReading> {
  return new TypedContract(healthReaderAbi, reader, runner).read('readingOf', [toAccountId(owner, subAccount)]);
}
