/**
 * The devnet's DVN and executor, a relayer plugin: delivers every packet the indexers recorded
 * and the destination has not executed, on its destination (SimpleMessageLib.validatePacket,
 * then EndpointV2.lzReceive). One loop per destination chain, run when a packet for it is
 * recorded and at its new heads (for retries), so a chain that stops answering delays only the
 * packets to it.
 *
 * Each run asks the destination endpoint, in one Multicall3 call, what is already verified or
 * executed, then sends the missing verifications and executions back to back with explicit gas
 * and nonces (a packet's execution lands in the same block as its verification) and only then
 * waits for the receipts. Asking first makes a crash at any point, including between verify and
 * execute, never deliver twice. A reverted execution is retried with exponential backoff and its
 * named reason recorded.
 */
import { keccak256, Wallet } from 'ethers';
import { endpointV2Abi, simpleMessageLibAbi } from '../../../sdk/src/abi/index.js';
import { batchCall } from '../../../sdk/src/contracts/multicall.js';
import { revertReason } from '../../../sdk/src/contracts/revert.js';
import { TypedContract } from '../../../sdk/src/contracts/typedContract.js';
import { decodePacket, type PacketV1 } from '../../../sdk/src/packet.js';
import type { Interface } from 'ethers';
import type { ChainClient } from '../chain/clients.js';
import { Nonces } from '../chain/nonces.js';
import { ReceiptWatcher } from '../chain/receipts.js';
import type { Logger } from '../log.js';
import type { RelayerMetrics } from '../metrics.js';
import type { Relayer, RelayerPlugin } from '../relayer.js';
import { Loop } from '../services/loop.js';
import type { RelayerStore, StoredMessage } from '../store/store.js';

export interface WorkerOptions {
  maxAttempts: number;
  backoffMs: number;
  /** packets delivered per run and destination */
  batch: number;
}

/** Gas for the two delivery calls. lzReceive of this project's messages uses under 200k; the rest is headroom. */
const VERIFY_GAS = 250_000n;
const EXECUTE_GAS = 1_000_000n;
const EMPTY = '0x' + '0'.repeat(64);
/** How long a run waits for a delivery to be mined before it lets the next run ask the endpoint again. */
const RECEIPT_TIMEOUT_MS = 20_000;

interface Destination {
  chain: ChainClient;
  endpoint: TypedContract<typeof endpointV2Abi>;
  lib: TypedContract<typeof simpleMessageLibAbi>;
  signer: Wallet;
  nonces: Nonces;
  receipts: ReceiptWatcher;
  loop: Loop;
  retry?: NodeJS.Timeout;
}

export class DevnetWorker implements RelayerPlugin {
  readonly name = 'devnet-worker';
  private readonly destinations = new Map<number, Destination>();
  private store!: RelayerStore;
  private log!: Logger;
  private metrics!: RelayerMetrics;
  private errorAbis: Interface[] = [];

  constructor(
    private readonly relayerKey: string,
    private readonly options: WorkerOptions = { maxAttempts: 8, backoffMs: 500, batch: 150 },
  ) {}

  attach(relayer: Relayer): void {
    this.store = relayer.store;
    this.log = relayer.log;
    this.metrics = relayer.metrics;
    this.errorAbis = [relayer.reader.hub.interface, relayer.reader.engine.interface];
    for (const chain of relayer.chains.values()) {
      if (!chain.config.messageLib) throw new Error(`${chain.config.name}: the devnet worker needs the chain's messageLib`);
      const signer = new Wallet(this.relayerKey, chain.provider);
      const dst: Destination = {
        chain,
        endpoint: chain.endpoint.connect(signer),
        lib: new TypedContract(simpleMessageLibAbi, chain.config.messageLib, signer),
        signer,
        nonces: new Nonces(signer),
        receipts: new ReceiptWatcher(chain.provider, chain.heads),
        loop: new Loop(`deliver:${chain.config.name}`, () => this.run(dst), this.log),
      };
      this.destinations.set(chain.config.eid, dst);
      // New blocks on the destination: whatever waits for it may be due (run() finds out).
      chain.heads.onHead(() => dst.loop.trigger());
    }
    relayer.onPackets((messages) => {
      for (const m of messages) if (m.status !== 'delivered') this.destinations.get(m.dstEid)?.loop.trigger();
    });
  }

