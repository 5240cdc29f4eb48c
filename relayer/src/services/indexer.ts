/**
 * Follows one chain from its checkpoint, driven by that chain's new heads: LayerZero packets
 * (sent, verified, delivered) on its endpoint, deposits on its vault, and, on the hub chain,
 * every hub event that touches an account and every risk-engine change. It reads only blocks
 * `confirmations` behind the head, checks that the checkpoint block is still canonical before
 * going on (rewinding on a reorg), and applies everything idempotently, so a restart or a rescan
 * of the same blocks changes nothing twice. One indexer per chain: a chain that stops answering
 * stops only its own.
 */
import { toAccountId } from '@omnichain-collateral/sdk/accountId';
import { collateralVaultAbi, endpointV2Abi, marginHubAbi } from '@omnichain-collateral/sdk/abi';
import { decodeMessage } from '@omnichain-collateral/sdk/messageCodec';
import { decodePacket } from '@omnichain-collateral/sdk/packet';
import type { ChainClient } from '../chain/clients.js';
import { lzReceiveAlertReason } from '../chain/executionErrors.js';
import {
  getRawLogs,
  indexedParamTopics,
  topicOf,
  word,
  wordAddress,
  wordBytes,
  type RawLog,
} from '../chain/rawLogs.js';
import type { Logger } from '../log.js';
import type { RelayerMetrics } from '../metrics.js';
import type { RelayerStore, StoredMessage } from '../store/store.js';
import { Loop } from './loop.js';

/**
 * How many blocks a poll reads: `first` at start, halved after a range that held more than
 * `targetLogs` logs or failed (a deadline, a node refusing a large query), doubled after one with
 * under a quarter of that, up to `max`. A large book's whole history in one answer is tens
 * of megabytes, which a node may not send within the request's deadline; a missed deadline costs
 * the deadline and the read again.
 */
export const BLOCK_RANGE = { first: 100, max: 5_000, targetLogs: 20_000 };

const PACKET_SENT = topicOf(endpointV2Abi, 'PacketSent');
const PACKET_VERIFIED = topicOf(endpointV2Abi, 'PacketVerified');
const PACKET_DELIVERED = topicOf(endpointV2Abi, 'PacketDelivered');
const DEPOSITED = topicOf(collateralVaultAbi, 'Deposited');
const LZ_RECEIVE_ALERT = topicOf(endpointV2Abi, 'LzReceiveAlert');
const CASH_INDEX_LOWERED = topicOf(marginHubAbi, 'CashIndexLowered');
/** What the receiving OApp's delegate did to a packet: (srcEid, sender, receiver, nonce, ...) in data. */
const DELEGATE_ACTIONS = new Map<string, 'skipped' | 'burnt' | 'nilified'>([
  [topicOf(endpointV2Abi, 'InboundNonceSkipped'), 'skipped'],
  [topicOf(endpointV2Abi, 'PacketBurnt'), 'burnt'],
  [topicOf(endpointV2Abi, 'PacketNilified'), 'nilified'],
]);

/**
 * Within one transaction, which logs came from which of our contracts: `EndpointV2.lzReceive`
 * calls the receiver, whose handler always emits an event, and then emits PacketDelivered;
 * `EndpointV2.clear` emits PacketDelivered with no receiver call. So a PacketDelivered with no
 * log of its receiver since the previous PacketDelivered of its transaction was cleared.
 */
class TransactionLogs {
  private readonly lastOf = new Map<string, number>();
  private readonly lastDelivered = new Map<string, number>();

  seen(log: RawLog): void {
    this.lastOf.set(`${log.transactionHash}|${log.address.toLowerCase()}`, log.logIndex);
  }

  /** Whether the PacketDelivered `log` for `receiver` executed it (else the delegate cleared it). */
  executed(log: RawLog, receiver: string): boolean {
    const since = this.lastDelivered.get(log.transactionHash) ?? -1;
    this.lastDelivered.set(log.transactionHash, log.logIndex);
    return (this.lastOf.get(`${log.transactionHash}|${receiver.toLowerCase()}`) ?? -1) > since;
  }
}
/** Every hub event names the accounts it touches as indexed AccountId (bytes32) parameters: their topic positions. */
const HUB_ACCOUNT_TOPICS = indexedParamTopics(
  marginHubAbi,
  /^(account|buyer|seller|payer|receiver|from|to|keeper|backstop)$/,
  'bytes32',
);

