/**
 * Follows every chain from its checkpoint: LayerZero packets (sent, verified, delivered) on each
 * endpoint, deposits on each vault, and every hub event that touches an account. It only reads
 * blocks `confirmations` behind the head, checks that the checkpoint block is still canonical
 * before going on (rewinding on a reorg), and applies everything idempotently, so a restart or
 * a rescan of the same blocks changes nothing twice.
 */
import type { Interface, Log } from 'ethers';
import { toAccountId } from '../../sdk/src/accountId.js';
import { decodeMessage } from '../../sdk/src/messageCodec.js';
import { decodePacket } from '../../sdk/src/packet.js';
import { abis, latestBlock, type ChainClient } from './chains.js';
import type { Logger } from './log.js';
import type { RelayerMetrics } from './metrics.js';
import type { RelayerStore } from './store.js';

const MAX_BLOCK_RANGE = 5_000;

export interface IndexerPass {
  /** accounts an event touched in this pass */
  touched: Set<string>;
  /** the risk engine's configuration changed */
  configChanged: boolean;
}

export class Indexer {
  private readonly endpointIface = abis.endpoint();
  private readonly vaultIface = abis.vault();
  private readonly hubIface = abis.hub();
  private readonly byOrigin = new Map<string, string>();
  readonly heads = new Map<number, number>();

  constructor(
    private readonly chains: Map<number, ChainClient>,
    private readonly hubEid: number,
    private readonly hubAddress: string,
    private readonly engineAddress: string,
    private readonly store: RelayerStore,
    private readonly log: Logger,
    private readonly metrics: RelayerMetrics,
  ) {
    for (const m of store.messages()) this.byOrigin.set(originKey(m.srcEid, m.sender, m.nonce, m.receiver), m.guid);
  }

  async pollOnce(): Promise<IndexerPass> {
    const pass: IndexerPass = { touched: new Set(), configChanged: false };
    for (const chain of this.chains.values()) await this.pollChain(chain, pass);
    return pass;
  }

  private async pollChain(chain: ChainClient, pass: IndexerPass): Promise<void> {
    const { eid, name, confirmations } = chain.config;
    const head = await latestBlock(chain.provider);
    this.heads.set(eid, head);
    const safe = head - confirmations;
    let from = 0;
    const checkpoint = this.store.checkpoint(eid);
    if (checkpoint) {
      const block = await chain.provider.getBlock(checkpoint.block);
      if (block?.hash === checkpoint.hash) {
        from = checkpoint.block + 1;
      } else {
        from = Math.max(0, checkpoint.block - confirmations - 1);
        this.log.warn({ chain: name, block: checkpoint.block, rewindTo: from }, 'checkpoint block is no longer canonical: reorg, rescanning');
        this.store.addAlert({ at: Date.now(), kind: 'reorg', detail: `${name}: block ${checkpoint.block} reorganised; rescanning from ${from}` });
      }
    }
    if (from > safe) return this.reportLag(chain, head);
    const to = Math.min(safe, from + MAX_BLOCK_RANGE - 1);
    const addresses = [chain.config.endpoint, chain.config.vault];
    if (eid === this.hubEid) addresses.push(this.hubAddress, this.engineAddress);
    const logs = await chain.provider.getLogs({ address: addresses, fromBlock: from, toBlock: to });
    for (const log of logs) this.apply(chain, log, pass);
    const toBlock = await chain.provider.getBlock(to);
    this.store.setCheckpoint(eid, { block: to, hash: toBlock!.hash! });
    this.reportLag(chain, head);
    if (logs.length > 0) this.log.debug({ chain: name, from, to, logs: logs.length }, 'indexed');
  }

  private reportLag(chain: ChainClient, head: number): void {
    const checkpoint = this.store.checkpoint(chain.config.eid)?.block ?? -1;
    this.metrics.chainHead.set({ chain: chain.config.name }, head);
    this.metrics.chainCheckpoint.set({ chain: chain.config.name }, checkpoint);
    this.metrics.chainLag.set({ chain: chain.config.name }, head - checkpoint);
  }

