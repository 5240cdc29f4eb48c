/**
 * Deploys the whole system on local chains: LayerZero (real EndpointV2 + SimpleMessageLib) on
 * each, the RiskEngine, MarginHub and a vault on the hub chain, a vault on every spoke, test
 * tokens and price feeds, then lists the assets, wires the peers and allows the tokens.
 *
 * Devnet assets: USDC (6 decimals) on the hub chain, the settlement token; WETH (18) on every
 * spoke, all one risk asset priced by one ETH/USD feed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonRpcProvider, NonceManager, Wallet, zeroPadValue, type Signer } from 'ethers';
import { z } from 'zod';
import { collateralVaultAbi, manualAggregatorAbi, marginHubAbi, riskEngineAbi, testTokenAbi } from '../../../sdk/src/abi/index.js';
import { TypedContract } from '../../../sdk/src/contracts/typedContract.js';
import { lzReceiveOption } from '../../../sdk/src/lzOptions.js';
import { MessageType } from '../../../sdk/src/messageCodec.js';
import { loadArtifact, repoRoot } from './artifacts.js';
import { deployBuilt, deployLayerZero, placeMulticall3, type LayerZeroDeployment, type MessageLibKind } from './layerzero.js';
import { parseRelayerConfig, type RelayerConfig } from '../config.js';

export interface DevnetChainSpec {
  name: string;
  chainId: number;
  eid: number;
  rpcUrl: string;
}

export interface DeployedChain extends DevnetChainSpec, LayerZeroDeployment {
  vault: string;
  /** symbol => token address on this chain */
  tokens: Record<string, string>;
}

export interface DevnetManifest {
  hubEid: number;
  hub: string;
  riskEngine: string;
  feeds: Record<string, string>;
  /** asset id on the hub => where it lives */
  assets: Array<{ assetId: number; eid: number; symbol: string; token: string }>;
  chains: DeployedChain[];
}

const MAX_UINT128 = (1n << 128n) - 1n;

/**
 * lzReceive gas enforced per message type, from `contracts/config/enforced-gas.json`: the measured
 * delivery gas plus a stated margin. The forge fixture reads the same file, and the gas test fails
 * when a delivery needs more than the file gives it.
 */
export const ENFORCED_LZ_RECEIVE_GAS = (() => {
  const gas = z.coerce.bigint().positive();
  const file = z.object({ CREDIT: gas, RELEASE: gas, SEIZE: gas }).parse(JSON.parse(readFileSync(join(repoRoot, 'contracts/config/enforced-gas.json'), 'utf8')));
  return { CREDIT: file.CREDIT, RELEASE: file.RELEASE, SEIZE: file.SEIZE } as const;
})();

/** The devnet's names and LayerZero endpoint ids for local chains: the first is the hub, the others spokes. */
export function devnetSpecs(chains: ReadonlyArray<{ chainId: number; rpcUrl: string }>): DevnetChainSpec[] {
  return chains.map((c, i) => ({ name: i === 0 ? 'hub' : `spoke-${i}`, chainId: c.chainId, eid: 40_101 + i, rpcUrl: c.rpcUrl }));
}

export function devnetSigner(rpcUrl: string, privateKey: string): Signer {
  return new NonceManager(new Wallet(privateKey, new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, pollingInterval: 50 })));
}

const PCT = 10n ** 16n;
/**
 * The devnet's scenario grids (docs/risk-model.md section 6): ETH moves 10% (maintenance) and 20%
 * (initial) with volatility up and down 25% and a 35%-covered extreme of twice the range, so a
 * lone ETH perp needs 10% / 20% of its notional; the dollar moves 1%. The maintenance range is
 * the move the keeper must be able to act within: `npm run demo` crashes ETH 4% a block.
 */
const DEVNET_SCENARIOS = (ethVolFeed: number) => [
  { scanRange: PCT, volShift: 0n, extremeMultiple: 200n * PCT, extremeCover: 35n * PCT, initialMultiple: 100n * PCT, shortOptionMinimum: 0n, volFeed: 0xffff },
  { scanRange: 10n * PCT, volShift: 25n * PCT, extremeMultiple: 200n * PCT, extremeCover: 35n * PCT, initialMultiple: 200n * PCT, shortOptionMinimum: PCT, volFeed: ethVolFeed },
];