/** What an indexed range told the other services. */
export interface IndexerListener {
  /** accounts an event touched (deposits on any chain, every hub event naming an account) */
  accountsTouched?(ids: ReadonlySet<string>, chain: ChainClient): void;
  /** the risk engine's configuration changed */
  configChanged?(): void;
  /** the hub socialised a loss: every account's positive cash changed, though no event names it */
  cashIndexLowered?(): void;
  /** packets first seen sent, or that moved forward (verified, delivered) */
  packets?(messages: readonly StoredMessage[], chain: ChainClient): void;
  /** every event of the chain up to `block` is applied (told after the calls above for them) */
  indexed?(chain: ChainClient, block: number): void;
}

export interface IndexerContext {
  hubEid: number;
  hub: string;
  engine: string;
  /** our OApps on every chain (hub and vaults), lower case: packets from anything else are not ours */
  oapps: ReadonlySet<string>;
}

export class ChainIndexer {
  readonly loop: Loop;
  /** whether a poll has reached the chain's safe head at least once since start */
  caughtUp = false;
  /** blocks the next poll reads at most (see BLOCK_RANGE) */
  private range = BLOCK_RANGE.first;

  constructor(
    readonly chain: ChainClient,
    private readonly ctx: IndexerContext,
    private readonly store: RelayerStore,
    private readonly listener: IndexerListener,
    private readonly log: Logger,
    private readonly metrics: RelayerMetrics,
  ) {
    this.loop = new Loop(`indexer:${chain.config.name}`, () => this.pollOnce(), log);
    chain.heads.onHead(() => this.loop.trigger());
  }

  /** Indexes up to `range` blocks; triggers itself again while behind. */
  async pollOnce(): Promise<void> {
    const { chain, store } = this;
    const { eid, confirmations } = chain.config;
    const head = chain.heads.head >= 0 ? chain.heads.head : await chain.provider.head();
    const safe = head - confirmations;
    const checkpoint = store.checkpoint(eid);
    let from = checkpoint ? checkpoint.block + 1 : 0;
    const started = performance.now();
    const afterHeadMs = Date.now() - chain.heads.seenAt;
    // The checkpoint's canonicity is asked together with the new blocks' logs, not before them:
    // one round trip a poll instead of two, which is what lets the keeper trust the book at the
    // head while the node is busy. With nothing new it is still asked (a reorg to the same height).
    let read = from > safe ? undefined : await this.readRange(from, safe, checkpoint?.block);
    const checkpointHash =
      checkpoint && (read ? read.checkpointHash : (await chain.provider.getBlock(checkpoint.block))?.hash);
    if (checkpoint && checkpointHash !== checkpoint.hash) {
      // A reorg: what was read after the checkpoint is thrown away, and read again from before it.
      from = this.rewind(checkpoint.block);
      read = from > safe ? undefined : await this.readRange(from, safe);
      if (!read) return this.reportLag(head);
    }
    if (!read) {
      this.caughtUp = true;
      return this.reportLag(head);
    }
    const { logs, to, toHash } = read;
    const readMs = performance.now() - started;
    const touched = new Set<string>();
    const packets: StoredMessage[] = [];
    let configChanged = false;
    let cashIndexLowered = false;
    const transactions = new TransactionLogs();
    for (const log of logs) {
      const address = log.address.toLowerCase();
      if (address !== chain.config.endpoint.toLowerCase()) transactions.seen(log);
      if (address === chain.config.endpoint.toLowerCase()) this.applyEndpoint(log, packets, transactions);
      else if (address === chain.config.vault.toLowerCase()) this.applyVault(log, touched);
      else if (address === this.ctx.engine.toLowerCase()) configChanged = true;
      else {
        cashIndexLowered ||= log.topics[0] === CASH_INDEX_LOWERED;
        this.applyHub(log, touched);
      }
    }
    store.setCheckpoint(eid, { block: to, hash: toHash });
    this.reportLag(head);
    if (logs.length > 0) this.log.debug({ chain: chain.config.name, from, to, logs: logs.length }, 'indexed');
    const ms = performance.now() - started;
    // The keeper waits (briefly) for the hub's indexer to reach its block: a slow poll is worth a line.
    if (ms > 250)
      this.log.info(
        {
          chain: chain.config.name,
          from,
          to,
          logs: logs.length,
          afterHeadMs,
          readMs: Math.round(readMs),
          ms: Math.round(ms),
        },
        'slow index poll (ms from the head to the poll, to read the range, and in all)',
      );
    if (configChanged) this.listener.configChanged?.();
    if (cashIndexLowered) this.listener.cashIndexLowered?.();
    if (touched.size > 0) this.listener.accountsTouched?.(touched, chain);
    if (packets.length > 0) this.listener.packets?.(packets, chain);
    this.listener.indexed?.(chain, to);
    if (to < safe) this.loop.trigger();
    else this.caughtUp = true;
  }

