/**
 * The devnet's DVN and executor, a relayer plugin: delivers every packet the indexers recorded
 * and the destination has not executed, on its destination, doing what LayerZero's off-chain
 * workers do. On ULN302 (the default): sign the packet's verification as the DVN's signer and
 * submit it through `DVN.execute` (one call for every packet of a run), commit it on
 * `ReceiveUln302.commitVerification`, and execute through `Executor.execute302` with the gas
 * the packet's options carry. On SimpleMessageLib: `validatePacket`, then `EndpointV2.lzReceive`.
 * One loop per destination chain, run when a packet for it is recorded and at its new heads
 * (for retries), so a chain that stops answering delays only the packets to it.
 *
 * Each run asks the destination, in one Multicall3 call, how far each packet got (verified by
 * our DVN, committed, executed), then sends the missing steps back to back with explicit gas and
 * nonces (a packet's execution lands in the same block as its verification) and only then waits
 * for the receipts. Asking first makes a crash at any point never deliver twice. An execution
 * that fails (on ULN302 the executor catches it and the endpoint emits `LzReceiveAlert`; the
 * packet stays verified) is retried with exponential backoff and its named reason recorded.
 */
import { getBytes, keccak256, solidityPackedKeccak256, Wallet } from 'ethers';
import {
  dvnAbi,
  endpointV2Abi,
  executorAbi,
  receiveUln302Abi,
  simpleMessageLibAbi,
} from '@omnichain-collateral/sdk/abi';
import { lzReceiveGas } from '@omnichain-collateral/sdk/lzOptions';
import { batchCall } from '@omnichain-collateral/sdk/contracts/multicall';
import { revertReason } from '@omnichain-collateral/sdk/contracts/revert';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { decodePacket, packetHeader, payloadHash, type PacketV1 } from '@omnichain-collateral/sdk/packet';
import type { ChainClient } from '../chain/clients.js';
import { EXECUTION_ERRORS, lzReceiveAlertReason } from '../chain/executionErrors.js';
import { Nonces } from '../chain/nonces.js';
import { signEip1559 } from '../chain/transactionSigner.js';
import { ReceiptWatcher, type MinedReceipt } from '../chain/receipts.js';
import type { Logger } from '../log.js';
import type { RelayerMetrics } from '../metrics.js';
import type { Relayer, RelayerPlugin } from '../relayer.js';
import { Loop } from '../services/loop.js';
import { duePackets, exhausted, nextRetryAt, type RetryPolicy } from './deliverySchedule.js';
import { isFinished, type RelayerStore, type StoredMessage } from '../store/store.js';

export interface WorkerOptions extends RetryPolicy {
  /** packets delivered per run and destination */
  batch: number;
}

/** Gas for the delivery calls. lzReceive of this project's messages uses under 200k; the rest is headroom. */
const VERIFY_GAS = 250_000n;
const EXECUTE_GAS = 1_000_000n;
/** ULN302: a DVN verification (per packet, in one DVN.execute), a commit, the executor's own work around lzReceive. */
const DVN_VERIFY_GAS = 120_000n;
const COMMIT_GAS = 200_000n;
const EXECUTOR_OVERHEAD_GAS = 150_000n;
/** How long a DVN signature stays valid. */
const SIGNATURE_TTL_S = 3_600;
const EMPTY = '0x' + '0'.repeat(64);
/** How long a run waits for a delivery to be mined before it lets the next run ask the endpoint again. */
const RECEIPT_TIMEOUT_MS = 20_000;

/** How far a packet got on its destination. */
type PacketState = 'unverified' | 'verified' | 'committed' | 'executed';

interface Uln {
  receiveLib: TypedContract<typeof receiveUln302Abi>;
  dvn: TypedContract<typeof dvnAbi>;
  /** the DVN's verifier id, read from it once when the config does not give it */
  dvnVid?: number;
  executor: TypedContract<typeof executorAbi>;
}

interface Destination {
  chain: ChainClient;
  endpoint: TypedContract<typeof endpointV2Abi>;
  /** SimpleMessageLib, or the ULN302 receive library and workers */
  lib?: TypedContract<typeof simpleMessageLibAbi>;
  uln?: Uln;
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
  /** the most confirmations any chain's sends wait: enough for every receive side */
  private maxConfirmations = 0n;

