/**
 * Progress of a long step for a person at a terminal: a bar with the count, the rate and the time
 * left (cli-progress) when the stream is a terminal, a plain line every few seconds when it is
 * not (a log file, CI), and nothing at all for output meant for programs (`--json`).
 */
import { SingleBar } from 'cli-progress';

/** One step being counted. */
export interface ProgressTask {
  /** How many of the step's `total` are done so far. */
  update(done: number): void;
  /** Ends the step: the bar is completed and its line kept. */
  stop(): void;
}

export interface Progress {
  /** Starts counting a step of `total` items, named by `label` and counted in `unit`. */
  start(label: string, total: number, unit: string): ProgressTask;
}

export type ProgressMode = 'terminal' | 'lines' | 'silent';

/** How often the plain-line mode writes, at most. */
const LINE_INTERVAL_MS = 5_000;

const SILENT_TASK: ProgressTask = { update: () => undefined, stop: () => undefined };

/** The mode for `stream`: a bar on a terminal, lines elsewhere, nothing when `silent`. */
export function progressMode(stream: NodeJS.WriteStream, silent = false): ProgressMode {
  if (silent) return 'silent';
  return stream.isTTY ? 'terminal' : 'lines';
}

export function createProgress(stream: NodeJS.WriteStream, mode: ProgressMode = progressMode(stream)): Progress {
  return {
    start(label, total, unit) {
      if (mode === 'silent' || total <= 0) return SILENT_TASK;
      return mode === 'terminal' ? barTask(stream, label, total, unit) : lineTask(stream, label, total, unit);
    },
  };
}

function barTask(stream: NodeJS.WriteStream, label: string, total: number, unit: string): ProgressTask {
  const bar = new SingleBar({
    stream,
    format: `  ${label} [{bar}] {value}/{total} ${unit}, {rate}/s, {eta_formatted} left`,
    hideCursor: true,
    barsize: 24,
    etaBuffer: 20,
    fps: 5,
  });
  const started = performance.now();
  bar.start(total, 0, { rate: '0' });
  return {
    update(done) {
      const perSecond = done / Math.max((performance.now() - started) / 1000, 1e-3);
      bar.update(Math.min(done, total), { rate: formatRate(perSecond) });
    },
    stop() {
      bar.stop();
    },
  };
}

function lineTask(stream: NodeJS.WriteStream, label: string, total: number, unit: string): ProgressTask {
  const started = performance.now();
  let lastLine = started;
  let last = 0;
  let written = -1;
  const write = (done: number) => {
    written = done;
    const perSecond = done / Math.max((performance.now() - started) / 1000, 1e-3);
    const left = perSecond > 0 && done < total ? `, ${Math.ceil((total - done) / perSecond)} s left` : '';
    stream.write(`  ${label}: ${done}/${total} ${unit}, ${formatRate(perSecond)}/s${left}\n`);
  };
  return {
    update(done) {
      last = Math.min(done, total);
      if (performance.now() - lastLine < LINE_INTERVAL_MS) return;
      lastLine = performance.now();
      write(last);
    },
    stop() {
      if (written !== last) write(last);
    },
  };
}

function formatRate(perSecond: number): string {
  return perSecond >= 100 ? Math.round(perSecond).toString() : perSecond.toFixed(1);
}
