/**
 * Typed contract calls over ethers: the ABI constants in `sdk/src/abi/` (generated, `as const`)
 * give every function's argument and result types through abitype, so a misspelt function, a
 * missing argument or a wrong result field is a compile error, not a runtime one. Results are
 * plain values shaped as abitype describes them: a struct is an object with its field names, an
 * array an array, an integer of 48 bits or fewer a `number`, wider ones a `bigint`.
 */
import {
  Contract,
  Interface,
  type BlockTag,
  type ContractRunner,
  type ContractTransactionResponse,
  type EventFragment,
  type Log,
  type ParamType,
  type Provider,
  type Result,
} from 'ethers';
import type {
  Abi,
  AbiParametersToPrimitiveTypes,
  ExtractAbiEvent,
  ExtractAbiEventNames,
  ExtractAbiFunction,
  ExtractAbiFunctionNames,
} from 'abitype';
import './register.js';

export type ViewName<A extends Abi> = ExtractAbiFunctionNames<A, 'view' | 'pure'>;
export type WriteName<A extends Abi> = ExtractAbiFunctionNames<A, 'nonpayable' | 'payable'>;
export type FunctionName<A extends Abi> = ExtractAbiFunctionNames<A>;
export type FnArgs<A extends Abi, N extends FunctionName<A>> = AbiParametersToPrimitiveTypes<
  ExtractAbiFunction<A, N>['inputs'],
  'inputs'
>;
type FnOutputs<A extends Abi, N extends FunctionName<A>> = AbiParametersToPrimitiveTypes<
  ExtractAbiFunction<A, N>['outputs'],
  'outputs'
>;
/** A function's result: nothing, its one output, or the tuple of its outputs. */
export type FnResult<A extends Abi, N extends FunctionName<A>> =
  FnOutputs<A, N> extends readonly [] ? void : FnOutputs<A, N> extends readonly [infer Only] ? Only : FnOutputs<A, N>;
export type EventName<A extends Abi> = ExtractAbiEventNames<A>;
/** An event's arguments by name. */
export type EventArgs<A extends Abi, E extends EventName<A>> = {
  [P in ExtractAbiEvent<A, E>['inputs'][number] as P['name'] & string]: AbiParametersToPrimitiveTypes<
    readonly [P],
    'outputs'
  >[0];
};

export interface ReadOptions {
  blockTag?: BlockTag;
}

export interface WriteOptions {
  value?: bigint;
  gasLimit?: bigint;
  nonce?: number;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
}

export class TypedContract<A extends Abi> {
  readonly interface: Interface;
  /** events by name and by topic, computed once (ethers hashes every event signature on each lookup) */
  private events?: {
    byName: Map<string, { event: EventFragment; topic: string }>;
    byTopic: Map<string, EventFragment>;
  };
  /** the ethers contract underneath, for what this class does not wrap (event filters) */
  readonly contract: Contract;

  constructor(
    readonly abi: A,
    readonly address: string,
    readonly runner: ContractRunner | null,
  ) {
    this.interface = new Interface(abi as never);
    this.contract = new Contract(address, this.interface, runner);
  }

  /** The same contract with another runner (a signer to write, a provider to read). */
  connect(runner: ContractRunner | null): TypedContract<A> {
    return new TypedContract(this.abi, this.address, runner);
  }

  get provider(): Provider {
    const provider = this.runner?.provider ?? null;
    if (!provider) throw new Error(`contract ${this.address} has no provider to read with`);
    return provider;
  }

  /** Calls a view or pure function (eth_call), at `blockTag` if given. */
  read<N extends ViewName<A>>(name: N, args: FnArgs<A, N>, options: ReadOptions = {}): Promise<FnResult<A, N>> {
    return this.simulate(name, args, options);
  }