  constructor(
    private readonly relayerKey: string,
    private readonly options: WorkerOptions = { maxAttempts: 8, backoffMs: 500, batch: 150 },
  ) {}

  attach(relayer: Relayer): void {
    this.maxConfirmations = BigInt(Math.max(...[...relayer.chains.values()].map((c) => c.config.confirmations)));
    this.store = relayer.store;
    this.log = relayer.log;
    this.metrics = relayer.metrics;
    for (const chain of relayer.chains.values()) {
      const { messageLib, uln } = chain.config;
      if (!messageLib && !uln)
        throw new Error(`${chain.config.name}: the devnet worker needs the chain's messageLib or its ULN302 workers`);
      const signer = new Wallet(this.relayerKey, chain.provider);
      const dst: Destination = {
        chain,
        endpoint: chain.endpoint.connect(signer),
        ...(uln
          ? {
              uln: {
                receiveLib: new TypedContract(receiveUln302Abi, uln.receiveLib, signer),
                dvn: new TypedContract(dvnAbi, uln.dvn, signer),
                ...(uln.dvnVid !== undefined ? { dvnVid: uln.dvnVid } : {}),
                executor: new TypedContract(executorAbi, uln.executor, signer),
              },
            }
          : { lib: new TypedContract(simpleMessageLibAbi, messageLib!, signer) }),
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
      for (const m of messages) if (!isFinished(m.status)) this.destinations.get(m.dstEid)?.loop.trigger();
    });
  }

  start(): void {
    for (const d of this.destinations.values()) d.loop.trigger();
  }

  /**
   * The relayer key's wallet, nonces and receipt watcher on the chain `eid`: the devnet's other
   * worker (the read responder) signs with the same key and must take nonces from the same count.
   */
  sender(eid: number): Pick<Destination, 'signer' | 'nonces' | 'receipts'> | undefined {
    return this.destinations.get(eid);
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
    return duePackets(this.store.inFlight(), dstEid, now, this.options);
  }

  private async run(dst: Destination): Promise<void> {
    const all = this.pending(dst.chain.config.eid);
    const batch = all.slice(0, this.options.batch);
    if (batch.length === 0) return this.scheduleRetry(dst);
    const packets = batch.map((m) => decodePacket(m.encodedPacket));
    const states = await this.states(dst, packets);
    const fees = await dst.chain.provider.getFeeData();
    const feeFields = {
      maxFeePerGas: fees.maxFeePerGas ?? fees.gasPrice ?? 10n ** 10n,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? 0n,
    };
    // Signed here (as the keeper signs, signEip1559) and sent raw: ethers' own send recovers the
    // sender from each signature, which costs more than signing when a run delivers hundreds.
    const send = async (to: string, data: string, gasLimit: bigint, nonce: number): Promise<{ hash: string }> => {
      const { raw, hash } = signEip1559(dst.signer.signingKey, {
        chainId: dst.chain.config.chainId,
        to,
        data,
        value: 0n,
        gasLimit,
        nonce,
        ...feeFields,
      });
      await dst.chain.provider.send('eth_sendRawTransaction', [raw]);
      return { hash };
    };
    // Sent back to back with consecutive nonces: each verification before its commit and execution.
    const verifications = dst.uln
      ? await this.dvnVerification(
          dst,
          packets.filter((_, i) => states[i] === 'unverified'),
        )
      : undefined;
    const steps = states.map((st, i) => this.steps(dst, packets[i]!, batch[i]!, st));
    const needed = (verifications ? 1 : 0) + steps.reduce((n, st) => n + st.length, 0);
    let nonce = needed > 0 ? await dst.nonces.take(needed) : 0;
    if (verifications)
      send(verifications.to, verifications.data, verifications.gasLimit, nonce++).catch(() => dst.nonces.reset());
    const sends: Array<{ message: StoredMessage; packet: PacketV1; tx: Promise<{ hash: string }> } | undefined> = [];
    for (const [i, packet] of packets.entries()) {
      const message = batch[i]!;
      if (states[i] === 'executed') {
        this.store.advance(message.guid, 'delivered');
        sends.push(undefined);
        continue;
      }
      const txs = steps[i]!;
      for (const tx of txs.slice(0, -1)) send(tx.to, tx.data, tx.gasLimit, nonce++).catch(() => dst.nonces.reset());
      const execute = txs.at(-1)!;
      sends.push({ message, packet, tx: send(execute.to, execute.data, execute.gasLimit, nonce++) });
    }
    await Promise.all(sends.map((s) => (s ? this.settle(dst, s.message, s.packet, s.tx) : undefined)));
    if (all.length > batch.length) dst.loop.trigger();
    else this.scheduleRetry(dst);
  }