  start(): void {
    for (const d of this.destinations.values()) d.loop.trigger();
  }

  async stop(): Promise<void> {
    for (const d of this.destinations.values()) {
      clearTimeout(d.retry);
      d.receipts.stop();
    }
    await Promise.all([...this.destinations.values()].map((d) => d.loop.stop()));
  }

  async idle(): Promise<void> {
    for (const d of this.destinations.values()) {
      d.loop.trigger();
      await d.loop.idle();
    }
  }

  /** Packets to `dstEid` not delivered, due for an attempt, in source nonce order. */
  private pending(dstEid: number, now = Date.now()): StoredMessage[] {
    return this.store
      .inFlight()
      .filter((m) => m.dstEid === dstEid && m.attempts < this.options.maxAttempts)
      .filter((m) => m.lastAttemptAt === undefined || now - m.lastAttemptAt >= this.options.backoffMs * 2 ** (m.attempts - 1))
      .sort((a, b) => a.srcEid - b.srcEid || (a.nonce.length - b.nonce.length || (a.nonce < b.nonce ? -1 : a.nonce > b.nonce ? 1 : 0)));
  }

  private async run(dst: Destination): Promise<void> {
    const all = this.pending(dst.chain.config.eid);
    const batch = all.slice(0, this.options.batch);
    if (batch.length === 0) return this.scheduleRetry(dst);
    const packets = batch.map((m) => decodePacket(m.encodedPacket));
    const states = await this.states(dst, packets);
    const fees = await dst.chain.provider.getFeeData();
    const feeFields = { maxFeePerGas: fees.maxFeePerGas ?? fees.gasPrice ?? 10n ** 10n, maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? 0n };
    // Signed here and sent raw: ethers' own send recovers the sender from each signature, which
    // costs more than signing when a run delivers hundreds.
    const send = async (to: string, data: string, gasLimit: bigint, nonce: number): Promise<{ hash: string }> => {
      const raw = await dst.signer.signTransaction({ type: 2, chainId: dst.chain.config.chainId, to, data, gasLimit, nonce, ...feeFields });
      await dst.chain.provider.send('eth_sendRawTransaction', [raw]);
      return { hash: keccak256(raw) };
    };
    // Sent back to back with consecutive nonces: each verification before its execution.
    const needed = states.reduce((n, st) => n + (st === 'unverified' ? 2 : st === 'verified' ? 1 : 0), 0);
    let nonce = needed > 0 ? await dst.nonces.take(needed) : 0;
    const sends: Array<{ message: StoredMessage; packet: PacketV1; tx: Promise<{ hash: string }> } | undefined> = [];
    for (const [i, packet] of packets.entries()) {
      const message = batch[i]!;
      const state = states[i]!;
      if (state === 'executed') {
        this.store.advance(message.guid, 'delivered');
        sends.push(undefined);
        continue;
      }
      if (state === 'unverified') {
        send(dst.lib.address, dst.lib.encode('validatePacket', [packet.encoded]), VERIFY_GAS, nonce++).catch(() => dst.nonces.reset());
      }
      const origin = { srcEid: packet.srcEid, sender: packet.sender, nonce: packet.nonce };
      sends.push({ message, packet, tx: send(dst.endpoint.address, dst.endpoint.encode('lzReceive', [origin, packet.receiver, packet.guid, packet.message, '0x']), EXECUTE_GAS, nonce++) });
    }
    await Promise.all(sends.map((s) => (s ? this.settle(dst, s.message, s.packet, s.tx) : undefined)));
    if (all.length > batch.length) dst.loop.trigger();
    else this.scheduleRetry(dst);
  }

