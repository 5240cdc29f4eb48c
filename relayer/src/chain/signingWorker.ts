/**
 * Signs a contract's calls on a worker thread (signingThread.ts), so a sender that signs many at
 * once (the keeper, in a crash) keeps its own thread for deciding what to send. Requests are
 * answered in the order they were made. A thread that fails fails the requests it holds, and the
 * next request starts a new one.
 */
import type { Worker } from 'node:worker_threads';
import type { Abi } from 'abitype';
import type { FnArgs, WriteName } from '@omnichain-collateral/sdk/contracts/typedContract';
import { siblingModule, startWorker } from '../threads/startWorker.js';
import type { SignAnswer, SignRequest, SigningThreadData, UnencodedCall } from './signingThread.js';
import type { Eip1559Request, SignedTransaction } from './transactionSigner.js';

/** A write call of `A`, by name and typed arguments. */
export type ContractCall<A extends Abi> = {
  [N in WriteName<A>]: { name: N; args: FnArgs<A, N> };
}[WriteName<A>];

/** A transaction to sign, carrying a call of `A` (encoded on the thread). */
export interface CallTransaction<A extends Abi> extends Omit<Eip1559Request, 'data'> {
  call: ContractCall<A>;
}

/** One request's transactions, signed in its order, and when the thread finished them (ms since the epoch). */
export interface SignedBatch {
  transactions: SignedTransaction[];
  finishedAt: number;
}

export class SigningWorker<A extends Abi> {
  private worker?: Worker;
  private readonly pending = new Map<number, { resolve: (batch: SignedBatch) => void; reject: (err: Error) => void }>();
  private nextId = 0;

  constructor(
    private readonly privateKey: string,
    private readonly abi: A,
  ) {}

  /**
   * Starts the thread now, if it is not running: loading it takes about half a second, which
   * the first request would otherwise wait for.
   */
  warm(): void {
    this.worker ??= this.start();
  }

  /** The transactions signed, in their order: raw bytes and hash of each. */
  sign(transactions: ReadonlyArray<CallTransaction<A>>): Promise<SignedBatch> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Kept alive only while it owes answers: an idle thread never holds the process open.
      if (this.pending.size === 1) worker.ref();
      const request: SignRequest = { id, requests: transactions as readonly UnencodedCall[] };
      worker.postMessage(request);
    });
  }

  /** Ends the thread; requests it still held fail. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.stopped(worker, new Error('the signing thread was closed'));
    await worker.terminate();
  }

  private start(): Worker {
    const data: SigningThreadData = { privateKey: this.privateKey, abi: this.abi };
    const worker = startWorker(siblingModule(import.meta.url, 'signingThread'), data);
    worker.unref();
    worker.on('message', (answer: SignAnswer) => this.answer(worker, answer));
    worker.on('error', (err) => this.stopped(worker, err));
    worker.on('exit', (code) => this.stopped(worker, new Error(`the signing thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private answer(worker: Worker, answer: SignAnswer): void {
    const request = this.pending.get(answer.id);
    if (!request) return;
    this.pending.delete(answer.id);
    if (this.pending.size === 0) worker.unref();
    if ('signed' in answer) request.resolve({ transactions: answer.signed, finishedAt: answer.finishedAt });
    else request.reject(new Error(`signing failed: ${answer.error}`));
  }

  /** The thread is gone: what it held fails, and the next request starts another. */
  private stopped(worker: Worker, err: Error): void {
    if (this.worker !== worker) return;
    delete this.worker;
    for (const { reject } of this.pending.values()) reject(err);
    this.pending.clear();
  }
}
