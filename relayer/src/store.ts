/**
 * The relayer's durable state in one lowdb JSON file in the data directory: per-chain
 * checkpoints, every cross-chain message it has seen with its delivery state, the accounts it
 * knows, and reconciliation alerts. Everything in it can be re-derived from the chains; it exists
 * so a restart resumes where it stopped instead of rescanning, and so nothing is done twice.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';

/** How far a packet got; a delivery that reverted stays `sent`/`verified` with `lastError` set. */
export type MessageStatus = 'sent' | 'verified' | 'delivered';

export interface StoredMessage {
  guid: string;
  srcEid: number;
  dstEid: number;
  nonce: string;
  sender: string;
  receiver: string;
  /** the app message (hex) and its decoded fields, bigint values as decimal strings */
  message: string;
  msgType: number;
  id: string;
  account: string;
  subAccount: number;
  token: string;
  amount: string;
  recipient: string;
  encodedPacket: string;
  status: MessageStatus;
  sentBlock: number;
  sentAt: number;
  deliveredAt?: number;
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
  kind: 'custody-breach' | 'reorg' | 'delivery-failed';
  detail: string;
}

/**
 * A liquidation the keeper started, persisted before each step so a restart resumes it:
 * planned (tx being sent; `txHash` once broadcast) -> submitted (the hub accepted it; for a
 * collateral liquidation its SEIZE is in flight) -> seized (SEIZE executed on the collateral
 * chain) -> settled (the keeper's tokens arrived there). Or dropped (the hub refused: the account
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
  /** receiver's token balance on the collateral chain before the SEIZE (to confirm arrival) */
  receiverBalanceBefore?: string;
  seizedAt?: number;
  seizedBlock?: number;
  settledAt?: number;
}

export interface StoreData {
  checkpoints: Record<string, Checkpoint>;
  messages: Record<string, StoredMessage>;
  accounts: string[];
  alerts: Alert[];
  liquidations: Record<string, LiquidationRecord>;
}

/** What `data` exposes: read-only, so every change goes through a method that marks the store dirty. */
export type StoreView = { readonly [K in keyof StoreData]: Readonly<StoreData[K]> };

export class RelayerStore {
  /**
   * Whether the data changed since the last write; set by every method that changes it (and by
   * `put`ting a record changed in place). Starts set: the first flush writes the file as read.
   */
  private dirty = true;
  /** The latest write, which every flush waits for: data changed before a flush is on disk when it returns. */
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly db: Low<StoreData>) {}

  static async open(dataDir: string): Promise<RelayerStore> {
    mkdirSync(dataDir, { recursive: true });
    const db = new Low<StoreData>(new JSONFile(join(dataDir, 'relayer-store.json')), {
      checkpoints: {},
      messages: {},
      accounts: [],
      alerts: [],
      liquidations: {},
    });
    await db.read();
    db.data.liquidations ??= {};
    return new RelayerStore(db);
  }

  get data(): StoreView {
    return this.db.data;
  }

  /**
   * lowdb writes the whole file atomically (temp file + rename), so a crash never leaves half a
   * store. Nothing is written when nothing changed since the last write; a flush then still waits
   * for that write to land. lowdb serialises the data when the write starts, so a change made
   * while it is in flight marks the store dirty again for the next flush.
   */
  async flush(): Promise<void> {
    if (this.dirty) {
      this.dirty = false;
      this.writing = this.db.write().catch((err: unknown) => {
        this.dirty = true;
        throw err;
      });
    }
    await this.writing;
  }

  checkpoint(eid: number): Checkpoint | undefined {
    return this.db.data.checkpoints[String(eid)];
  }

  setCheckpoint(eid: number, checkpoint: Checkpoint): void {
    this.db.data.checkpoints[String(eid)] = checkpoint;
    this.dirty = true;
  }

  /** Records a packet seen in PacketSent; seeing it again (a rescan) changes nothing. */
  recordSent(m: StoredMessage): boolean {
    if (this.db.data.messages[m.guid]) return false;
    this.db.data.messages[m.guid] = m;
    this.dirty = true;
    return true;
  }

  /** Moves a message forward (sent -> verified -> delivered), never back. */
  advance(guid: string, status: MessageStatus, at = Date.now()): void {
    const m = this.db.data.messages[guid];
    if (!m || RANK[m.status] >= RANK[status]) return;
    this.dirty = true;
    m.status = status;
    if (status === 'delivered') {
      m.deliveredAt = at;
      delete m.lastError;
    }
  }

  recordAttempt(guid: string, error?: string): void {
    const m = this.db.data.messages[guid];
    if (!m) return;
    this.dirty = true;
    m.attempts += 1;
    m.lastAttemptAt = Date.now();
    if (error === undefined) delete m.lastError;
    else m.lastError = error;
  }

  message(guid: string): StoredMessage | undefined {
    return this.db.data.messages[guid];
  }

  messages(): StoredMessage[] {
    return Object.values(this.db.data.messages);
  }

  addAccount(accountId: string): boolean {
    if (this.db.data.accounts.includes(accountId)) return false;
    this.db.data.accounts.push(accountId);
    this.dirty = true;
    return true;
  }

  liquidations(): LiquidationRecord[] {
    return Object.values(this.db.data.liquidations);
  }

  /**
   * Inserts or updates a liquidation record (also one changed in place, as returned by
   * `liquidations()`); callers flush before acting on it.
   */
  putLiquidation(record: LiquidationRecord): void {
    this.db.data.liquidations[record.id] = record;
    this.dirty = true;
  }

  addAlert(alert: Alert): void {
    this.db.data.alerts.push(alert);
    if (this.db.data.alerts.length > 1000) this.db.data.alerts.splice(0, this.db.data.alerts.length - 1000);
    this.dirty = true;
  }
}

const RANK: Record<MessageStatus, number> = { sent: 0, verified: 1, delivered: 2 };