  /** A packet waiting out its backoff is tried when it is due, even if no new block comes (automine). */
  private scheduleRetry(dst: Destination): void {
    const now = Date.now();
    let due = Infinity;
    for (const m of this.store.inFlight()) {
      if (m.dstEid !== dst.chain.config.eid || m.attempts >= this.options.maxAttempts || m.lastAttemptAt === undefined) continue;
      const at = m.lastAttemptAt + this.options.backoffMs * 2 ** (m.attempts - 1);
      if (at > now) due = Math.min(due, at);
    }
    if (due === Infinity) return;
    clearTimeout(dst.retry);
    dst.retry = setTimeout(() => dst.loop.trigger(), due - now + 5);
  }

  /** What the destination endpoint has of each packet: nothing, its verification, or (cleared) its execution. */
  private async states(dst: Destination, packets: PacketV1[]): Promise<Array<'unverified' | 'verified' | 'executed'>> {
    const e = dst.chain.endpoint;
    const answers = await dst.chain.multicall.values(
      packets.flatMap((p) => [batchCall(e, 'lazyInboundNonce', [p.receiver, p.srcEid, p.sender]), batchCall(e, 'inboundPayloadHash', [p.receiver, p.srcEid, p.sender, p.nonce])]),
    );
    return packets.map((p, i) => {
      const lazyNonce = answers[2 * i] as bigint;
      const hash = answers[2 * i + 1] as string;
      if (hash !== EMPTY) return 'verified';
      return p.nonce <= lazyNonce ? 'executed' : 'unverified';
    });
  }

  private async settle(dst: Destination, m: StoredMessage, packet: PacketV1, sent: Promise<{ hash: string }>): Promise<void> {
    let reason: string | undefined;
    try {
      // Not forever: a transaction the node dropped (or that lost its nonce to another) is never
      // mined, and delivery is safe to try again (each run asks the endpoint what is done first).
      const receipt = await dst.receipts.wait((await sent).hash, RECEIPT_TIMEOUT_MS);
      if (receipt.status !== 1) reason = 'reverted';
    } catch (err) {
      reason = revertReason(err, [...this.errorAbis, dst.endpoint.interface]);
      // A send that failed, or was not mined, may leave a gap in the local nonces.
      if ((err as { code?: string }).code !== 'CALL_EXCEPTION') dst.nonces.reset();
    }
    if (reason === undefined) {
      this.store.recordAttempt(m.guid);
      this.metrics.deliveries.inc();
      this.store.advance(m.guid, 'delivered');
      this.log.info({ guid: m.guid, from: m.srcEid, to: m.dstEid, msgType: m.msgType, id: m.id }, 'packet delivered');
      return;
    }
    if (reason === 'reverted' || /execution reverted|CALL_EXCEPTION/.test(reason)) reason = await this.explain(dst, packet, reason);
    this.store.recordAttempt(m.guid, reason);
    this.metrics.deliveryFailures.inc();
    this.log.warn({ guid: m.guid, attempt: m.attempts, reason }, 'delivery reverted');
    if (m.attempts >= this.options.maxAttempts) {
      this.store.addAlert({ at: Date.now(), kind: 'delivery-failed', detail: `${m.guid}: ${reason} after ${m.attempts} attempts` });
    }
  }

  /** The named error the execution gives when simulated now. */
  private async explain(dst: Destination, packet: PacketV1, fallback: string): Promise<string> {
    try {
      const origin = { srcEid: packet.srcEid, sender: packet.sender, nonce: packet.nonce };
      await dst.endpoint.simulate('lzReceive', [origin, packet.receiver, packet.guid, packet.message, '0x'], { from: await dst.signer.getAddress() });
      return fallback;
    } catch (err) {
      return revertReason(err, [...this.errorAbis, dst.endpoint.interface]);
    }
  }
}
