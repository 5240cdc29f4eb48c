import type { DurableFile } from './durableFile.js';
import type { RecordArchive } from './recordArchive.js';
import type { RecordJournal } from './recordJournal.js';

/**
 * Records by id in two tiers: the live ones in a map of a lowdb file, the final ones in an
 * append-only archive. A record that becomes final stays in the map until its archive line is
 * written, then leaves it at the next flush; so a crash between the two writes finds it in both,
 * and at open the archive's copy wins (a final one found only in the map is archived then).
 */
export class TieredRecords<D extends object, T extends object> {
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
