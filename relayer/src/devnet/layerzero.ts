/**
 * The real LayerZero V2 protocol contracts on a local chain, from the
 * @layerzerolabs/lz-evm-sdk-v2 artifacts: EndpointV2 and SimpleMessageLib as the send and
 * receive library for every remote endpoint id. The relayer's key is the only caller allowed to
 * verify packets, so on a devnet the relayer is the DVN; it also executes (calls lzReceive).
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { Contract, ContractFactory, type Signer } from 'ethers';
import type { Artifact } from './artifacts.js';

const require = createRequire(import.meta.url);

function lzArtifact(path: string): Artifact {
  const file = require.resolve(`@layerzerolabs/lz-evm-sdk-v2/artifacts/contracts/${path}`);
  const json = JSON.parse(readFileSync(file, 'utf8')) as { abi: Artifact['abi']; bytecode: string };
  return { abi: json.abi, bytecode: json.bytecode };
}

export const endpointArtifact = (): Artifact => lzArtifact('EndpointV2.sol/EndpointV2.json');
export const simpleMessageLibArtifact = (): Artifact => lzArtifact('messagelib/SimpleMessageLib.sol/SimpleMessageLib.json');

export interface LayerZeroDeployment {
  endpoint: string;
  messageLib: string;
}

export async function deployContract(signer: Signer, artifact: Artifact, ...args: unknown[]): Promise<Contract> {
  const factory = new ContractFactory(artifact.abi as never, artifact.bytecode, signer);
  const contract = (await factory.deploy(...args)) as Contract;
  await contract.waitForDeployment();
  return contract;
}

export async function send(contract: Contract, method: string, ...args: unknown[]): Promise<void> {
  const tx = await contract.getFunction(method)(...args);
  await tx.wait();
}

/** Deploys the endpoint and library on one chain and makes the library the default for `remoteEids`. */
export async function deployLayerZero(signer: Signer, eid: number, remoteEids: number[]): Promise<LayerZeroDeployment> {
  const owner = await signer.getAddress();
  const endpoint = await deployContract(signer, endpointArtifact(), eid, owner);
  const lib = await deployContract(signer, simpleMessageLibArtifact(), await endpoint.getAddress(), owner);
  const libAddress = await lib.getAddress();
  await send(endpoint, 'registerLibrary', libAddress);
  for (const remote of remoteEids) {
    await send(endpoint, 'setDefaultSendLibrary', remote, libAddress);
    await send(endpoint, 'setDefaultReceiveLibrary', remote, libAddress, 0);
  }
  await send(lib, 'setWhitelistCaller', owner);
  return { endpoint: await endpoint.getAddress(), messageLib: libAddress };
}
