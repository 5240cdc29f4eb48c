/**
 * The real LayerZero V2 protocol contracts on a local chain, from the
 * @layerzerolabs/lz-evm-sdk-v2 artifacts: EndpointV2 and SimpleMessageLib as the send and
 * receive library for every remote endpoint id. The relayer's key is the only caller allowed to
 * verify packets, so on a devnet the relayer is the DVN; it also executes (calls lzReceive).
 * Multicall3 is placed at its canonical address, as on every public network.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { ContractFactory, type JsonRpcProvider, type Signer } from 'ethers';
import type { Abi } from 'abitype';
import { endpointV2Abi, simpleMessageLibAbi } from '../../../sdk/src/abi/index.js';
import { MULTICALL3_ADDRESS } from '../../../sdk/src/contracts/multicall.js';
import { TypedContract } from '../../../sdk/src/contracts/typedContract.js';
import { loadArtifact, type Artifact } from './artifacts.js';

const require = createRequire(import.meta.url);

function lzBytecode(path: string): string {
  const file = require.resolve(`@layerzerolabs/lz-evm-sdk-v2/artifacts/contracts/${path}`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { bytecode: string }).bytecode;
}

export interface LayerZeroDeployment {
  endpoint: string;
  messageLib: string;
}

/** Deploys `bytecode` with constructor `args` and returns the typed contract. */
export async function deploy<A extends Abi>(signer: Signer, abi: A, bytecode: string, ...args: unknown[]): Promise<TypedContract<A>> {
  const factory = new ContractFactory(abi as never, bytecode, signer);
  const contract = await factory.deploy(...args);
  await contract.waitForDeployment();
  return new TypedContract(abi, await contract.getAddress(), signer);
}

/** Deploys one of this project's contracts from forge's build output. */
export function deployBuilt<A extends Abi>(signer: Signer, abi: A, artifact: Artifact, ...args: unknown[]): Promise<TypedContract<A>> {
  return deploy(signer, abi, artifact.bytecode, ...args);
}

/** Deploys the endpoint and library on one chain and makes the library the default for `remoteEids`. */
export async function deployLayerZero(signer: Signer, eid: number, remoteEids: number[]): Promise<LayerZeroDeployment> {
  const owner = await signer.getAddress();
  const endpoint = await deploy(signer, endpointV2Abi, lzBytecode('EndpointV2.sol/EndpointV2.json'), eid, owner);
  const lib = await deploy(signer, simpleMessageLibAbi, lzBytecode('messagelib/SimpleMessageLib.sol/SimpleMessageLib.json'), endpoint.address, owner);
  await endpoint.send('registerLibrary', [lib.address]);
  for (const remote of remoteEids) {
    await endpoint.send('setDefaultSendLibrary', [remote, lib.address]);
    await endpoint.send('setDefaultReceiveLibrary', [remote, lib.address, 0n]);
  }
  await lib.send('setWhitelistCaller', [owner]);
  return { endpoint: endpoint.address, messageLib: lib.address };
}

/** Puts Multicall3's code at its canonical address, where public networks have it. */
export async function placeMulticall3(provider: JsonRpcProvider): Promise<void> {
  const code = (JSON.parse(readFileSync(loadArtifact('Multicall3.sol').path, 'utf8')) as { deployedBytecode: { object: string } }).deployedBytecode.object;
  await provider.send('anvil_setCode', [MULTICALL3_ADDRESS, code]);
}
