/**
 * Many reads in one eth_call through Multicall3, which public EVM networks have at its canonical
 * address (the devnet puts it there too). Each call may fail on its own: a failure is an outcome
 * carrying the call's named revert, never an exception for the whole batch.
 */
import type { Abi } from 'abitype';
import type { BlockTag, Provider } from 'ethers';
import { multicall3Abi } from '../abi/multicall3.js';
import { revertReason } from './revert.js';
import { TypedContract, type FnArgs, type FnResult, type ViewName } from './typedContract.js';

export const MULTICALL3_ADDRESS = '0xcA11bde05977b3631167028862bE2a173976CA11';

/** One read to batch: where, what, and how to read its answer. */
export interface BatchCall<R> {
  target: string;
  callData: string;
  decode(returnData: string): R;
  explain(revertData: string): string;
}

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: string };
type Outcomes<T extends ReadonlyArray<BatchCall<unknown>>> = {
  -readonly [K in keyof T]: T[K] extends BatchCall<infer R> ? Outcome<R> : never;
};
type Values<T extends ReadonlyArray<BatchCall<unknown>>> = {
  -readonly [K in keyof T]: T[K] extends BatchCall<infer R> ? R : never;
};

/** A typed read to put in a batch. */
export function batchCall<A extends Abi, N extends ViewName<A>>(
  contract: TypedContract<A>,
  name: N,
  args: FnArgs<A, N>,
): BatchCall<FnResult<A, N>> {
  return {
    target: contract.address,
    callData: contract.encode(name, args),
    decode: (data) => contract.decode(name, data),
    explain: (data) => revertReason({ data }, [contract.interface]),
  };
}

export interface MulticallOptions {
  blockTag?: BlockTag;
  /** calls per eth_call; the batches of one multicall go out together */
  batchSize?: number;
}

export class Multicall {
  private readonly contract: TypedContract<typeof multicall3Abi>;
  /** eth_calls sent, for the relayer's requests-per-pass figure */
  requests = 0;

  constructor(provider: Provider, address = MULTICALL3_ADDRESS) {
    this.contract = new TypedContract(multicall3Abi, address, provider);
  }

  /** Every call's outcome, in order. */
  async all<const T extends ReadonlyArray<BatchCall<unknown>>>(
    calls: T,
    options: MulticallOptions = {},
  ): Promise<Outcomes<T>> {
    const size = options.batchSize ?? 200;
    const chunks: Array<ReadonlyArray<BatchCall<unknown>>> = [];
    for (let i = 0; i < calls.length; i += size) chunks.push(calls.slice(i, i + size));
    const results = await Promise.all(chunks.map((chunk) => this.chunk(chunk, options.blockTag)));
    return results.flat() as Outcomes<T>;
  }

  /** Every call's value, in order; throws with the first failure's reason. */
  async values<const T extends ReadonlyArray<BatchCall<unknown>>>(
    calls: T,
    options: MulticallOptions = {},
  ): Promise<Values<T>> {
    const outcomes = (await this.all(calls, options)) as Array<Outcome<unknown>>;
    return outcomes.map((o, i) => {
      if (!o.ok) throw new Error(`batched call ${i} to ${calls[i]!.target} failed: ${o.error}`);
      return o.value;
    }) as Values<T>;
  }

  /** The block's timestamp, as a call to batch with others (Multicall3.getCurrentBlockTimestamp). */
  blockTimestampCall(): BatchCall<bigint> {
    return batchCall(this.contract, 'getCurrentBlockTimestamp', []);
  }

  private async chunk(
    calls: ReadonlyArray<BatchCall<unknown>>,
    blockTag: BlockTag | undefined,
  ): Promise<Array<Outcome<unknown>>> {
    this.requests++;
    const args = calls.map((c) => ({ target: c.target, allowFailure: true, callData: c.callData }));
    const results = await this.contract.simulate('aggregate3', [args], blockTag === undefined ? {} : { blockTag });
    return results.map((r, i): Outcome<unknown> => {
      const call = calls[i]!;
      if (!r.success) return { ok: false, error: call.explain(r.returnData) };
      try {
        return { ok: true, value: call.decode(r.returnData) };
      } catch (err) {
        // No code at the target answers success with empty data.
        return {
          ok: false,
          error: `undecodable answer from ${call.target}: ${err instanceof Error ? err.message : String(err)}`,
        };
      }
    });
  }
}
