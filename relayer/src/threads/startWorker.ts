/**
 * Starts a worker thread on a module that exports `runThread(data, port)`, from the compiled
 * JavaScript or from the TypeScript sources alike (threadEntry.mjs registers tsx for the latter).
 */
import { Worker, type MessagePort } from 'node:worker_threads';

/** What a thread module exports: it answers on `port` until the thread is terminated. */
export type RunThread<D> = (data: D, port: MessagePort) => void;

/** `module` is the thread module's URL, a sibling of the caller's: see `siblingModule`. */
export function startWorker<D>(module: URL, data: D): Worker {
  return new Worker(new URL('./threadEntry.mjs', import.meta.url), { workerData: { script: module.href, data } });
}

/** The module `name` beside `callerUrl` (the caller's `import.meta.url`), with the caller's extension: `.ts` from the sources. */
export function siblingModule(callerUrl: string, name: string): URL {
  const extension = callerUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${extension}`, callerUrl);
}
