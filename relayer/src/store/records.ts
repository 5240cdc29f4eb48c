/** What the relayer's store holds: cross-chain messages, checkpoints, alerts and the keeper's liquidation records. */
/**
 * How far a packet got; a delivery that reverted stays `sent`/`verified` with `lastError` set.
 * `cleared`, `skipped` and `burnt` are final like `delivered`, but the message never executed:
 * the receiving OApp's delegate dropped it (EndpointV2 clear, skip, burn).
 */
export type MessageStatus = 'sent' | 'verified' | 'delivered' | DroppedStatus;
export type DroppedStatus = 'cleared' | 'skipped' | 'burnt';

/** Delivered or dropped: nothing more will happen to it. */
export function isFinished(status: MessageStatus): boolean {
  return RANK[status] >= RANK.delivered;
}

export function isDropped(status: MessageStatus): status is DroppedStatus {
  return status === 'cleared' || status === 'skipped' || status === 'burnt';
}

export interface StoredMessage {
  guid: string;
  srcEid: number;
  dstEid: number;
  nonce: string;
  sender: string;
  receiver: string;
  /**
   * the app message's decoded fields (bigint values as decimal strings); the message itself is the tail of
   * `encodedPacket`
   */
  msgType: number;
  id: string;
  account: string;
  subAccount: number;
  token: string;
  amount: string;
  recipient: string;
  encodedPacket: string;
  /** the options it was sent with (enforced and the sender's, type 3): the gas its execution gets */
  options?: string;
  status: MessageStatus;
  sentBlock: number;
  sentAt: number;
  deliveredAt?: number;
  /** the destination block its PacketVerified is in (how long it has waited for an executor) */
  verifiedBlock?: number;
  attempts: number;
  lastAttemptAt?: number;
  lastError?: string;
}

export interface Checkpoint {
  block: number;
  hash: string;
}

export interface Alert {
  at: number;
  kind: 'custody-breach' | 'reorg' | 'delivery-failed' | 'parity-mismatch' | 'message-stuck';
  detail: string;
}

/**
 * A liquidation the keeper started, persisted before each step so a restart resumes it:
 * planned (tx being sent; `txHash` once broadcast) -> submitted (the hub accepted it; for a
 * collateral liquidation its SEIZE is in flight) -> seized (SEIZE executed on the collateral
 * chain, which pays the keeper in the same call) -> settled. Or dropped (the hub refused: the account
 * recovered, a price is stale...) or failed (gave up after retries), each with its reason.
 */
export type LiquidationStatus = 'planned' | 'submitted' | 'seized' | 'settled' | 'dropped' | 'failed';

export interface LiquidationRecord {
  id: string;
  account: string;
  kind: 'collateral' | 'position';
  /** collateral: the asset seized and its chain; position: the market taken over */
  assetId?: number;
  marketId?: number;
  dstEid?: number;
  status: LiquidationStatus;
  reason?: string;
  attempts: number;
  healthAtPlan: string;
  /** when the keeper first saw the price that made the account liquidatable (ms, hub block) */
  priceSeenAt: number;
  priceSeenBlock: number;
  plannedAt: number;
  plannedBlock: number;
  txHash?: string;
  hubBlock?: number;
  submittedAt?: number;
  repaidUsd?: string;
  seized?: string;
  sizeTaken?: string;
  guid?: string;
  /** the hub's order id of the SEIZE */
  orderId?: string;
  seizedAt?: number;
  seizedBlock?: number;
  settledAt?: number;
}

export interface ChainData {
  checkpoints: Record<string, Checkpoint>;
  /**
   * Verified/delivered events seen on a destination before the source chain's PacketSent was
   * indexed (chains are indexed independently), by origin; applied when the packet is recorded.
   */
  earlyStatus: Record<string, MessageStatus>;
  /** the destination block of an early PacketVerified, by origin (becomes the message's verifiedBlock) */
  earlyVerifiedBlock: Record<string, number>;
  /** messages not finished, and finished ones until their archive line is written */
  messages: Record<string, StoredMessage>;
  accounts: string[];
  alerts: Alert[];
}

export interface KeeperData {
  /** records not finished, and finished ones until their archive line is written */
  liquidations: Record<string, LiquidationRecord>;
  /** the journal generation that holds the changes made after this file was written (recordJournal.ts) */
  journal: number;
}

/** How far each status is along a message's way: a status never moves back. */
export const RANK: Record<MessageStatus, number> = {
  sent: 0,
  verified: 1,
  delivered: 2,
  cleared: 2,
  skipped: 2,
  burnt: 2,
};
