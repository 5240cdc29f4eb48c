/** Providers, signers and contract handles for every configured chain. */
import { Contract, Interface, JsonRpcProvider, NonceManager, Wallet, type Signer } from 'ethers';
import type { ChainConfig, RelayerConfig } from './config.js';
import { loadArtifact } from './devnet/artifacts.js';
import { endpointArtifact } from './devnet/layerzero.js';

export interface ChainClient {
  config: ChainConfig;
  provider: JsonRpcProvider;
  /** present when the relayer signs on this chain (devnet worker) */
  signer?: Signer;
  endpoint: Contract;
  vault: Contract;
}

export const abis = {
  hub: () => new Interface(loadArtifact('MarginHub.sol').abi as never),
  vault: () => new Interface(loadArtifact('CollateralVault.sol').abi as never),
  engine: () => new Interface(loadArtifact('RiskEngine.sol').abi as never),
  endpoint: () => new Interface(endpointArtifact().abi as never),
  erc20: () =>
    new Interface([
      'function balanceOf(address) view returns (uint256)',
      'function allowance(address,address) view returns (uint256)',
      'function approve(address,uint256) returns (bool)',
    ]),
};

export function connectChains(config: RelayerConfig): Map<number, ChainClient> {
  const clients = new Map<number, ChainClient>();
  for (const chain of config.chains) {
    const provider = new JsonRpcProvider(chain.rpcUrl, chain.chainId, { staticNetwork: true, pollingInterval: config.pollIntervalMs });
    const signer = config.relayerKey ? new NonceManager(new Wallet(config.relayerKey, provider)) : undefined;
    const runner = signer ?? provider;
    clients.set(chain.eid, {
      config: chain,
      provider,
      ...(signer ? { signer } : {}),
      endpoint: new Contract(chain.endpoint, abis.endpoint(), runner),
      vault: new Contract(chain.vault, abis.vault(), runner),
    });
  }
  return clients;
}

/** The node's current block, asked directly (ethers caches getBlockNumber for a polling interval). */
export async function latestBlock(provider: JsonRpcProvider): Promise<number> {
  return Number(await provider.send('eth_blockNumber', []));
}

/** The custom error a revert carries, by name with its arguments, or the plain message. */
export function revertReason(err: unknown, interfaces: Interface[]): string {
  const e = err as { data?: string; info?: { error?: { data?: string } }; shortMessage?: string; message?: string };
  const data = e.data ?? e.info?.error?.data;
  if (typeof data === 'string' && data.length >= 10) {
    for (const iface of interfaces) {
      try {
        const parsed = iface.parseError(data);
        if (parsed) return `${parsed.name}(${parsed.args.map(String).join(', ')})`;
      } catch {
        // not this interface's error
      }
    }
  }
  return e.shortMessage ?? e.message ?? String(err);
}