  /**
   * The logs of our contracts in blocks `from` to at most `safe` (`range` at a time, resized by
   * what this read held, see BLOCK_RANGE), the last block's hash, and the hash the chain now has at
   * `checkpoint`, all in one round trip.
   */
  private async readRange(
    from: number,
    safe: number,
    checkpoint?: number,
  ): Promise<{ logs: RawLog[]; to: number; toHash: string; checkpointHash?: string | undefined }> {
    const { chain } = this;
    const to = Math.min(safe, from + this.range - 1);
    const addresses = [chain.config.endpoint, chain.config.vault];
    if (chain.config.eid === this.ctx.hubEid) addresses.push(this.ctx.hub, this.ctx.engine);
    const [logs, toBlock, checkpointBlock] = await Promise.all([
      getRawLogs(chain.provider, addresses, from, to),
      chain.provider.getBlock(to),
      checkpoint === undefined ? undefined : chain.provider.getBlock(checkpoint),
    ]).catch((err: unknown) => {
      this.halveRange();
      throw err;
    });
    if (logs.length > BLOCK_RANGE.targetLogs) this.halveRange();
    else if (logs.length < BLOCK_RANGE.targetLogs / 4) this.range = Math.min(BLOCK_RANGE.max, this.range * 2);
    if (!toBlock?.hash) throw new Error(`${chain.config.name}: block ${to} is not known to the node`);
    return { logs, to, toHash: toBlock.hash, checkpointHash: checkpointBlock?.hash ?? undefined };
  }

  private halveRange(): void {
    this.range = Math.max(1, Math.floor(this.range / 2));
  }

  /** The checkpoint block is no longer canonical: where to rescan from, alerted. */
  private rewind(checkpoint: number): number {
    const name = this.chain.config.name;
    const from = Math.max(0, checkpoint - this.chain.config.confirmations - 1);
    this.log.warn(
      { chain: name, block: checkpoint, rewindTo: from },
      'checkpoint block is no longer canonical: reorg, rescanning',
    );
    this.store.addAlert({
      at: Date.now(),
      kind: 'reorg',
      detail: `${name}: block ${checkpoint} reorganised; rescanning from ${from}`,
    });
    return from;
  }

  /** Head and checkpoint of this chain, for the API. */
  status(): { head: number | null; checkpoint: number | null } {
    const head = this.chain.heads.head;
    return { head: head >= 0 ? head : null, checkpoint: this.store.checkpoint(this.chain.config.eid)?.block ?? null };
  }

  private reportLag(head: number): void {
    const chain = this.chain.config.name;
    const checkpoint = this.store.checkpoint(this.chain.config.eid)?.block ?? -1;
    this.metrics.chainHead.set({ chain }, head);
    this.metrics.chainCheckpoint.set({ chain }, checkpoint);
    this.metrics.chainLag.set({ chain }, head - checkpoint);
  }

  private applyVault(log: RawLog, touched: Set<string>): void {
    // Deposited(uint64 indexed creditId, address indexed account, uint32 subAccount, ...)
    if (log.topics[0] === DEPOSITED)
      touched.add(toAccountId(wordAddress(log.topics[2]!), Number(BigInt(word(log.data, 0)))));
  }

  private applyHub(log: RawLog, touched: Set<string>): void {
    for (const position of HUB_ACCOUNT_TOPICS.get(log.topics[0] ?? '') ?? []) touched.add(log.topics[position]!);
  }

