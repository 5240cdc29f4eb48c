/**
 * One client per configured chain: its connection (with a deadline on every request), its head
 * watcher, Multicall3, and typed handles on the LayerZero endpoint and this project's vault. ABIs
 * come from the SDK, so nothing here needs a forge build.
 */
import { collateralVaultAbi, endpointV2Abi, erc20Abi } from '@omnichain-collateral/sdk/abi';
import { Multicall } from '@omnichain-collateral/sdk/contracts/multicall';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import type { ChainConfig, RelayerConfig } from '../config.js';
import type { Logger } from '../log.js';
import { HeadWatcher } from './heads.js';
import { RpcProvider } from './rpc.js';

export interface ChainClient {
  config: ChainConfig;
  provider: RpcProvider;
  heads: HeadWatcher;
  multicall: Multicall;
  endpoint: TypedContract<typeof endpointV2Abi>;
  vault: TypedContract<typeof collateralVaultAbi>;
}

export function connectChain(chain: ChainConfig, pollIntervalMs: number, log: Logger): ChainClient {
  const provider = new RpcProvider(chain.rpcUrl, {
    chainId: chain.chainId,
    pollingIntervalMs: pollIntervalMs,
    timeoutMs: chain.rpcTimeoutMs,
  });
  return {
    config: chain,
    provider,
    heads: new HeadWatcher(chain.name, provider, { pollMs: pollIntervalMs, wsUrl: chain.wsUrl }, log),
    multicall: new Multicall(provider, chain.multicall),
    endpoint: new TypedContract(endpointV2Abi, chain.endpoint, provider),
    vault: new TypedContract(collateralVaultAbi, chain.vault, provider),
  };
}

export function connectChains(config: RelayerConfig, log: Logger): Map<number, ChainClient> {
  return new Map(config.chains.map((c) => [c.eid, connectChain(c, config.pollIntervalMs, log)]));
}

export function erc20(address: string, client: { provider: RpcProvider }): TypedContract<typeof erc20Abi> {
  return new TypedContract(erc20Abi, address, client.provider);
}

/** Checks each endpoint answers with the endpoint id the config gives it. */
export async function checkEndpointIds(chains: Map<number, ChainClient>): Promise<void> {
  await Promise.all(
    [...chains.values()].map(async (c) => {
      const eid = Number(await c.endpoint.read('eid', []));
      if (eid !== c.config.eid)
        throw new Error(`${c.config.name}: endpoint ${c.config.endpoint} has eid ${eid}, config says ${c.config.eid}`);
    }),
  );
}