  /** A packet waiting out its backoff is tried when it is due, even if no new block comes (automine). */
  private scheduleRetry(dst: Destination): void {
    const now = Date.now();
    const due = nextRetryAt(this.store.inFlight(), dst.chain.config.eid, now, this.options);
    if (due === undefined) return;
    clearTimeout(dst.retry);
    dst.retry = setTimeout(() => dst.loop.trigger(), due - now + 5);
  }

  /**
   * How far each packet got: committed on the endpoint (its payload hash stored), executed (the
   * hash cleared at or below the lazy nonce), on ULN302 verified by our DVN but not committed, or nothing.
   */
  private async states(dst: Destination, packets: PacketV1[]): Promise<PacketState[]> {
    const e = dst.chain.endpoint;
    const uln = dst.uln;
    const per = uln ? 3 : 2;
    const answers = await dst.chain.multicall.values(
      packets.flatMap((p) => [
        batchCall(e, 'lazyInboundNonce', [p.receiver, p.srcEid, p.sender]),
        batchCall(e, 'inboundPayloadHash', [p.receiver, p.srcEid, p.sender, p.nonce]),
        ...(uln
          ? [batchCall(uln.receiveLib, 'hashLookup', [keccak256(packetHeader(p)), payloadHash(p), uln.dvn.address])]
          : []),
      ]),
    );
    return packets.map((p, i) => {
      const lazyNonce = answers[per * i] as bigint;
      const hash = answers[per * i + 1] as string;
      if (hash !== EMPTY) return 'committed';
      if (p.nonce <= lazyNonce) return 'executed';
      // hashLookup answers (submitted, confirmations)
      const verification = uln ? (answers[per * i + 2] as readonly [boolean, bigint]) : undefined;
      return verification?.[0] ? 'verified' : 'unverified';
    });
  }

  /** The transactions a packet still needs, the execution last. */
  private steps(
    dst: Destination,
    p: PacketV1,
    m: StoredMessage,
    state: PacketState,
  ): Array<{ to: string; data: string; gasLimit: bigint }> {
    if (state === 'executed') return [];
    const origin = { srcEid: p.srcEid, sender: p.sender, nonce: p.nonce };
    if (!dst.uln) {
      const lib = dst.lib!;
      const execute = {
        to: dst.endpoint.address,
        data: dst.endpoint.encode('lzReceive', [origin, p.receiver, p.guid, p.message, '0x']),
        gasLimit: EXECUTE_GAS,
      };
      return state === 'unverified'
        ? [{ to: lib.address, data: lib.encode('validatePacket', [p.encoded]), gasLimit: VERIFY_GAS }, execute]
        : [execute];
    }
    const { receiveLib, executor } = dst.uln;
    // The executor runs lzReceive with the gas the packet's options carry, as LayerZero's does.
    const { gas, value } = m.options ? lzReceiveGas(m.options) : { gas: 0n, value: 0n };
    if (value !== 0n)
      this.log.warn(
        { guid: m.guid, value: value.toString() },
        'packet asks for native value with lzReceive; the devnet executor sends none',
      );
    const execute = {
      to: executor.address,
      data: executor.encode('execute302', [
        { receiver: p.receiver, origin, guid: p.guid, message: p.message, extraData: '0x', gasLimit: gas },
      ]),
      gasLimit: gas + EXECUTOR_OVERHEAD_GAS,
    };
    const commit = {
      to: receiveLib.address,
      data: receiveLib.encode('commitVerification', [packetHeader(p), payloadHash(p)]),
      gasLimit: COMMIT_GAS,
    };
    return state === 'committed' ? [execute] : [commit, execute];
  }

  /** One `DVN.execute` verifying every packet given (none: nothing to send). */
  private async dvnVerification(
    dst: Destination,
    packets: PacketV1[],
  ): Promise<{ to: string; data: string; gasLimit: bigint } | undefined> {
    if (packets.length === 0) return undefined;
    const uln = dst.uln!;
    uln.dvnVid ??= Number(await uln.dvn.read('vid', []));
    // The receive side requires the source chain's confirmations: sign for the most any chain needs.
    const { timestamp } = (await dst.chain.provider.getBlock('latest'))!;
    return dvnVerifyCall(dst.signer, { ...uln, dvnVid: uln.dvnVid }, packets, this.maxConfirmations, timestamp);
  }

