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
import { RecordArchive } from './recordArchive.js';
import { RecordJournal } from './recordJournal.js';
import { DurableFile } from './durableFile.js';
import { TieredRecords } from './tieredRecords.js';
import {
  isDropped,
  isFinished,
  type MessageStatus,
  type StoredMessage,
  type Checkpoint,
  type Alert,
  type LiquidationStatus,
  type LiquidationRecord,
  type ChainData,
  type KeeperData,
  RANK,
} from './records.js';

export * from './records.js';

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

const FINISHED: ReadonlySet<LiquidationStatus> = new Set(['settled', 'dropped', 'failed']);

function originKey(srcEid: number, sender: string, nonce: string, receiver: string): string {
  return `${srcEid}:${sender.toLowerCase()}:${nonce}:${receiver.toLowerCase()}`;
}
