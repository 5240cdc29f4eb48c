/**
 * Records that are final (a delivered message, a settled liquidation), kept in an append-only
 * file of JSON lines beside the store's lowdb files. A lowdb file is rewritten whole at every
 * flush, so a book of 10,000 accounts made each flush serialise and write tens of megabytes of
 * records that would never change again; here a flush appends only the records put since the
 * last one. A record put again (a rare late change) is appended again: on reading, the last line
 * of an id wins, and a file with more lines than records is rewritten once, at open.
 *
 * Durability is lowdb's: what a flush wrote survives the process being killed. A kill during an
 * append can leave the last line cut short; that line was never reported as written, and is
 * ignored when the file is read.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';

export class RecordArchive<T extends object> {
  /** ids put since the last flush began, in the order put */
  private readonly pending = new Set<string>();
  /** the latest append, which the next one waits for so lines land in order */
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly key: (record: T) => string,
    private readonly records: Map<string, T>,
  ) {}

  /** Reads the file (absent: empty), compacting it if records were appended more than once. */
  static open<T extends object>(path: string, key: (record: T) => string): RecordArchive<T> {
    const records = new Map<string, T>();
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    const lines = readRecordLines<T>(path, text, 'archive');
    for (const record of lines) records.set(key(record), record);
    const archive = new RecordArchive(path, key, records);
    if (lines.length > records.size || (text !== '' && !text.endsWith('\n'))) archive.compact();
    return archive;
  }

  get size(): number {
    return this.records.size;
  }

  has(id: string): boolean {
    return this.records.has(id);
  }

  get(id: string): T | undefined {
    return this.records.get(id);
  }

  values(): IterableIterator<T> {
    return this.records.values();
  }

  /** Adds or replaces a record (also one changed in place); it is on disk once a later flush returns. */
  put(record: T): void {
    const id = this.key(record);
    this.records.set(id, record);
    this.pending.add(id);
  }

  /**
   * Appends every record put since the last flush, in one write after the writes before it;
   * returns their ids once they are on disk. A record changed while the write is in flight is
   * put again by its caller and goes with the next flush.
   */
  async flush(): Promise<string[]> {
    const ids = [...this.pending];
    this.pending.clear();
    const previous = this.writing;
    if (ids.length > 0) {
      const text = ids.map((id) => `${JSON.stringify(this.records.get(id))}\n`).join('');
      this.writing = previous.then(
        () => appendFile(this.path, text),
        () => appendFile(this.path, text),
      );
      this.writing.catch(() => ids.forEach((id) => this.pending.add(id)));
    }
    await this.writing;
    return ids;
  }

  /** Rewrites the file with one line per record (a temp file renamed over it: never half a file). */
  private compact(): void {
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, [...this.records.values()].map((r) => `${JSON.stringify(r)}\n`).join(''));
    renameSync(temp, this.path);
  }
}

/**
 * The records of a file of JSON lines, in order. The text after the last newline is a line whose
 * append was cut short by a kill (never reported as written), or nothing: it is ignored. A
 * damaged line before it is refused, naming the file, the line and `what` the file is.
 */
export function readRecordLines<T>(path: string, text: string, what: string): T[] {
  return text
    .split('\n')
    .slice(0, -1)
    .map((line, i) => {
      try {
        return JSON.parse(line) as T;
      } catch {
        throw new Error(`${path}: line ${i + 1} is not a JSON record; the ${what} is damaged`);
      }
    });
}
