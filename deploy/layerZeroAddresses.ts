/**
 * Where LayerZero's contracts are on a chain: from the deployments that ship in
 * `@layerzerolabs/lz-evm-sdk-v2` for a public network (never hand-typed), or as a devnet gives
 * them. The endpoint id is not in those files: the deploy tool reads it from the endpoint.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getAddress } from 'ethers';
import type { NetworkChain, NetworkFile } from './networkFile.js';

const require = createRequire(import.meta.url);

/** The chain's LayerZero contracts this project's OApps are wired to. */
export interface LayerZeroAddresses {
  endpoint: string;
  sendLib: string;
  receiveLib: string;
  executor?: string;
  requiredDVNs: string[];
  optionalDVNs: string[];
  /** the lzRead stack, when the network file has `read` */
  read?: ReadAddresses;
}

/** ReadLib1002, the executor that delivers its answers, and the read DVNs `read` names. */
export interface ReadAddresses {
  readLib: string;
  executor: string;
  requiredDVNs: string[];
  optionalDVNs: string[];
}

/** `contract`'s address in `@layerzerolabs/lz-evm-sdk-v2/deployments/<deployment>/<contract>.json`. */
export function lzDeploymentAddress(deployment: string, contract: string): string {
  if (!/^[a-z0-9-]+$/.test(deployment)) throw new Error(`not a LayerZero deployment name: ${deployment}`);
  if (!/^[A-Za-z0-9_]+$/.test(contract)) throw new Error(`not a LayerZero contract name: ${contract}`);
  const folder = deploymentFolder(deployment);
  // LayerZero's folders do not always agree on case (arbsep-testnet has DVNRead.json,
  // basesep-testnet DVNread.json): one name in a network file finds either.
  const file = readdirSync(folder).find((f) => f.toLowerCase() === `${contract.toLowerCase()}.json`);
  if (!file) throw new Error(`@layerzerolabs/lz-evm-sdk-v2 has no ${contract} deployment for "${deployment}"`);
  return getAddress((JSON.parse(readFileSync(join(folder, file), 'utf8')) as { address: string }).address);
}

function deploymentFolder(deployment: string): string {
  const root = dirname(require.resolve('@layerzerolabs/lz-evm-sdk-v2/package.json'));
  const folder = join(root, 'deployments', deployment);
  if (!existsSync(folder)) throw new Error(`@layerzerolabs/lz-evm-sdk-v2 has no deployment "${deployment}"`);
  return folder;
}

/** Resolves a chain's LayerZero addresses and the DVNs `pathway` (and `read`) name. */
export function layerZeroAddresses(
  chain: NetworkChain,
  pathway: NetworkFile['pathway'],
  read?: NetworkFile['read'],
): LayerZeroAddresses {
  const source = chain.layerZero;
  const simple = pathway.messageLib === 'simple';
  if ('deployment' in source) {
    if (simple) throw new Error(`${chain.name}: SimpleMessageLib is for devnets; a public deployment runs ULN302`);
    const at = (contract: string) => lzDeploymentAddress(source.deployment, contract);
    return {
      ...(read
        ? {
            read: {
              readLib: at('ReadLib1002'),
              executor: at('Executor'),
              requiredDVNs: read.requiredDVNs.map(at),
              optionalDVNs: read.optionalDVNs.map(at),
            },
          }
        : {}),
      endpoint: at('EndpointV2'),
      sendLib: at('SendUln302'),
      receiveLib: at('ReceiveUln302'),
      executor: at('Executor'),
      requiredDVNs: pathway.requiredDVNs.map(at),
      optionalDVNs: pathway.optionalDVNs.map(at),
    };
  }
  const dvn = (dvnName: string) => {
    const address = source.dvns[dvnName];
    if (!address) throw new Error(`${chain.name}: no DVN named "${dvnName}" in layerZero.dvns`);
    return getAddress(address);
  };
  if (!simple && !source.executor) throw new Error(`${chain.name}: ULN302 needs layerZero.executor`);
  if (read && (!source.readLib || !source.readExecutor))
    throw new Error(`${chain.name}: lzRead needs layerZero.readLib and layerZero.readExecutor`);
  return {
    ...(read
      ? {
          read: {
            readLib: getAddress(source.readLib!),
            executor: getAddress(source.readExecutor!),
            requiredDVNs: read.requiredDVNs.map(dvn),
            optionalDVNs: read.optionalDVNs.map(dvn),
          },
        }
      : {}),
    endpoint: getAddress(source.endpoint),
    sendLib: getAddress(source.sendLib),
    receiveLib: getAddress(source.receiveLib),
    ...(source.executor ? { executor: getAddress(source.executor) } : {}),
    requiredDVNs: simple ? [] : pathway.requiredDVNs.map(dvn),
    optionalDVNs: simple ? [] : pathway.optionalDVNs.map(dvn),
  };
}