/**
 * @param privateKey deploys and administers everything, and is the LayerZero verifier the relayer signs with
 * @param operatorKey owns the price feeds and is the trading venue (default: the same key). Scripts
 *   that move prices or book trades while the relayer delivers use another key than the relayer's,
 *   so their transactions never race its nonces.
 */
export async function deploySystem(
  hubSpec: DevnetChainSpec,
  spokeSpecs: DevnetChainSpec[],
  privateKey: string,
  operatorKey = privateKey,
  messageLib: MessageLibKind = 'uln302',
): Promise<DevnetManifest> {
  const all = [hubSpec, ...spokeSpecs];
  const signers = new Map(all.map((c) => [c.eid, devnetSigner(c.rpcUrl, privateKey)]));
  const signerOf = (eid: number) => signers.get(eid)!;
  const admin = await signerOf(hubSpec.eid).getAddress();

  const lz = new Map<number, LayerZeroDeployment>();
  for (const c of all) {
    await placeMulticall3(signerOf(c.eid).provider as JsonRpcProvider);
    lz.set(c.eid, await deployLayerZero(signerOf(c.eid), c.eid, all.filter((o) => o.eid !== c.eid).map((o) => o.eid), { messageLib, workers: admin, confirmations: 0 }));
  }

  const token = loadArtifact('TestToken.sol');
  const feed = loadArtifact('ManualAggregator.sol');
  const hubSigner = signerOf(hubSpec.eid);
  const usdc = await deployBuilt(hubSigner, testTokenAbi, token, 'USD Coin', 'USDC', 6);
  const operator = operatorKey === privateKey ? hubSigner : devnetSigner(hubSpec.rpcUrl, operatorKey);
  const usdFeed = await deployBuilt(operator, manualAggregatorAbi, feed, 8, 100_000_000n);
  const ethFeed = await deployBuilt(operator, manualAggregatorAbi, feed, 8, 3_000n * 100_000_000n);
  // ETH's implied volatility, 80% a year, in the same 8-decimal format as a price feed.
  const ethVolFeed = await deployBuilt(operator, manualAggregatorAbi, feed, 8, 80_000_000n);

  const engine = await deployBuilt(hubSigner, riskEngineAbi, loadArtifact('RiskEngine.sol'), admin);
  await engine.send('addRiskAsset', [usdFeed.address, 3600, 5n * 10n ** 17n, 2n * 10n ** 18n]);
  await engine.send('addRiskAsset', [ethFeed.address, 3600, 10n ** 18n, 10n ** 24n]);
  await engine.send('addRiskAsset', [ethVolFeed.address, 3600, 10n ** 16n, 5n * 10n ** 18n]);
  const [usdRisk, ethRisk, ethVol] = [0, 1, 2];
  for (const [riskAsset, params] of DEVNET_SCENARIOS(ethVol).entries()) await engine.send('setScenarioParams', [riskAsset, params]);

  const hub = await deployBuilt(hubSigner, marginHubAbi, loadArtifact('MarginHub.sol'), lz.get(hubSpec.eid)!.endpoint, admin, usdc.address, 6, engine.address);
  const assets: DevnetManifest['assets'] = [];
  const chains: DeployedChain[] = [];

  for (const c of all) {
    const signer = signerOf(c.eid);
    const vault = await deployBuilt(signer, collateralVaultAbi, loadArtifact('CollateralVault.sol'), lz.get(c.eid)!.endpoint, admin, hubSpec.eid);
    const isHub = c.eid === hubSpec.eid;
    const collateral = isHub ? usdc : await deployBuilt(signer, testTokenAbi, token, 'Wrapped Ether', 'WETH', 18);
    const symbol = isHub ? 'USDC' : 'WETH';
    await vault.send('configureToken', [collateral.address, true, MAX_UINT128]);
    await vault.send('setPeer', [hubSpec.eid, zeroPadValue(hub.address, 32)]);
    await hub.send('setPeer', [c.eid, zeroPadValue(vault.address, 32)]);
    if (!isHub) {
      // Every message gets the executor gas its type needs, whatever options its sender passes.
      await vault.send('setEnforcedOptions', [[{ eid: hubSpec.eid, msgType: MessageType.CREDIT, options: lzReceiveOption(ENFORCED_LZ_RECEIVE_GAS.CREDIT) }]]);
      await hub.send('setEnforcedOptions', [
        [
          { eid: c.eid, msgType: MessageType.RELEASE, options: lzReceiveOption(ENFORCED_LZ_RECEIVE_GAS.RELEASE) },
          { eid: c.eid, msgType: MessageType.SEIZE, options: lzReceiveOption(ENFORCED_LZ_RECEIVE_GAS.SEIZE) },
        ],
      ]);
    }

    const assetId = assets.length;
    await engine.send('listAsset', [c.eid, collateral.address, isHub ? 6 : 18, isHub ? usdRisk : ethRisk]);
    if (isHub) await engine.send('setAssetRisk', [assetId, 2n * 10n ** 16n, 10n ** 16n, 2n * 10n ** 16n]);
    else await engine.send('setAssetRisk', [assetId, 2n * 10n ** 17n, 15n * 10n ** 16n, 5n * 10n ** 16n]);
    assets.push({ assetId, eid: c.eid, symbol, token: collateral.address });
    chains.push({ ...c, ...lz.get(c.eid)!, vault: vault.address, tokens: { [symbol]: collateral.address } });
  }
  await engine.send('listMarket', [ethRisk, 0, 0n, 0n, 5n * 10n ** 16n]); // ETH-PERP, market 0
  // A 30-day ETH call and put 10% out of the money (markets 1 and 2), premiums within 1% of spot.
  const now = BigInt((await hubSigner.provider!.getBlock('latest'))!.timestamp);
  const expiry = now + 30n * 86_400n;
  await engine.send('listMarket', [ethRisk, 1, 3_300n * 10n ** 18n, expiry, 10n ** 16n]);
  await engine.send('listMarket', [ethRisk, 2, 2_700n * 10n ** 18n, expiry, 10n ** 16n]);
  // On a devnet the deployer also plays the trading venue, so demos and tests can book perps.
  await hub.send('grantRole', [await hub.read('VENUE_ROLE', []), await operator.getAddress()]);

  return {
    hubEid: hubSpec.eid,
    hub: hub.address,
    riskEngine: engine.address,
    feeds: { USD: usdFeed.address, ETH: ethFeed.address, ETH_VOL: ethVolFeed.address },
    assets,
    chains,
  };
}

