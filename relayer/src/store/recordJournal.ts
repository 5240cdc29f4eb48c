/**
 * Changes to live records, appended as JSON lines beside a lowdb file between two of its writes.
 * The keeper must have a liquidation's transaction hash on disk before it broadcasts the
 * transaction; a lowdb file is rewritten whole, and in a crash it holds thousands of records in
 * flight, so that write took up to two seconds behind the store's other writes, and the
 * liquidations it held back landed blocks late. Appending the records a broadcast sends costs
 * what they are, not what the file holds.
 *
 * Generations keep it short: each write of the lowdb file starts a new journal file and names its
 * generation in the data it writes; once that write is on disk, the older journal files are
 * deleted. At open, only the generations from the one the lowdb file names are replayed, in order,
 * the last line of a record winning: those are the changes made after its snapshot.
 *
 * Durability is the lowdb file's and the archive's: what an append wrote survives the process
 * being killed; a line cut short by a kill was never reported as written, and is ignored.
 */
import { appendFileSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { readRecordLines } from './recordArchive.js';

export class RecordJournal<T extends object> {
  private constructor(
    private readonly dir: string,
    private readonly name: string,
    private generation: number,
  ) {}

  /**
   * Opens the journal `name` in `dir` at generation `from` (the one the lowdb file names):
   * returns the records its files from that generation on hold, in the order appended (the last
   * of an id is its latest), and deletes the older files.
   */
  static open<T extends object>(dir: string, name: string, from: number): { journal: RecordJournal<T>; records: T[] } {
    const records: T[] = [];
    const files = journalFiles(dir, name);
    for (const { generation, file } of files) {
      const path = join(dir, file);
      if (generation < from) {
        unlinkSync(path);
        continue;
      }
      records.push(...readRecordLines<T>(path, readFileSync(path, 'utf8'), 'journal'));
    }
    const newest = Math.max(from, ...files.map((f) => f.generation));
    return { journal: new RecordJournal<T>(dir, name, newest), records };
  }

  /**
   * Appends the records (as they are now) to the current generation, synchronously: a few hundred
   * kilobytes cost a fraction of a millisecond, where an asynchronous append waits for three
   * turns of an event loop that is busy confirming the rest of the pass (200 ms in a crash).
   */
  append(records: readonly T[]): void {
    if (records.length === 0) return;
    appendFileSync(this.path(this.generation), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  /**
   * Starts a new generation, for the lowdb write about to take its snapshot: what is appended from
   * now on is newer than that snapshot. Returns the new generation, for the write to name.
   */
  rotate(): number {
    return ++this.generation;
  }

  /** Deletes the files of the generations before `generation`, once a lowdb write that names it is on disk. */
  dropBefore(generation: number): void {
    for (const f of journalFiles(this.dir, this.name))
      if (f.generation < generation) unlinkSync(join(this.dir, f.file));
  }

  private path(generation: number): string {
    return join(this.dir, `${this.name}.${generation}.jsonl`);
  }
}

/** The journal's files in `dir`, oldest generation first. */
function journalFiles(dir: string, name: string): Array<{ generation: number; file: string }> {
  const pattern = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.jsonl$`);
  return readdirSync(dir)
    .map((file) => ({ file, match: pattern.exec(file) }))
    .filter((f) => f.match !== null)
    .map((f) => ({ generation: Number(f.match![1]), file: f.file }))
    .sort((a, b) => a.generation - b.generation);
}
