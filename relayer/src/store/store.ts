/**
 * The relayer's durable state, in two lowdb JSON files in the data directory:
 * - `relayer-store.json`: per-chain checkpoints, the cross-chain messages not yet delivered with
 *   their delivery state, the accounts known, alerts. Everything in it can be re-derived from the
 *   chains; it exists so a restart resumes where it stopped instead of rescanning.
 * - `liquidations.json`: the keeper's unfinished liquidation records. Kept apart so that its
 *   writes hold a few records, not the book's messages. What the keeper must have on disk before
 *   a broadcast (its records with their transaction hashes) is appended to
 *   `liquidations-journal.<generation>.jsonl` instead of rewriting the file (recordJournal.ts).
 * Each has an append-only archive beside it for the records that are final, so a lowdb file
 * holds the work in progress, not the history, and a flush costs what is in flight, not what
 * the book ever did (recordArchive.ts): `messages-finished.jsonl` and `liquidations-finished.jsonl`.
 * A final record stays in its lowdb file until its archive line is written, so a crash between
 * the two writes finds it in both, and the archive's copy wins.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DataFile, JSONFile } from 'lowdb/node';
import { RecordArchive } from './recordArchive.js';
import { RecordJournal } from './recordJournal.js';

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

export class RelayerStore {
  private readonly chain: DurableFile<ChainData>;
  private readonly messageTiers: TieredRecords<ChainData, StoredMessage>;
  private readonly liquidationTiers: TieredRecords<KeeperData, LiquidationRecord>;
  private readonly accountSet: Set<string>;
  /** guids of messages not yet delivered: what the deliverer and the API ask for, without a scan of every message */
  private readonly undelivered = new Set<string>();
  /**
   * guids of messages the receiving OApp's delegate dropped (cleared, skipped, burnt): tokens no ledger accounts for
   */
  private readonly droppedSet = new Set<string>();
  /** guid by origin (srcEid, sender, nonce, receiver): how PacketVerified/PacketDelivered name a packet */
  private readonly byOrigin = new Map<string, string>();
  /** ids of liquidation records not finished (planned, submitted, seized): what each keeper pass looks at */
  private readonly unfinished = new Set<string>();
  /** record ids by their SEIZE's guid: a batch liquidation's records share one SEIZE */
  private readonly bySeizeGuid = new Map<string, Set<string>>();

  private constructor(
    chain: DurableFile<ChainData>,
    keeper: DurableFile<KeeperData>,
    finishedMessages: RecordArchive<StoredMessage>,
    finishedLiquidations: RecordArchive<LiquidationRecord>,
    liquidationJournal: RecordJournal<LiquidationRecord>,
  ) {
    this.chain = chain;
    this.messageTiers = new TieredRecords(
      chain,
      chain.data.messages,
      finishedMessages,
      (m) => m.guid,
      (m) => isFinished(m.status),
    );
    this.liquidationTiers = new TieredRecords(
      keeper,
      keeper.data.liquidations,
      finishedLiquidations,
      (l) => l.id,
      (l) => FINISHED.has(l.status),
      { journal: liquidationJournal, generation: (data, g) => (data.journal = g) },
    );
    this.accountSet = new Set(chain.data.accounts);
    for (const m of this.messages()) {
      if (!isFinished(m.status)) this.undelivered.add(m.guid);
      if (isDropped(m.status)) this.droppedSet.add(m.guid);
      this.byOrigin.set(originKey(m.srcEid, m.sender, m.nonce, m.receiver), m.guid);
    }
    for (const l of this.liquidations()) this.index(l);
  }

  static async open(dataDir: string): Promise<RelayerStore> {
    mkdirSync(dataDir, { recursive: true });
    const chain = await DurableFile.open<ChainData>(join(dataDir, 'relayer-store.json'), {
      checkpoints: {},
      earlyStatus: {},
      earlyVerifiedBlock: {},
      messages: {},
      accounts: [],
      alerts: [],
    });
    // Thousands of records in flight during a crash: compact JSON. What a broadcast needs on disk
    // first is appended to the journal, and replayed over this file's snapshot at open.
    const keeper = await DurableFile.open<KeeperData>(
      join(dataDir, 'liquidations.json'),
      { liquidations: {}, journal: 0 },
      true,
    );
    const { journal, records } = RecordJournal.open<LiquidationRecord>(
      dataDir,
      'liquidations-journal',
      keeper.data.journal,
    );
    for (const record of records) keeper.data.liquidations[record.id] = record;
    return new RelayerStore(
      chain,
      keeper,
      RecordArchive.open<StoredMessage>(join(dataDir, 'messages-finished.jsonl'), (m) => m.guid),
      RecordArchive.open<LiquidationRecord>(join(dataDir, 'liquidations-finished.jsonl'), (l) => l.id),
      journal,
    );
  }

  /** Every account the relayer has seen, in the order it first saw them (read-only: add with `addAccount`). */
  accounts(): readonly string[] {
    return this.chain.data.accounts;
  }

  /** The latest alerts, oldest first (at most 1,000). */
  alerts(): readonly Alert[] {
    return this.chain.data.alerts;
  }

  /** Writes whatever changed, in every file. */
  async flush(): Promise<void> {
    await Promise.all([this.messageTiers.flush(), this.liquidationTiers.flush()]);
  }

  /** Writes the liquidation records only (small: the keeper flushes before each irreversible step). */
  async flushLiquidations(): Promise<void> {
    await this.liquidationTiers.flush();
  }

  /**
   * Puts these liquidation records and appends them, as they are now, to the keeper's journal:
   * what a broadcast needs on disk is its records with their transaction hashes, which costs what
   * they are, not what the lowdb file holds, and waits behind no other write of the store.
   */
  journalLiquidations(records: readonly LiquidationRecord[]): void {
    for (const record of records) this.putLiquidation(record);
    this.liquidationTiers.journal(records);
  }

  checkpoint(eid: number): Checkpoint | undefined {
    return this.chain.data.checkpoints[String(eid)];
  }

  setCheckpoint(eid: number, checkpoint: Checkpoint): void {
    this.chain.data.checkpoints[String(eid)] = checkpoint;
    this.chain.dirty = true;
  }

  /** Records a packet seen in PacketSent; seeing it again (a rescan) changes nothing. */
  recordSent(m: StoredMessage): boolean {
    if (this.message(m.guid)) return false;
    this.messageTiers.put(m);
    if (!isFinished(m.status)) this.undelivered.add(m.guid);
    const key = originKey(m.srcEid, m.sender, m.nonce, m.receiver);
    this.byOrigin.set(key, m.guid);
    this.chain.dirty = true;
    const early = this.chain.data.earlyStatus[key];
    if (early) {
      delete this.chain.data.earlyStatus[key];
      this.advance(m.guid, early);
    }
    const verifiedBlock = this.chain.data.earlyVerifiedBlock[key];
    if (verifiedBlock !== undefined) {
      delete this.chain.data.earlyVerifiedBlock[key];
      m.verifiedBlock = verifiedBlock;
    }
    return true;
  }

  /**
   * Moves the packet with this origin forward; one not recorded yet (its source chain is indexed
   * behind its destination) is moved when it is. Returns the message if it is known.
   */
  advanceByOrigin(
    srcEid: number,
    sender: string,
    nonce: string,
    receiver: string,
    status: MessageStatus,
    block?: number,
  ): StoredMessage | undefined {
    const key = originKey(srcEid, sender, nonce, receiver);
    const guid = this.byOrigin.get(key);
    if (guid) {
      this.advance(guid, status);
      const m = this.message(guid)!;
      if (status === 'verified' && block !== undefined && m.verifiedBlock === undefined) {
        m.verifiedBlock = block;
        this.messageTiers.put(m);
      }
      return m;
    }
    const early = this.chain.data.earlyStatus[key];
    if (!early || RANK[early] < RANK[status]) {
      this.chain.data.earlyStatus[key] = status;
      this.chain.dirty = true;
    }
    if (status === 'verified' && block !== undefined && this.chain.data.earlyVerifiedBlock[key] === undefined) {
      this.chain.data.earlyVerifiedBlock[key] = block;
      this.chain.dirty = true;
    }
    return undefined;
  }

  /** Moves a message forward (sent -> verified -> delivered or dropped), never back. */
  advance(guid: string, status: MessageStatus): void {
    const m = this.message(guid);
    if (!m || RANK[m.status] >= RANK[status]) return;
    m.status = status;
    if (isDropped(status)) this.droppedSet.add(guid);
    if (isFinished(status)) {
      this.undelivered.delete(guid);
      m.deliveredAt = Date.now();
      delete m.lastError;
    }
    this.messageTiers.put(m);
  }

  /**
   * The delegate nilified the packet with this origin (PacketNilified): a verified one goes back
   * to waiting for a verification, the only way a message moves back.
   */
  nilifyByOrigin(srcEid: number, sender: string, nonce: string, receiver: string): StoredMessage | undefined {
    const key = originKey(srcEid, sender, nonce, receiver);
    const guid = this.byOrigin.get(key);
    if (!guid) {
      if (this.chain.data.earlyStatus[key] === 'verified') delete this.chain.data.earlyStatus[key];
      delete this.chain.data.earlyVerifiedBlock[key];
      this.chain.dirty = true;
      return undefined;
    }
    const m = this.message(guid)!;
    if (m.status !== 'verified') return m;
    m.status = 'sent';
    delete m.verifiedBlock;
    this.messageTiers.put(m);
    return m;
  }

  recordAttempt(guid: string, error?: string): void {
    const m = this.message(guid);
    if (!m) return;
    m.attempts += 1;
    m.lastAttemptAt = Date.now();
    if (error === undefined) delete m.lastError;
    else m.lastError = error;
    this.messageTiers.put(m);
  }

  /**
   * An execution of `guid` failed on its destination (the executor's LzReceiveAlert): its reason,
   * without counting an attempt of ours.
   */
  noteExecutionFailure(guid: string, reason: string): void {
    const m = this.message(guid);
    if (!m || isFinished(m.status)) return;
    m.lastError = reason;
    this.messageTiers.put(m);
  }

  message(guid: string): StoredMessage | undefined {
    return this.messageTiers.get(guid);
  }

  /** Messages sent and not yet delivered. */
  inFlight(): StoredMessage[] {
    return [...this.undelivered].map((guid) => this.message(guid)!);
  }

  /** Messages the receiving OApp's delegate dropped: they will never execute. */
  dropped(): StoredMessage[] {
    return [...this.droppedSet].map((guid) => this.message(guid)!);
  }

  /** Every message, finished ones first. */
  messages(): StoredMessage[] {
    return this.messageTiers.all();
  }

  addAccount(accountId: string): boolean {
    if (this.accountSet.has(accountId)) return false;
    this.accountSet.add(accountId);
    this.chain.data.accounts.push(accountId);
    this.chain.dirty = true;
    return true;
  }

  /** Every liquidation record, finished ones first. */
  liquidations(): LiquidationRecord[] {
    return this.liquidationTiers.all();
  }

  /**
   * Inserts or updates a liquidation record (also one changed in place, as returned by
   * `liquidations()`); callers flush before acting on it.
   */
  putLiquidation(record: LiquidationRecord): void {
    this.liquidationTiers.put(record);
    this.index(record);
  }

  private liquidation(id: string): LiquidationRecord {
    return this.liquidationTiers.get(id)!;
  }

  /** Records not settled, dropped or failed, without a scan of every record. */
  unfinishedLiquidations(): LiquidationRecord[] {
    return [...this.unfinished].map((id) => this.liquidation(id));
  }

  /** The records whose SEIZE has this guid: one, or every account of a batch liquidation. */
  liquidationsBySeize(guid: string): LiquidationRecord[] {
    return [...(this.bySeizeGuid.get(guid) ?? [])].map((id) => this.liquidation(id));
  }

  private index(record: LiquidationRecord): void {
    if (FINISHED.has(record.status)) this.unfinished.delete(record.id);
    else this.unfinished.add(record.id);
    if (record.guid) {
      const ids = this.bySeizeGuid.get(record.guid);
      if (ids) ids.add(record.id);
      else this.bySeizeGuid.set(record.guid, new Set([record.id]));
    }
  }

  addAlert(alert: Alert): void {
    this.chain.data.alerts.push(alert);
    if (this.chain.data.alerts.length > 1000) this.chain.data.alerts.splice(0, this.chain.data.alerts.length - 1000);
    this.chain.dirty = true;
  }
}