  private applyEndpoint(log: RawLog, packets: StoredMessage[], transactions: TransactionLogs): void {
    const topic = log.topics[0];
    if (topic === PACKET_SENT) {
      // PacketSent(bytes encodedPayload, bytes options, address sendLibrary)
      const m = this.recordSent(wordBytes(log.data, 0), wordBytes(log.data, 1), log.blockNumber);
      if (m) packets.push(m);
      return;
    }
    if (topic === LZ_RECEIVE_ALERT) return this.applyAlert(log);
    const action = DELEGATE_ACTIONS.get(topic ?? '');
    if (action) return this.applyDelegateAction(log, action, packets);
    if (topic !== PACKET_VERIFIED && topic !== PACKET_DELIVERED) return;
    // Packet{Verified,Delivered}((uint32 srcEid, bytes32 sender, uint64 nonce) origin, address receiver, ...)
    const srcEid = Number(BigInt(word(log.data, 0)));
    const sender = word(log.data, 1);
    const nonce = BigInt(word(log.data, 2)).toString();
    const receiver = wordAddress(word(log.data, 3));
    // The endpoint serves every app on the chain: only packets to our hub and vaults are ours.
    if (!this.ctx.oapps.has(receiver.toLowerCase())) return;
    const status =
      topic === PACKET_VERIFIED ? 'verified' : transactions.executed(log, receiver) ? 'delivered' : 'cleared';
    if (status === 'cleared')
      this.log.warn(
        { chain: this.chain.config.name, srcEid, nonce, receiver },
        'the delegate cleared a packet: it will never execute',
      );
    const m = this.store.advanceByOrigin(srcEid, sender, nonce, receiver, status, log.blockNumber);
    if (m) packets.push(m);
  }

  /** The receiving OApp's delegate skipped, burnt or nilified a packet. */
  private applyDelegateAction(log: RawLog, action: 'skipped' | 'burnt' | 'nilified', packets: StoredMessage[]): void {
    // (uint32 srcEid, bytes32 sender, address receiver, uint64 nonce[, bytes32 payloadHash])
    const srcEid = Number(BigInt(word(log.data, 0)));
    const sender = word(log.data, 1);
    const receiver = wordAddress(word(log.data, 2));
    const nonce = BigInt(word(log.data, 3)).toString();
    if (!this.ctx.oapps.has(receiver.toLowerCase())) return;
    this.log.warn(
      { chain: this.chain.config.name, srcEid, nonce, receiver, action },
      `the delegate ${action} a packet`,
    );
    const m =
      action === 'nilified'
        ? this.store.nilifyByOrigin(srcEid, sender, nonce, receiver)
        : this.store.advanceByOrigin(srcEid, sender, nonce, receiver, action, log.blockNumber);
    if (m) packets.push(m);
  }

  /**
   * An executor's execution failed (the endpoint keeps the packet verified): why, decoded with our contracts' errors.
   */
  private applyAlert(log: RawLog): void {
    const alert = this.chain.endpoint.parseEvent('LzReceiveAlert', log);
    if (!alert) return;
    const reason = lzReceiveAlertReason(alert);
    this.store.noteExecutionFailure(alert.guid.toLowerCase(), reason);
    this.log.warn(
      { chain: this.chain.config.name, guid: alert.guid, reason },
      'execution failed on the destination (LzReceiveAlert)',
    );
  }

  private recordSent(encodedPayload: string, options: string, block: number): StoredMessage | undefined {
    const packet = decodePacket(encodedPayload);
    const sender = '0x' + packet.sender.slice(26);
    if (!this.ctx.oapps.has(sender.toLowerCase())) return undefined;
    let decoded;
    try {
      decoded = decodeMessage(packet.message);
    } catch (err) {
      this.log.warn(
        { guid: packet.guid, err: (err as Error).message },
        'packet from our OApp with an undecodable message',
      );
      return undefined;
    }
    const message: StoredMessage = {
      guid: packet.guid,
      srcEid: packet.srcEid,
      dstEid: packet.dstEid,
      nonce: packet.nonce.toString(),
      sender: packet.sender,
      receiver: packet.receiver,
      msgType: decoded.msgType,
      id: decoded.id.toString(),
      account: decoded.account,
      subAccount: decoded.subAccount,
      token: decoded.token,
      amount: decoded.amount.toString(),
      recipient: decoded.recipient,
      encodedPacket: packet.encoded,
      options,
      status: 'sent',
      sentBlock: block,
      sentAt: Date.now(),
      attempts: 0,
    };
    if (!this.store.recordSent(message)) return undefined;
    this.log.info(
      {
        guid: packet.guid,
        from: packet.srcEid,
        to: packet.dstEid,
        msgType: decoded.msgType,
        id: decoded.id.toString(),
      },
      'packet sent',
    );
    return this.store.message(packet.guid);
  }
}
