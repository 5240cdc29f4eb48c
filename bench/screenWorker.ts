/**
 * Worker thread for the risk bench: receives the shared risk arrays, accounts and output once,
 * then screens whatever slice of accounts it is asked to. Every buffer is a SharedArrayBuffer,
 * so nothing is copied per round and a price update on the main thread is visible here.
 */
import { parentPort } from 'node:worker_threads';
import {
  screenBook,
  type PackedAccounts,
  type RiskArrays,
  type ScreenOutput,
} from '@omnichain-collateral/sdk/risk/screening';

export type WorkerRequest =
  | { type: 'init'; risk: RiskArrays; accounts: PackedAccounts; out: ScreenOutput }
  | { type: 'screen'; id: number; from: number; to: number };

export type WorkerReply = { type: 'ready' } | { type: 'done'; id: number; candidates: number };

const port = parentPort;
if (!port) throw new Error('screenWorker.ts must run as a worker thread');

let book: { risk: RiskArrays; accounts: PackedAccounts; out: ScreenOutput } | undefined;

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'init') {
    book = { risk: request.risk, accounts: request.accounts, out: request.out };
    port.postMessage({ type: 'ready' } satisfies WorkerReply);
    return;
  }
  if (!book) throw new Error('screen before init');
  const candidates = screenBook(book.risk, book.accounts, book.out, request.from, request.to);
  port.postMessage({ type: 'done', id: request.id, candidates } satisfies WorkerReply);
});