  private async settle(
    dst: Destination,
    m: StoredMessage,
    packet: PacketV1,
    sent: Promise<{ hash: string }>,
  ): Promise<void> {
    let reason: string | undefined;
    try {
      // Not forever: a transaction the node dropped (or that lost its nonce to another) is never
      // mined, and delivery is safe to try again (each run asks the endpoint what is done first).
      const receipt = await dst.receipts.wait((await sent).hash, RECEIPT_TIMEOUT_MS);
      if (receipt.status !== 1) reason = 'reverted';
      else reason = this.alertReason(dst, receipt);
    } catch (err) {
      reason = revertReason(err, EXECUTION_ERRORS);
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
    // Delivered meanwhile (the indexer saw PacketDelivered): a wait cut short by a stop is no failure.
    if (isFinished(this.store.message(m.guid)?.status ?? 'sent')) return;
    if (reason === 'reverted' || /execution reverted|CALL_EXCEPTION/.test(reason))
      reason = await this.explain(dst, packet, reason);
    this.store.recordAttempt(m.guid, reason);
    this.metrics.deliveryFailures.inc();
    this.log.warn({ guid: m.guid, attempt: m.attempts, reason }, 'delivery reverted');
    if (exhausted(m, this.options)) {
      this.store.addAlert({
        at: Date.now(),
        kind: 'delivery-failed',
        detail: `${m.guid}: ${reason} after ${m.attempts} attempts`,
      });
    }
  }

  /**
   * On ULN302 the executor catches a failed lzReceive and the endpoint emits LzReceiveAlert: why it failed, or
   * undefined.
   */
  private alertReason(dst: Destination, receipt: MinedReceipt): string | undefined {
    for (const log of receipt.logs) {
      const alert = dst.endpoint.parseEvent('LzReceiveAlert', log);
      if (alert) return lzReceiveAlertReason(alert);
    }
    return undefined;
  }

  /** The named error the execution gives when simulated now. */
  private async explain(dst: Destination, packet: PacketV1, fallback: string): Promise<string> {
    try {
      const origin = { srcEid: packet.srcEid, sender: packet.sender, nonce: packet.nonce };
      await dst.endpoint.simulate('lzReceive', [origin, packet.receiver, packet.guid, packet.message, '0x'], {
        from: await dst.signer.getAddress(),
      });
      return fallback;
    } catch (err) {
      return revertReason(err, EXECUTION_ERRORS);
    }
  }
}

/**
 * The `DVN.execute` call that verifies `packets` on their destination's receive library, each
 * instruction signed by a DVN signer as the DVN checks it (EIP-191 over keccak256(vid, target,
 * expiration, callData)), valid for SIGNATURE_TTL_S from `chainTime`. The DVN skips an expired
 * instruction without reverting, and it reads expiry on the destination's clock, which a devnet
 * moves ahead of the wall clock (evm_increaseTime): so the caller passes that chain's time.
 */
export async function dvnVerifyCall(
  signer: Wallet,
  uln: Pick<Uln, 'dvn' | 'receiveLib'> & { dvnVid: number },
  packets: readonly PacketV1[],
  confirmations: bigint,
  chainTime: number,
): Promise<{ to: string; data: string; gasLimit: bigint }> {
  const { dvn, dvnVid, receiveLib } = uln;
  const expiration = BigInt(chainTime + SIGNATURE_TTL_S);
  const params = await Promise.all(
    packets.map(async (p) => {
      const callData = receiveLib.encode('verify', [packetHeader(p), payloadHash(p), confirmations]);
      const hash = solidityPackedKeccak256(
        ['uint32', 'address', 'uint256', 'bytes'],
        [dvnVid, receiveLib.address, expiration, callData],
      );
      return {
        vid: dvnVid,
        target: receiveLib.address,
        callData,
        expiration,
        signatures: await signer.signMessage(getBytes(hash)),
      };
    }),
  );
  return {
    to: dvn.address,
    data: dvn.encode('execute', [params]),
    gasLimit: 100_000n + DVN_VERIFY_GAS * BigInt(packets.length),
  };
}
