/**
 * The reconciler's arithmetic, apart from its reads so it is tested without a chain
 * (test/unit/custody.test.ts): what of each listed asset is in flight or stranded, whether a
 * check holds, and when a breach becomes an alert.
 */
import { MessageType } from '@omnichain-collateral/sdk/messageCodec';
import type { StoredMessage } from '../store/store.js';

/** The (chain, token) of one listed asset. */
export interface CustodyAsset {
  assetId: number;
  eid: number;
  token: string;
}

export interface InFlightTotals {
  /** CREDITs from the asset's vault the hub has not applied */
  credits: bigint;
  /** RELEASEs and SEIZEs to the asset's vault the vault has not executed */
  payouts: bigint;
  /** tokens of this asset's messages the delegate dropped: in custody, in no ledger */
  stranded: bigint;
}

/** Per asset, in `assets` order: what is in flight and what is stranded, from the relayer's store. */
export function inFlightTotals(
  assets: readonly CustodyAsset[],
  inFlight: readonly StoredMessage[],
  dropped: readonly StoredMessage[],
  hubEid: number,
): InFlightTotals[] {
  const sum = (messages: readonly StoredMessage[]) => messages.reduce((total, m) => total + BigInt(m.amount), 0n);
  return assets.map((a) => ({
    credits: sum(inFlight.filter((m) => isCreditOf(m, a, hubEid))),
    payouts: sum(inFlight.filter((m) => isPayoutOf(m, a))),
    stranded: sum(dropped.filter((m) => isCreditOf(m, a, hubEid) || isPayoutOf(m, a))),
  }));
}

/** The invariant: hub ledger + credits in flight <= the vault's custody <= the vault's token balance. */
export function custodyHolds(hubLedger: bigint, creditsInFlight: bigint, custodied: bigint, balance: bigint): boolean {
  return hubLedger + creditsInFlight <= custodied && custodied <= balance;
}

/**
 * Which vaults a check compares, and at which block: the hub chain's at the hub indexer's block
 * (the ledger's), the others at their latest, and only while the hub indexer is at most one block
 * behind the hub's head (`head` -1: unknown). Further behind, a RELEASE or SEIZE the hub sent after
 * the indexer's block is still in the ledger read there but may already have left its vault: the
 * check would see a breach that is not one.
 */
export function vaultReads<A extends { eid: number }>(
  assets: readonly A[],
  hubEid: number,
  hubBlock: number,
  head: number,
): Array<{ asset: A; block: number | undefined }> {
  const spokesComparable = head < 0 || head - hubBlock <= 1;
  return assets.flatMap((asset): Array<{ asset: A; block: number | undefined }> =>
    asset.eid === hubEid ? [{ asset, block: hubBlock }] : spokesComparable ? [{ asset, block: undefined }] : [],
  );
}

/**
 * Chains are read at slightly different moments, so one failing check can be a race: an asset
 * is in breach when two consecutive checks fail, and alerted once, at the second.
 */
export class BreachStrikes {
  private readonly strikes = new Map<number, number>();

  /** Records a check of `assetId`; true when this check is the one to alert on. */
  record(assetId: number, ok: boolean): boolean {
    const strikes = ok ? 0 : (this.strikes.get(assetId) ?? 0) + 1;
    this.strikes.set(assetId, strikes);
    return strikes === 2;
  }

  /** Whether `assetId` failed at least its last two checks. */
  inBreach(assetId: number): boolean {
    return (this.strikes.get(assetId) ?? 0) >= 2;
  }
}

function isCreditOf(m: StoredMessage, asset: CustodyAsset, hubEid: number): boolean {
  return (
    m.msgType === MessageType.CREDIT &&
    m.dstEid === hubEid &&
    m.srcEid === asset.eid &&
    m.token.toLowerCase() === asset.token.toLowerCase()
  );
}

function isPayoutOf(m: StoredMessage, asset: CustodyAsset): boolean {
  return (
    (m.msgType === MessageType.RELEASE || m.msgType === MessageType.SEIZE) &&
    m.dstEid === asset.eid &&
    m.token.toLowerCase() === asset.token.toLowerCase()
  );
}
