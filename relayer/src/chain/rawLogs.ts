/**
 * Logs as the node sends them, and the few fields the indexer needs read straight from their
 * topics and 32-byte data words. A cold start reads every log since deployment, about ten per
 * account; wrapping each in an ethers `Log` and decoding it with the ABI coder (which checksums
 * every address with a keccak) would cost more than everything else the relayer does.
 * `test/unit/rawLogs.test.ts` checks each reader against the ABI coder's decoding.
 */
import { Interface, type InterfaceAbi } from 'ethers';
import type { RpcProvider } from './rpc.js';

export interface RawLog {
  address: string;
  topics: readonly string[];
  data: string;
  blockNumber: number;
  transactionHash: string;
  logIndex: number;
}

/** A log as the node sends it (quantities as hex strings). */
export interface NodeLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  transactionHash: string;
  logIndex: string;
}

/** `eth_getLogs` of these contracts over [from, to], unwrapped. */
export async function getRawLogs(
  provider: RpcProvider,
  addresses: readonly string[],
  from: number,
  to: number,
): Promise<RawLog[]> {
  const logs = (await provider.send('eth_getLogs', [
    { address: addresses, fromBlock: toQuantity(from), toBlock: toQuantity(to) },
  ])) as NodeLog[];
  return logs.map((l) => ({
    address: l.address,
    topics: l.topics,
    data: l.data,
    blockNumber: Number(l.blockNumber),
    transactionHash: l.transactionHash,
    logIndex: Number(l.logIndex),
  }));
}

/** The i-th 32-byte word of a log's data, as 0x-prefixed hex (lower case, as nodes send it). */
export function word(data: string, i: number): string {
  const start = 2 + i * 64;
  if (data.length < start + 64) throw new RangeError(`log data has no word ${i}`);
  return '0x' + data.slice(start, start + 64);
}

/** An address held in a 32-byte word or topic. */
export function wordAddress(w: string): string {
  return '0x' + w.slice(-40);
}

/** A `bytes` argument of the data: `headIndex` is its head word, which holds the offset of its length word. */
export function wordBytes(data: string, headIndex: number): string {
  const offset = Number(BigInt(word(data, headIndex)));
  const length = Number(BigInt('0x' + data.slice(2 + offset * 2, 2 + offset * 2 + 64)));
  const start = 2 + offset * 2 + 64;
  if (data.length < start + length * 2) throw new RangeError('log data ends inside a bytes argument');
  return '0x' + data.slice(start, start + length * 2);
}

/** topic0 of an event of this ABI. */
export function topicOf(abi: InterfaceAbi, eventName: string): string {
  const event = new Interface(abi).getEvent(eventName);
  if (!event) throw new Error(`no event ${eventName} in the ABI`);
  return event.topicHash;
}

/**
 * For every event of an ABI: the topic positions of its indexed parameters whose name matches
 * `names` (e.g. the AccountId parameters of the hub's events). Events with a matching parameter
 * that is not indexed are refused at construction, so none is silently read as having none.
 */
export function indexedParamTopics(abi: InterfaceAbi, names: RegExp, type: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  new Interface(abi).forEachEvent((event) => {
    const positions: number[] = [];
    let topic = 1;
    for (const input of event.inputs) {
      const matches = input.type === type && names.test(input.name);
      if (input.indexed) {
        if (matches) positions.push(topic);
        topic++;
      } else if (matches) {
        throw new Error(`${event.name}.${input.name} is not indexed: it cannot be read from the topics`);
      }
    }
    out.set(event.topicHash, positions);
  });
  return out;
}

function toQuantity(n: number): string {
  return '0x' + n.toString(16);
}