/** The relayer configuration for a deployed devnet. */
export function devnetRelayerConfig(
  manifest: DevnetManifest,
  options: { dataDir: string; apiPort: number; relayerKey: string; keeperKey?: string },
): RelayerConfig {
  return parseRelayerConfig({
    hubEid: manifest.hubEid,
    hub: manifest.hub,
    riskEngine: manifest.riskEngine,
    chains: manifest.chains.map((c) => ({
      name: c.name,
      chainId: c.chainId,
      eid: c.eid,
      rpcUrl: c.rpcUrl,
      // anvil serves WebSocket on its HTTP port: heads by subscription.
      wsUrl: c.rpcUrl.replace(/^http/, 'ws'),
      confirmations: 0,
      endpoint: c.endpoint,
      messageLib: c.messageLib,
      ...(c.uln ? { uln: { receiveLib: c.uln.receiveLib, dvn: c.uln.dvn, dvnVid: c.uln.dvnVid, executor: c.uln.executor } } : {}),
      vault: c.vault,
    })),
    devnetWorker: true,
    relayerKey: options.relayerKey,
    dataDir: options.dataDir,
    api: { host: '127.0.0.1', port: options.apiPort },
    pollIntervalMs: 200,
    ...(options.keeperKey ? { keeper: { key: options.keeperKey } } : {}),
  });
}

/** Typed handles on a devnet's hub-chain contracts, signed by `signer`. */
export function hubContracts(manifest: DevnetManifest, signer: Signer) {
  return {
    hub: new TypedContract(marginHubAbi, manifest.hub, signer),
    engine: new TypedContract(riskEngineAbi, manifest.riskEngine, signer),
  };
}