/**
 * One lowdb file. lowdb writes the whole file atomically (temp file + rename), so a crash never
 * leaves half a file. Nothing is written when nothing changed since the last write; a flush then
 * still waits for that write to land. lowdb serialises the data when the write starts, so a
 * change made while it is in flight marks the file dirty again for the next flush.
 */
class DurableFile<T extends object> {
  /** Whether the data changed since the last write. Starts set: the first flush writes the file as read. */
  dirty = true;
  /** The latest write, which every flush waits for: data changed before a flush is on disk when it returns. */
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly db: Low<T>) {}

  /** `compact`: written without indentation (a third of the bytes, and faster to serialise). */
  static async open<T extends object>(path: string, empty: T, compact = false): Promise<DurableFile<T>> {
    const adapter = compact
      ? new DataFile<T>(path, { parse: (text) => JSON.parse(text) as T, stringify: (data) => JSON.stringify(data) })
      : new JSONFile<T>(path);
    const db = new Low<T>(adapter, empty);
    await db.read();
    db.data = { ...empty, ...db.data };
    return new DurableFile(db);
  }

  get data(): T {
    return this.db.data;
  }

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
}

const FINISHED: ReadonlySet<LiquidationStatus> = new Set(['settled', 'dropped', 'failed']);

/**
 * Records by id in two tiers: the live ones in a map of a lowdb file, the final ones in an
 * append-only archive. A record that becomes final stays in the map until its archive line is
 * written, then leaves it at the next flush; so a crash between the two writes finds it in both,
 * and at open the archive's copy wins (a final one found only in the map is archived then).
 */
