/**
 * What a worker thread runs first (see startWorker.ts): it loads the thread's module and hands it
 * its data and port. Run from the TypeScript sources (tsx), a thread does not inherit tsx's
 * loader, so it registers it before importing a `.ts` module.
 */
import { parentPort, workerData } from 'node:worker_threads';

const { script, data } = workerData;
if (script.endsWith('.ts')) (await import('tsx/esm/api')).register();
const { runThread } = await import(script);
runThread(data, parentPort);
