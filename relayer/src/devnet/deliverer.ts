/**
 * The devnet's DVN and executor in one: finds every `PacketSent` on every chain's EndpointV2 and
 * delivers it on the destination (SimpleMessageLib.validatePacket, then EndpointV2.lzReceive).
 * It asks the destination endpoint what is already done before each step, so running it twice,
 * or after a crash between the two steps, never delivers a packet twice.
 */
import { Contract, Interface, type Signer, type Provider } from 'ethers';
import { revertReason } from '../chains.js';
import { decodePacket, type PacketV1 } from '../../../sdk/src/packet.js';
import { endpointArtifact, simpleMessageLibArtifact } from './layerzero.js';

export interface DeliveryChain {
  eid: number;
  signer: Signer;
  endpoint: string;
  messageLib: string;
}

export type DeliveryOutcome =
  | { status: 'delivered'; packet: PacketV1 }
  | { status: 'already-delivered'; packet: PacketV1 }
  | { status: 'failed'; packet: PacketV1; reason: string };

const endpointInterface = new Interface(endpointArtifact().abi as never);

export class DevnetDeliverer {
  private readonly fromBlock = new Map<number, number>();

  /** @param errorAbis interfaces whose custom errors a failed delivery is explained with */
  constructor(
    private readonly chains: DeliveryChain[],
    private readonly errorAbis: Interface[] = [],
  ) {}

  /** Delivers every packet sent since the last call; returns what happened to each. */
  async deliverPending(): Promise<DeliveryOutcome[]> {
    const outcomes: DeliveryOutcome[] = [];
    for (const source of this.chains) {
      for (const packet of await this.newPackets(source)) outcomes.push(await this.deliver(packet));
    }
    return outcomes;
  }

  private async newPackets(chain: DeliveryChain): Promise<PacketV1[]> {
    const provider = chain.signer.provider as Provider;
    const head = await provider.getBlockNumber();
    const from = this.fromBlock.get(chain.eid) ?? 0;
    if (from > head) return [];
    const topic = endpointInterface.getEvent('PacketSent')!.topicHash;
    const logs = await provider.getLogs({ address: chain.endpoint, topics: [topic], fromBlock: from, toBlock: head });
    this.fromBlock.set(chain.eid, head + 1);
    return logs.map((log) => decodePacket(endpointInterface.parseLog(log)!.args.getValue('encodedPayload') as string));
  }

  /** Verifies (unless already verified) and executes one packet on its destination. */
  async deliver(packet: PacketV1): Promise<DeliveryOutcome> {
    const dst = this.chains.find((c) => c.eid === packet.dstEid);
    if (!dst) return { status: 'failed', packet, reason: `no chain with endpoint id ${packet.dstEid}` };
    const endpoint = new Contract(dst.endpoint, endpointArtifact().abi as never, dst.signer);
    const lib = new Contract(dst.messageLib, simpleMessageLibArtifact().abi as never, dst.signer);
    try {
      const lazyNonce: bigint = await endpoint.getFunction('lazyInboundNonce')(packet.receiver, packet.srcEid, packet.sender);
      const hash: string = await endpoint.getFunction('inboundPayloadHash')(packet.receiver, packet.srcEid, packet.sender, packet.nonce);
      const empty = hash === '0x' + '0'.repeat(64);
      if (empty && packet.nonce <= lazyNonce) return { status: 'already-delivered', packet };
      if (empty) {
        await (await lib.getFunction('validatePacket')(packet.encoded)).wait();
      }
      const origin = { srcEid: packet.srcEid, sender: packet.sender, nonce: packet.nonce };
      await (await endpoint.getFunction('lzReceive')(origin, packet.receiver, packet.guid, packet.message, '0x')).wait();
      return { status: 'delivered', packet };
    } catch (err) {
      return { status: 'failed', packet, reason: revertReason(err, [...this.errorAbis, endpointInterface]) };
    }
  }
}
