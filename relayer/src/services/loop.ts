/**
 * How each service runs: its work runs when something it watches happens (a new block, a new
 * message), one run at a time; what happens during a run is coalesced into one more run after
 * it, so a service never queues up behind itself and never blocks another.
 */
import type { Logger } from '../log.js';

export class Loop {
  private pending = false;
  private running?: Promise<void>;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;
  /** completed runs, and the duration (ms) of the latest */
  runs = 0;
  lastRunMs = 0;

  constructor(
    readonly name: string,
    private readonly work: () => Promise<void>,
    private readonly log: Logger,
    /** after a failed run, run again this much later even if nothing triggers it */
    private readonly retryMs = 1_000,
  ) {}

  trigger(): void {
    if (this.stopped) return;
    this.pending = true;
    this.running ??= this.drain();
  }

  /** The runs under way (with those coalesced after them), or undefined when none is: for another service to give way. */
  get busy(): Promise<void> | undefined {
    return this.running;
  }

  /** Resolves when no run is in progress or pending. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.idle();
  }

  private async drain(): Promise<void> {
    await Promise.resolve(); // so `running` is set before this can finish
    try {
      while (this.pending && !this.stopped) {
        this.pending = false;
        const started = performance.now();
        try {
          await this.work();
          this.runs++;
        } catch (err) {
          if (this.stopped) break;
          this.log.warn(
            { service: this.name, err: err instanceof Error ? err.message : String(err) },
            'service run failed; will retry',
          );
          clearTimeout(this.retryTimer);
          this.retryTimer = setTimeout(() => this.trigger(), this.retryMs);
        }
        this.lastRunMs = performance.now() - started;
      }
    } finally {
      delete this.running;
    }
  }
}

/** Triggers `loop` every `ms` until stopped: for work that no chain event starts. */
export function every(ms: number, loop: Loop): () => void {
  const timer = setInterval(() => loop.trigger(), ms);
  return () => clearInterval(timer);
}
