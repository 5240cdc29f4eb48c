/** LayerZero moves the devnet worker makes, done one at a time by a test that holds a message mid-way. */
import { JsonRpcProvider, Wallet } from 'ethers';
import { dvnAbi, endpointV2Abi, receiveUln302Abi, simpleMessageLibAbi } from '@omnichain-collateral/sdk/abi';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { decodePacket, packetHeader, payloadHash, type PacketV1 } from '@omnichain-collateral/sdk/packet';
import { anvilKey } from '../../relayer/src/devnet/anvil.js';
import { devnetSigner, type DeployedChain } from '../../relayer/src/devnet/deploySystem.js';
import { dvnVerifyCall } from '../../relayer/src/devnet/worker.js';

/** The devnet's deployer: the DVN's signer. */
const DEPLOYER = anvilKey(0);

/** The last PacketSent from `src` to `dst`, read straight from the chain. */
export async function lastPacket(src: DeployedChain, dst: DeployedChain): Promise<PacketV1> {
  const provider = new JsonRpcProvider(src.rpcUrl);
  const endpoint = new TypedContract(endpointV2Abi, src.endpoint, provider);
  const logs = await endpoint.queryEvent('PacketSent', null, 0);
  provider.destroy();
  const packets = logs.map((l) => decodePacket(endpoint.parseEvent('PacketSent', l)!.encodedPayload));
  return packets.filter((p) => p.dstEid === dst.eid).at(-1)!;
}

/** The first half of a delivery (the DVN's verify and its commit) without the second (the executor's lzReceive). */
export async function validateOnly(dst: DeployedChain, packet: PacketV1): Promise<void> {
  const signer = devnetSigner(dst.rpcUrl, DEPLOYER);
  if (!dst.uln) {
    await new TypedContract(simpleMessageLibAbi, dst.messageLib!, signer).send('validatePacket', [packet.encoded]);
    return;
  }
  const receiveLib = new TypedContract(receiveUln302Abi, dst.uln.receiveLib, signer);
  const dvn = new TypedContract(dvnAbi, dst.uln.requiredDVNs[0]!, signer);
  const verify = await dvnVerifyCall(
    new Wallet(DEPLOYER),
    { dvn, dvnVid: Number(await dvn.read('vid', [])), receiveLib },
    [packet],
    0n,
    (await signer.provider!.getBlock('latest'))!.timestamp,
  );
  await (await signer.sendTransaction({ to: verify.to, data: verify.data })).wait();
  await receiveLib.send('commitVerification', [packetHeader(packet), payloadHash(packet)]);
}

/** The executor's half: `EndpointV2.lzReceive` of a verified packet, which anyone may call. */
export async function execute(dst: DeployedChain, packet: PacketV1, key: string): Promise<void> {
  const endpoint = new TypedContract(endpointV2Abi, dst.endpoint, devnetSigner(dst.rpcUrl, key));
  await endpoint.send(
    'lzReceive',
    [
      { srcEid: packet.srcEid, sender: packet.sender, nonce: packet.nonce },
      packet.receiver,
      packet.guid,
      packet.message,
      '0x',
    ],
    { gasLimit: 1_000_000n },
  );
}