class TieredRecords<D extends object, T extends object> {
  constructor(
    private readonly file: DurableFile<D>,
    private readonly live: Record<string, T>,
    private readonly archive: RecordArchive<T>,
    private readonly key: (record: T) => string,
    private readonly isFinal: (record: T) => boolean,
    /** the journal of changes between two writes of the file, and where the file names its generation */
    private readonly journaled?: { journal: RecordJournal<T>; generation: (data: D, generation: number) => void },
  ) {
    for (const [id, record] of Object.entries(live)) {
      if (archive.has(id)) delete live[id];
      else if (isFinal(record)) archive.put(record);
    }
  }

  get(id: string): T | undefined {
    return this.archive.get(id) ?? this.live[id];
  }

  /** Every record, final ones first. */
  all(): T[] {
    const all = [...this.archive.values()];
    for (const [id, record] of Object.entries(this.live)) if (!this.archive.has(id)) all.push(record);
    return all;
  }

  /** Inserts or updates a record (also one changed in place): written at the next flush. */
  put(record: T): void {
    const id = this.key(record);
    if (this.isFinal(record)) {
      this.archive.put(record);
      if (!this.live[id]) return;
    }
    this.live[id] = record;
    this.file.dirty = true;
  }

  /**
   * Appends what became final, drops what the archive now holds from the map, and writes the
   * lowdb file; with a journal, the write starts a new generation and, once on disk, the older
   * journal files go.
   */
  async flush(): Promise<void> {
    for (const id of await this.archive.flush())
      if (this.live[id]) {
        delete this.live[id];
        this.file.dirty = true;
      }
    if (!this.journaled || !this.file.dirty) return this.file.flush();
    // The file's snapshot is taken in the same tick as the rotation: what the journal gets from
    // now on is newer than it.
    const generation = this.journaled.journal.rotate();
    this.journaled.generation(this.file.data, generation);
    await this.file.flush();
    this.journaled.journal.dropBefore(generation);
  }

  /** Appends the records to the journal (they must have been put): on disk when it returns. */
  journal(records: readonly T[]): void {
    if (!this.journaled) throw new Error('these records have no journal');
    this.journaled.journal.append(records);
  }
}

const RANK: Record<MessageStatus, number> = { sent: 0, verified: 1, delivered: 2, cleared: 2, skipped: 2, burnt: 2 };

function originKey(srcEid: number, sender: string, nonce: string, receiver: string): string {
  return `${srcEid}:${sender.toLowerCase()}:${nonce}:${receiver.toLowerCase()}`;
}
