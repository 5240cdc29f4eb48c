/**
 * The devnet's DVN and executor in one: delivers a packet on its destination
 * (SimpleMessageLib.validatePacket, then EndpointV2.lzReceive). It asks the destination endpoint
 * what is already done before each step, so delivering the same packet twice, or after a crash
 * between the two steps, never executes it twice.
 */
import { Contract, type Interface } from 'ethers';
import { revertReason, type ChainClient } from '../chains.js';
import type { PacketV1 } from '../../../sdk/src/packet.js';
import { simpleMessageLibArtifact } from './layerzero.js';

export type DeliveryOutcome =
  | { status: 'delivered'; packet: PacketV1 }
  | { status: 'already-delivered'; packet: PacketV1 }
  | { status: 'failed'; packet: PacketV1; reason: string };

export class DevnetDeliverer {
  private readonly destinations = new Map<number, { endpoint: Contract; lib: Contract }>();

  /**
   * @param chains the relayer's chains; each needs its signer (relayerKey), which its endpoint
   *   contract is connected with, and its receive library (messageLib)
   * @param errorAbis interfaces whose custom errors a failed delivery is explained with
   */
  constructor(
    chains: Iterable<ChainClient>,
    private readonly errorAbis: Interface[] = [],
  ) {
    const libAbi = simpleMessageLibArtifact().abi as never;
    for (const c of chains) {
      // parseRelayerConfig refuses a devnet worker without these; a config built by hand may lack them.
      if (!c.signer || !c.config.messageLib) throw new Error(`${c.config.name}: the devnet worker needs relayerKey and messageLib`);
      this.destinations.set(c.config.eid, { endpoint: c.endpoint, lib: new Contract(c.config.messageLib, libAbi, c.signer) });
    }
  }

  /** Verifies (unless already verified) and executes one packet on its destination. */
  async deliver(packet: PacketV1): Promise<DeliveryOutcome> {
    const dst = this.destinations.get(packet.dstEid);
    if (!dst) return { status: 'failed', packet, reason: `no chain with endpoint id ${packet.dstEid}` };
    const { endpoint, lib } = dst;
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
      return { status: 'failed', packet, reason: revertReason(err, [...this.errorAbis, endpoint.interface]) };
    }
  }
}
