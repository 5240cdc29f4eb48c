import { Low } from 'lowdb';
import { DataFile, JSONFile } from 'lowdb/node';

/**
 * One lowdb file. lowdb writes the whole file atomically (temp file + rename), so a crash never
 * leaves half a file. Nothing is written when nothing changed since the last write; a flush then
 * still waits for that write to land. lowdb serialises the data when the write starts, so a
 * change made while it is in flight marks the file dirty again for the next flush.
 */
export class DurableFile<T extends object> {
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