  private apply(chain: ChainClient, log: Log, pass: IndexerPass): void {
    const address = log.address.toLowerCase();
    if (address === chain.config.endpoint.toLowerCase()) return this.applyEndpoint(log);
    if (address === chain.config.vault.toLowerCase()) {
      const parsed = tryParse(this.vaultIface, log);
      if (parsed?.name === 'Deposited') pass.touched.add(toAccountId(parsed.args.getValue('account'), Number(parsed.args.getValue('subAccount'))));
      return;
    }
    if (address === this.engineAddress.toLowerCase()) {
      pass.configChanged = true;
      return;
    }
    const parsed = tryParse(this.hubIface, log);
    if (!parsed) return;
    for (const input of parsed.fragment.inputs) {
      // Every hub event names its accounts as AccountId (bytes32) parameters.
      if (input.type === 'bytes32' && /account|buyer|seller|payer|receiver|from|to|keeper/i.test(input.name)) {
        pass.touched.add(parsed.args.getValue(input.name) as string);
      }
    }
  }

  private applyEndpoint(log: Log): void {
    const parsed = tryParse(this.endpointIface, log);
    if (!parsed) return;
    if (parsed.name === 'PacketSent') {
      const packet = decodePacket(parsed.args.getValue('encodedPayload') as string);
      const sender = '0x' + packet.sender.slice(26);
      if (!this.isOurs(sender)) return;
      let decoded;
      try {
        decoded = decodeMessage(packet.message);
      } catch (err) {
        this.log.warn({ guid: packet.guid, err: (err as Error).message }, 'packet from our OApp with an undecodable message');
        return;
      }
      const inserted = this.store.recordSent({
        guid: packet.guid,
        srcEid: packet.srcEid,
        dstEid: packet.dstEid,
        nonce: packet.nonce.toString(),
        sender: packet.sender,
        receiver: packet.receiver,
        message: packet.message,
        msgType: decoded.msgType,
        id: decoded.id.toString(),
        account: decoded.account,
        subAccount: decoded.subAccount,
        token: decoded.token,
        amount: decoded.amount.toString(),
        recipient: decoded.recipient,
        encodedPacket: packet.encoded,
        status: 'sent',
        sentBlock: log.blockNumber,
        sentAt: Date.now(),
        attempts: 0,
      });
      this.byOrigin.set(originKey(packet.srcEid, packet.sender, packet.nonce.toString(), packet.receiver), packet.guid);
      if (inserted) this.log.info({ guid: packet.guid, from: packet.srcEid, to: packet.dstEid, msgType: decoded.msgType, id: decoded.id.toString() }, 'packet sent');
      return;
    }
    if (parsed.name === 'PacketVerified' || parsed.name === 'PacketDelivered') {
      const origin = parsed.args.getValue('origin');
      const key = originKey(Number(origin.srcEid), origin.sender as string, (origin.nonce as bigint).toString(), parsed.args.getValue('receiver') as string);
      const guid = this.byOrigin.get(key);
      if (guid) this.store.advance(guid, parsed.name === 'PacketVerified' ? 'verified' : 'delivered');
    }
  }

  private isOurs(address: string): boolean {
    const a = address.toLowerCase();
    if (a === this.hubAddress.toLowerCase()) return true;
    for (const c of this.chains.values()) if (c.config.vault.toLowerCase() === a) return true;
    return false;
  }
}

function originKey(srcEid: number, sender: string, nonce: string, receiver: string): string {
  return `${srcEid}:${sender.toLowerCase()}:${nonce}:${receiver.toLowerCase()}`;
}

function tryParse(iface: Interface, log: Log) {
  try {
    return iface.parseLog({ topics: [...log.topics], data: log.data });
  } catch {
    return null;
  }
}
