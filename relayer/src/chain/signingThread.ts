/**
 * The signing thread (see SigningWorker): ABI-encodes and signs contract calls with one key. A
 * crash pass of the keeper signs a hundred 2 KB liquidation batches; here they are signed on the
 * machine's other core while the keeper confirms the next candidates.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Abi } from 'abitype';
import { hexlify, randomBytes, SigningKey, ZeroAddress } from 'ethers';
import { encodeFunctionData } from 'viem';
import { signEip1559, type Eip1559Request, type SignedTransaction } from './transactionSigner.js';

export interface SigningThreadData {
  privateKey: string;
  /** the ABI the calls are encoded with */
  abi: Abi;
}

/** A transaction to sign whose calldata is a call of the thread's ABI (encoded in the thread). */
export interface UnencodedCall extends Omit<Eip1559Request, 'data'> {
  call: { name: string; args: readonly unknown[] };
}

export interface SignRequest {
  id: number;
  requests: readonly UnencodedCall[];
}

/**
 * The signed transactions of one request, in its order, or why it could not be signed; with when
 * the thread finished it (ms since the epoch, `performance.timeOrigin + performance.now()`).
 */
export type SignAnswer = { id: number; finishedAt: number } & ({ signed: SignedTransaction[] } | { error: string });

/** Transactions signed at start, with a throwaway key: the first crash pass would otherwise sign on cold code, at half speed. */
const WARM_UP = 50;

export function runThread(data: SigningThreadData, port: MessagePort): void {
  warmUp();
  const key = new SigningKey(data.privateKey);
  port.on('message', ({ id, requests }: SignRequest) => {
    let outcome: { signed: SignedTransaction[] } | { error: string };
    try {
      outcome = { signed: requests.map((request) => signCall(key, data.abi, request)) };
    } catch (err) {
      outcome = { error: err instanceof Error ? err.message : String(err) };
    }
    const answer: SignAnswer = { id, finishedAt: performance.timeOrigin + performance.now(), ...outcome };
    port.postMessage(answer);
  });
}

/**
 * Encodes the call (viem's coder, which writes the words directly where ethers' builds each
 * through its generic writer) and signs the transaction that carries it.
 */
export function signCall(key: SigningKey, abi: Abi, { call, ...tx }: UnencodedCall): SignedTransaction {
  return signEip1559(key, { ...tx, data: encodeFunctionData({ abi, functionName: call.name, args: call.args }) });
}

/** Signs WARM_UP batch-sized transactions with a random key, so the signing code is compiled before it is needed. */
function warmUp(): void {
  const key = new SigningKey(randomBytes(32));
  const data = hexlify(randomBytes(1_200));
  for (let nonce = 0; nonce < WARM_UP; nonce++)
    signEip1559(key, {
      chainId: 1,
      nonce,
      to: ZeroAddress,
      data,
      value: 0n,
      gasLimit: 1n,
      maxFeePerGas: 1n,
      maxPriorityFeePerGas: 1n,
    });
}
