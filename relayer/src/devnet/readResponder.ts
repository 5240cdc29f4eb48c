/**
 * The devnet's read DVN and read executor, a relayer plugin: answers every lzRead request sent
 * on a chain whose config has `read`, doing what LayerZero's read workers do. For each
 * `PacketSent` through the chain's ReadLib1002 it decodes the command, resolves "as of time T"
 * to the target chain's last block at or before T, waits the request's confirmations, runs the
 * call there at that block, and then, on the requesting chain: `SimpleReadDVN.verify` of the
 * answer's hash, `ReadLib1002.commitVerification`, and `SimpleReadExecutor.execute` with the gas
 * the request's lzRead option carries.
 *
 * It asks the endpoint how far each request got before acting (executed, committed, verified by
 * our DVN), so a restart finds what is left without answering anything twice. Answers to one
 * reader go in nonce order, as the endpoint executes them. Only what HealthReader sends is
 * supported: one request, no compute.
 */
import { concat, keccak256, solidityPacked, zeroPadValue } from 'ethers';
import { endpointV2Abi, readLib1002Abi, simpleReadDvnAbi, simpleReadExecutorAbi } from '@omnichain-collateral/sdk/abi';
import { lzReadGas } from '@omnichain-collateral/sdk/lzOptions';
import { batchCall } from '@omnichain-collateral/sdk/contracts/multicall';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { decodePacket, type PacketV1 } from '@omnichain-collateral/sdk/packet';
import type { ChainClient } from '../chain/clients.js';
import type { MinedReceipt } from '../chain/receipts.js';
import { lzReceiveAlertReason } from '../chain/executionErrors.js';
import { topicOf } from '../chain/rawLogs.js';
import type { ChainConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { Relayer, RelayerPlugin } from '../relayer.js';
import { Loop } from '../services/loop.js';
import { decodeReadCommand, type EvmCallRequest } from './readCommand.js';
import type { DevnetWorker } from './worker.js';

const EMPTY = '0x' + '0'.repeat(64);
const PACKET_SENT = topicOf(endpointV2Abi, 'PacketSent');
const VERIFY_GAS = 120_000n;
const COMMIT_GAS = 250_000n;
const EXECUTOR_OVERHEAD_GAS = 100_000n;
const RECEIPT_TIMEOUT_MS = 20_000;
/** How soon a run looks again at requests still waiting. */
const RETRY_MS = 500;

interface PendingRead {
  packet: PacketV1;
  options: string;
  /** the packet header as the requesting chain verifies it: source and destination swapped */
  header: string;
  cmdHash: string;
  /** resolved once, then reused: the same block gives the same answer */
  answer?: { data: string; block: number };
}

interface ReadChain {
  chain: ChainClient;
  read: NonNullable<ChainConfig['read']>;
  readLib: TypedContract<typeof readLib1002Abi>;
  dvn: TypedContract<typeof simpleReadDvnAbi>;
  executor: TypedContract<typeof simpleReadExecutorAbi>;
  /** the last block whose PacketSent logs were taken in (-1: none yet) */
  scannedTo: number;
  pending: Map<string, PendingRead>;
  loop: Loop;
  retry?: NodeJS.Timeout;
}

export class DevnetReadResponder implements RelayerPlugin {
  readonly name = 'devnet-read-responder';
  private readonly readChains: ReadChain[] = [];
  private chains!: Map<number, ChainClient>;
  private log!: Logger;

  constructor(private readonly worker: DevnetWorker) {}

  attach(relayer: Relayer): void {
    this.chains = relayer.chains;
    this.log = relayer.log;
    for (const chain of relayer.chains.values()) {
      const read = chain.config.read;
      if (!read) continue;
      const rc: ReadChain = {
        chain,
        read,
        readLib: new TypedContract(readLib1002Abi, read.readLib, chain.provider),
        dvn: new TypedContract(simpleReadDvnAbi, read.dvn, chain.provider),
        executor: new TypedContract(simpleReadExecutorAbi, read.executor, chain.provider),
        scannedTo: -1,
        pending: new Map(),
        loop: new Loop(`read:${chain.config.name}`, () => this.run(rc), this.log),
      };
      this.readChains.push(rc);
      chain.heads.onHead(() => rc.loop.trigger());
    }
    // A request waits for its target chain to pass its time and confirmations: the target's new
    // heads may make it answerable.
    for (const chain of relayer.chains.values())
      chain.heads.onHead(() => this.readChains.forEach((rc) => rc.pending.size > 0 && rc.loop.trigger()));
  }

  start(): void {
    for (const rc of this.readChains) rc.loop.trigger();
  }

  async stop(): Promise<void> {
    for (const rc of this.readChains) clearTimeout(rc.retry);
    await Promise.all(this.readChains.map((rc) => rc.loop.stop()));
  }

  async idle(): Promise<void> {
    for (const rc of this.readChains) {
      rc.loop.trigger();
      await rc.loop.idle();
    }
  }

  private async run(rc: ReadChain): Promise<void> {
    await this.scan(rc);
    const bySender = new Map<string, PendingRead[]>();
    for (const p of rc.pending.values()) {
      const reads = bySender.get(p.packet.sender);
      if (reads) reads.push(p);
      else bySender.set(p.packet.sender, [p]);
    }
    for (const reads of bySender.values()) {
      reads.sort((a, b) => (a.packet.nonce < b.packet.nonce ? -1 : 1));
      // The endpoint executes a reader's answers in nonce order: stop at the first not answerable yet.
      for (const r of reads) if (!(await this.answer(rc, r))) break;
    }
    // A request waiting for its time to pass on a chain that mines on demand sees no new head:
    // look again shortly.
    clearTimeout(rc.retry);
    if (rc.pending.size > 0) rc.retry = setTimeout(() => rc.loop.trigger(), RETRY_MS);
  }

  /** Takes in the read requests sent since the last scan. */
  private async scan(rc: ReadChain): Promise<void> {
    const head = await rc.chain.provider.head();
    if (head <= rc.scannedTo) return;
    const logs = await rc.chain.provider.getLogs({
      address: rc.chain.config.endpoint,
      topics: [PACKET_SENT],
      fromBlock: rc.scannedTo + 1,
      toBlock: head,
    });
    for (const log of logs) {
      const sent = rc.chain.endpoint.parseEvent('PacketSent', log);
      if (!sent || sent.sendLibrary.toLowerCase() !== rc.read.readLib.toLowerCase()) continue;
      const packet = decodePacket(sent.encodedPayload);
      if (packet.dstEid !== rc.read.channel) continue;
      rc.pending.set(packet.guid, {
        packet,
        options: sent.options,
        header: answerHeader(packet),
        cmdHash: keccak256(packet.message),
      });
    }
    rc.scannedTo = head;
  }

  /** Takes a request as far as it can go now; false when it must wait (or failed). */
  private async answer(rc: ReadChain, r: PendingRead): Promise<boolean> {
    const { packet } = r;
    const [lazyNonce, committed] = await rc.chain.multicall.values([
      batchCall(rc.chain.endpoint, 'lazyInboundNonce', [packet.receiver, rc.read.channel, packet.sender]),
      batchCall(rc.chain.endpoint, 'inboundPayloadHash', [
        packet.receiver,
        rc.read.channel,
        packet.sender,
        packet.nonce,
      ]),
    ] as const);
    if (packet.nonce <= lazyNonce) {
      rc.pending.delete(packet.guid);
      return true;
    }
    if (!r.answer) {
      let answer: PendingRead['answer'];
      try {
        answer = await this.resolve(packet);
      } catch (err) {
        rc.pending.delete(packet.guid);
        this.log.error(
          { guid: packet.guid, chain: rc.chain.config.name, err: err instanceof Error ? err.message : String(err) },
          'lzRead request not answerable; dropped',
        );
        return false;
      }
      if (!answer) return false;
      r.answer = answer;
    }
    const payloadHash = keccak256(concat([packet.guid, r.answer.data]));
    const txs: Array<{ to: string; data: string; gasLimit: bigint }> = [];
    if (committed === EMPTY) {
      const verified = await rc.readLib.read('hashLookup', [keccak256(r.header), r.cmdHash, rc.dvn.address]);
      if (verified !== payloadHash)
        txs.push({
          to: rc.dvn.address,
          data: rc.dvn.encode('verify', [r.header, r.cmdHash, payloadHash]),
          gasLimit: VERIFY_GAS,
        });
      txs.push({
        to: rc.readLib.address,
        data: rc.readLib.encode('commitVerification', [r.header, r.cmdHash, payloadHash]),
        gasLimit: COMMIT_GAS,
      });
    }
    const { gas } = lzReadGas(r.options);
    const origin = { srcEid: rc.read.channel, sender: packet.sender, nonce: packet.nonce };
    const params = {
      receiver: packet.receiver,
      origin,
      guid: packet.guid,
      message: r.answer.data,
      extraData: '0x',
      gasLimit: gas,
    };
    txs.push({
      to: rc.executor.address,
      data: rc.executor.encode('execute', [params]),
      gasLimit: gas + EXECUTOR_OVERHEAD_GAS,
    });
    const receipt = await this.send(rc, txs);
    const alert = receipt.logs.map((l) => rc.chain.endpoint.parseEvent('LzReceiveAlert', l)).find((a) => a !== null);
    if (receipt.status !== 1 || alert) {
      const reason = alert ? lzReceiveAlertReason(alert) : 'reverted';
      this.log.warn(
        { guid: packet.guid, chain: rc.chain.config.name, reason },
        'lzRead answer not executed; retried at the next head',
      );
      return false;
    }
    rc.pending.delete(packet.guid);
    this.log.info({ guid: packet.guid, chain: rc.chain.config.name, targetBlock: r.answer.block }, 'lzRead answered');
    return true;
  }

  /**
   * The answer to a request: its one call's return data at the resolved block, or undefined until the target chain gets
   * there.
   */
  private async resolve(packet: PacketV1): Promise<{ data: string; block: number } | undefined> {
    const cmd = decodeReadCommand(packet.message);
    if (cmd.requests.length !== 1 || cmd.hasCompute)
      throw new Error(
        `the devnet answers one request without compute; this command has ${cmd.requests.length} and ${cmd.hasCompute ? 'a' : 'no'} compute`,
      );
    const request = cmd.requests[0]!;
    const target = this.chains.get(request.targetEid);
    if (!target) throw new Error(`no chain with endpoint id ${request.targetEid} on this devnet`);
    // One read of the target's head serves both the time resolution and the confirmations.
    const head = await target.provider.getBlock('latest');
    if (!head) return undefined;
    const block = await this.resolveBlock(target, request, head);
    if (block === undefined || head.number < block + request.confirmations) return undefined;
    const data = await target.provider.call({ to: request.to, data: request.callData, blockTag: block });
    return { data, block };
  }

  /**
   * The block a request reads: its number, or the last block stamped at or before its time. That
   * block is known once the chain has a later block, or once the clock is past the time (a chain
   * that mines on demand stamps any new block later than it).
   */
  private async resolveBlock(
    target: ChainClient,
    request: EvmCallRequest,
    head: { number: number; timestamp: number },
  ): Promise<number | undefined> {
    if (request.isBlockNum) return Number(request.blockNumOrTimestamp);
    const time = Number(request.blockNumOrTimestamp);
    if (head.timestamp <= time) return Date.now() / 1000 > time + 1 ? head.number : undefined;
    let lo = 0;
    let hi = head.number; // invariant: block lo is at or before the time (or lo = 0), block hi after it
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      const block = await target.provider.getBlock(mid);
      if (block && block.timestamp <= time) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** Sends `txs` back to back with the relayer key's nonces and waits for the last one's receipt. */
  private async send(rc: ReadChain, txs: Array<{ to: string; data: string; gasLimit: bigint }>): Promise<MinedReceipt> {
    const sender = this.worker.sender(rc.chain.config.eid);
    if (!sender) throw new Error(`${rc.chain.config.name}: the devnet worker has no sender on this chain`);
    let nonce = await sender.nonces.take(txs.length);
    let last: Promise<{ hash: string }> | undefined;
    for (const tx of txs) {
      last = sender.signer.sendTransaction({ ...tx, nonce: nonce++ });
      last.catch(() => sender.nonces.reset());
    }
    try {
      return await sender.receipts.wait((await last!).hash, RECEIPT_TIMEOUT_MS);
    } catch (err) {
      sender.nonces.reset();
      throw err;
    }
  }
}

/**
 * The header the requesting chain verifies an answer under: the request's, with source and
 * destination swapped (the answer comes from the channel to the chain that asked).
 */
export function answerHeader(request: PacketV1): string {
  return solidityPacked(
    ['uint8', 'uint64', 'uint32', 'bytes32', 'uint32', 'bytes32'],
    [1, request.nonce, request.dstEid, request.sender, request.srcEid, zeroPadValue(request.receiver, 32)],
  );
}
