/**
 * The testnets a deploy test runs on, and the network file that deploys the system on them.
 */
import { readFileSync } from 'node:fs';
import { JsonRpcProvider, Wallet } from 'ethers';
import { manualAggregatorAbi, testTokenAbi } from '@omnichain-collateral/sdk/abi';
import { loadArtifact } from '../../deploy/artifacts.js';
import { lzDeploymentAddress } from '../../deploy/layerZeroAddresses.js';
import type { NetworkFileInput } from '../../deploy/networkFile.js';
import { anvilKey, startAnvil, type AnvilChain } from '../../relayer/src/devnet/anvil.js';
import { devnetSigner } from '../../relayer/src/devnet/deploySystem.js';
import {
  deployBuilt,
  deployLayerZero,
  placeMulticall3,
  type LayerZeroAddressBook,
} from '../../relayer/src/devnet/layerzero.js';

export const DEPLOYER = anvilKey(0);

/**
 * Three local chains standing in for two public testnets and a hub: each carries the testnet's
 * chain id and LayerZero endpoint id, with LayerZero's contracts at the addresses of its public
 * deployment (what a fork would show). The endpoint ids here only build those stand-ins; the
 * deploy tool must find them on its own, from the endpoints the deployments name.
 */
export const TESTNETS = [
  { name: 'arbitrum-sepolia', deployment: 'arbsep-testnet', chainId: 421_614, eid: 40_231 },
  { name: 'base-sepolia', deployment: 'basesep-testnet', chainId: 84_532, eid: 40_245 },
  { name: 'sepolia', deployment: 'sepolia-testnet', chainId: 11_155_111, eid: 40_161 },
] as const;

export function addressBook(deployment: string): LayerZeroAddressBook {
  const names = ['EndpointV2', 'SendUln302', 'ReceiveUln302', 'PriceFeed', 'Executor', 'DVN'] as const;
  return Object.fromEntries(names.map((n) => [n, lzDeploymentAddress(deployment, n)]));
}

export interface Testnets {
  chains: AnvilChain[];
  /** the network file deploying the system on them, before any `governance` */
  network: NetworkFileInput;
}

/** Starts the three chains with LayerZero, a settlement token, WETH and feeds on them. */
export async function startTestnets(): Promise<Testnets> {
  const chains = await Promise.all(TESTNETS.map((t) => startAnvil({ chainId: t.chainId })));
  const admin = new Wallet(DEPLOYER).address;
  const signers = chains.map((c) => devnetSigner(c.rpcUrl, DEPLOYER));
  for (const [i, t] of TESTNETS.entries()) {
    await placeMulticall3(signers[i]!.provider as JsonRpcProvider);
    const remotes = TESTNETS.filter((o) => o !== t).map((o) => o.eid);
    await deployLayerZero(signers[i]!, t.eid, remotes, {
      messageLib: 'uln302',
      workers: admin,
      confirmations: 0,
      at: addressBook(t.deployment),
    });
  }
  // What the testnets already have: a settlement token, WETH, and price feeds.
  const token = loadArtifact('TestToken.sol');
  const feed = loadArtifact('ManualAggregator.sol');
  const usdc = await deployBuilt(signers[0]!, testTokenAbi, token, 'USD Coin', 'USDC', 6);
  const weth = [
    await deployBuilt(signers[1]!, testTokenAbi, token, 'Wrapped Ether', 'WETH', 18),
    await deployBuilt(signers[2]!, testTokenAbi, token, 'Wrapped Ether', 'WETH', 18),
  ];
  const usdFeed = await deployBuilt(signers[0]!, manualAggregatorAbi, feed, 8, 100_000_000n);
  const ethFeed = await deployBuilt(signers[0]!, manualAggregatorAbi, feed, 8, 3_000n * 100_000_000n);
  const wethOn = (chain: string, address: string) => ({
    chain,
    symbol: 'WETH',
    token: address,
    decimals: 18,
    riskAsset: 'ETH',
    initialHaircut: '200000000000000000',
    maintenanceHaircut: '150000000000000000',
    liquidationBonus: '50000000000000000',
    cap: '1000000000000000000000',
  });
  const network: NetworkFileInput = {
    name: 'testnet',
    hub: 'arbitrum-sepolia',
    chains: TESTNETS.map((t, i) => ({
      name: t.name,
      chainId: t.chainId,
      rpcUrl: chains[i]!.rpcUrl,
      confirmations: 0,
      layerZero: { deployment: t.deployment },
    })),
    pathway: { requiredDVNs: ['DVN'] },
    enforcedGas: (({ CREDIT, RELEASE, SEIZE }) => ({ CREDIT, RELEASE, SEIZE }))(
      JSON.parse(readFileSync('contracts/config/enforced-gas.json', 'utf8')) as Record<
        'CREDIT' | 'RELEASE' | 'SEIZE',
        number
      >,
    ),
    settlement: { token: usdc.address, decimals: 6 },
    riskAssets: [
      {
        name: 'USD',
        feed: usdFeed.address,
        maxAge: 3600,
        minPrice: '500000000000000000',
        maxPrice: '2000000000000000000',
      },
      {
        name: 'ETH',
        feed: ethFeed.address,
        maxAge: 3600,
        minPrice: '1000000000000000000',
        maxPrice: '1000000000000000000000000',
        scenario: {
          scanRange: '100000000000000000',
          volShift: '0',
          extremeMultiple: '2000000000000000000',
          extremeCover: '350000000000000000',
          initialMultiple: '2000000000000000000',
          shortOptionMinimum: '0',
          volFeed: null,
        },
      },
    ],
    collateral: [
      {
        chain: 'arbitrum-sepolia',
        symbol: 'USDC',
        token: usdc.address,
        decimals: 6,
        riskAsset: 'USD',
        initialHaircut: '40000000000000000',
        maintenanceHaircut: '30000000000000000',
        liquidationBonus: '20000000000000000',
        cap: '1000000000000000',
      },
      wethOn('base-sepolia', weth[0]!.address),
      wethOn('sepolia', weth[1]!.address),
    ],
    markets: [{ name: 'ETH-PERP', riskAsset: 'ETH', kind: 'perp', maxPriceDeviation: '50000000000000000' }],
  };
  return { chains, network };
}