  /** What any function would return (eth_call), without sending a transaction. */
  async simulate<N extends FunctionName<A>>(
    name: N,
    args: FnArgs<A, N>,
    options: ReadOptions & { from?: string; value?: bigint } = {},
  ): Promise<FnResult<A, N>> {
    const data = this.encode(name, args);
    const { blockTag, from, value } = options;
    const raw = await this.provider.call({
      to: this.address,
      data,
      ...(blockTag !== undefined ? { blockTag } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(value !== undefined ? { value } : {}),
    });
    return this.decode(name, raw);
  }

  /** Sends a transaction calling a state-changing function; resolves once it is broadcast. */
  async write<N extends WriteName<A>>(
    name: N,
    args: FnArgs<A, N>,
    options: WriteOptions = {},
  ): Promise<ContractTransactionResponse> {
    return (await this.contract.getFunction(name)(
      ...(args as readonly unknown[]),
      options,
    )) as ContractTransactionResponse;
  }

  /** Sends and waits for the receipt; a revert throws with its named error (see revertReason). */
  async send<N extends WriteName<A>>(name: N, args: FnArgs<A, N>, options: WriteOptions = {}): Promise<void> {
    await (await this.write(name, args, options)).wait();
  }

  async estimateGas<N extends WriteName<A>>(name: N, args: FnArgs<A, N>, options: WriteOptions = {}): Promise<bigint> {
    return this.contract.getFunction(name).estimateGas(...(args as readonly unknown[]), options);
  }

  /** Calldata for a call (to batch it through Multicall3). */
  encode<N extends FunctionName<A>>(name: N, args: FnArgs<A, N>): string {
    return this.interface.encodeFunctionData(name, args as readonly unknown[]);
  }

  /** A call's return data, decoded and shaped. */
  decode<N extends FunctionName<A>>(name: N, data: string): FnResult<A, N> {
    return this.fromResult(name, this.interface.decodeFunctionResult(name, data));
  }

  /** A log of this contract's event `name`, its arguments by name; null for any other log. */
  parseEvent<E extends EventName<A>>(
    name: E,
    log: { topics: readonly string[]; data: string },
  ): EventArgs<A, E> | null {
    const known = this.eventTable().byName.get(name);
    if (!known || log.topics[0] !== known.topic) return null;
    const event = known.event;
    const decoded = this.interface.decodeEventLog(event, log.data, log.topics);
    return Object.fromEntries(event.inputs.map((p, i) => [p.name, plain(decoded[i], p)])) as EventArgs<A, E>;
  }

  /** Any log of this contract's events: its name and raw decoded arguments; null for a log of no event it knows. */
  decodeAnyEvent(log: { topics: readonly string[]; data: string }): { event: EventFragment; args: Result } | null {
    const event = log.topics[0] ? this.eventTable().byTopic.get(log.topics[0]) : undefined;
    if (!event) return null;
    try {
      return { event, args: this.interface.decodeEventLog(event, log.data, log.topics) };
    } catch {
      return null;
    }
  }

  private eventTable(): NonNullable<TypedContract<A>['events']> {
    if (!this.events) {
      const byName = new Map<string, { event: EventFragment; topic: string }>();
      const byTopic = new Map<string, EventFragment>();
      this.interface.forEachEvent((event) => {
        const topic = event.topicHash; // a getter that hashes each time: computed once here
        byName.set(event.name, { event, topic });
        byTopic.set(topic, event);
      });
      this.events = { byName, byTopic };
    }
    return this.events;
  }

  /** Logs of event `name` whose first indexed argument is `first` (if given), from `fromBlock`. */
  async queryEvent<E extends EventName<A>>(name: E, first: string | null, fromBlock: number): Promise<Log[]> {
    const event = this.interface.getEvent(name);
    if (!event) throw new Error(`no event ${name}`);
    const topics = this.interface.encodeFilterTopics(event, first === null ? [] : [first]);
    return this.provider.getLogs({ address: this.address, topics, fromBlock });
  }

  private fromResult<N extends FunctionName<A>>(name: N, result: readonly unknown[]): FnResult<A, N> {
    const outputs = this.interface.getFunction(name)!.outputs;
    const values = outputs.map((p, i) => plain(result[i], p));
    return (outputs.length === 0 ? undefined : outputs.length === 1 ? values[0] : values) as FnResult<A, N>;
  }
}

/** An ethers decoded value as abitype types it: structs as objects, small integers as numbers. */
function plain(value: unknown, type: ParamType): unknown {
  if (type.isArray()) return (value as readonly unknown[]).map((v) => plain(v, type.arrayChildren));
  if (type.isTuple()) {
    const parts = type.components.map((c, i) => plain((value as readonly unknown[])[i], c));
    if (type.components.every((c) => c.name))
      return Object.fromEntries(type.components.map((c, i) => [c.name, parts[i]]));
    return parts;
  }
  const bits = /^u?int(\d*)$/.exec(type.baseType);
  if (bits && Number(bits[1] || 256) <= 48) return Number(value as bigint);
  return value;
}
