/**
 * Deploys the whole system on local chains: LayerZero (real EndpointV2 + SimpleMessageLib) on
 * each, the RiskEngine, MarginHub and a vault on the hub chain, a vault on every spoke, test
 * tokens and price feeds, then lists the assets, wires the peers and allows the tokens.
 *
 * Devnet assets: USDC (6 decimals) on the hub chain, the settlement token; WETH (18) on every
 * spoke, all one risk asset priced by one ETH/USD feed.
 */
import { Contract, JsonRpcProvider, NonceManager, Wallet, zeroPadValue, type Signer } from 'ethers';
import { loadArtifact } from './artifacts.js';
import { deployContract, deployLayerZero, send, type LayerZeroDeployment } from './layerzero.js';
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
const DEVNET_SCENARIOS = (ethVolFeed: number) => ({
  0: [PCT, 0n, 200n * PCT, 35n * PCT, 100n * PCT, 0n, 0xffff],
  1: [10n * PCT, 25n * PCT, 200n * PCT, 35n * PCT, 200n * PCT, PCT, ethVolFeed],
});

/**
 * @param privateKey deploys and administers everything, and is the LayerZero verifier the relayer signs with
 * @param operatorKey owns the price feeds and is the trading venue (default: the same key). Scripts
 *   that move prices or book trades while the relayer delivers use another key than the relayer's,
 *   so their transactions never race its nonces.
 */
export async function deploySystem(hubSpec: DevnetChainSpec, spokeSpecs: DevnetChainSpec[], privateKey: string, operatorKey = privateKey): Promise<DevnetManifest> {
  const all = [hubSpec, ...spokeSpecs];
  const signers = new Map(all.map((c) => [c.eid, devnetSigner(c.rpcUrl, privateKey)]));
  const signerOf = (eid: number) => signers.get(eid)!;
  const admin = await signerOf(hubSpec.eid).getAddress();

  const lz = new Map<number, LayerZeroDeployment>();
  for (const c of all) lz.set(c.eid, await deployLayerZero(signerOf(c.eid), c.eid, all.filter((o) => o.eid !== c.eid).map((o) => o.eid)));

  const token = loadArtifact('TestToken.sol');
  const feed = loadArtifact('ManualAggregator.sol');
  const hubSigner = signerOf(hubSpec.eid);
  const usdc = await deployContract(hubSigner, token, 'USD Coin', 'USDC', 6);
  const operator = operatorKey === privateKey ? hubSigner : devnetSigner(hubSpec.rpcUrl, operatorKey);
  const usdFeed = await deployContract(operator, feed, 8, 100_000_000n);
  const ethFeed = await deployContract(operator, feed, 8, 3_000n * 100_000_000n);
  // ETH's implied volatility, 80% a year, in the same 8-decimal format as a price feed.
  const ethVolFeed = await deployContract(operator, feed, 8, 80_000_000n);

  const engine = await deployContract(hubSigner, loadArtifact('RiskEngine.sol'), admin);
  await send(engine, 'addRiskAsset', await usdFeed.getAddress(), 3600, 5n * 10n ** 17n, 2n * 10n ** 18n);
  await send(engine, 'addRiskAsset', await ethFeed.getAddress(), 3600, 10n ** 18n, 10n ** 24n);
  await send(engine, 'addRiskAsset', await ethVolFeed.getAddress(), 3600, 10n ** 16n, 5n * 10n ** 18n);
  const [usdRisk, ethRisk, ethVol] = [0, 1, 2];
  for (const [riskAsset, params] of Object.entries(DEVNET_SCENARIOS(ethVol))) await send(engine, 'setScenarioParams', Number(riskAsset), params);

  const hub = await deployContract(
    hubSigner,
    loadArtifact('MarginHub.sol'),
    lz.get(hubSpec.eid)!.endpoint,
    admin,
    await usdc.getAddress(),
    6,
    await engine.getAddress(),
  );
  const hubAddress = await hub.getAddress();
  const assets: DevnetManifest['assets'] = [];
  const chains: DeployedChain[] = [];

  for (const c of all) {
    const signer = signerOf(c.eid);
    const vault = await deployContract(signer, loadArtifact('CollateralVault.sol'), lz.get(c.eid)!.endpoint, admin, hubSpec.eid);
    const isHub = c.eid === hubSpec.eid;
    const collateral = isHub ? usdc : await deployContract(signer, token, 'Wrapped Ether', 'WETH', 18);
    const symbol = isHub ? 'USDC' : 'WETH';
    const tokenAddress = await collateral.getAddress();
    await send(vault, 'configureToken', tokenAddress, true, MAX_UINT128);
    await send(vault, 'setPeer', hubSpec.eid, zeroPadValue(hubAddress, 32));
    await send(hub, 'setPeer', c.eid, zeroPadValue(await vault.getAddress(), 32));

    const assetId = assets.length;
    await send(engine, 'listAsset', c.eid, tokenAddress, isHub ? 6 : 18, isHub ? usdRisk : ethRisk);
    if (isHub) await send(engine, 'setAssetRisk', assetId, 2n * 10n ** 16n, 10n ** 16n, 2n * 10n ** 16n);
    else await send(engine, 'setAssetRisk', assetId, 2n * 10n ** 17n, 15n * 10n ** 16n, 5n * 10n ** 16n);
    assets.push({ assetId, eid: c.eid, symbol, token: tokenAddress });
    chains.push({ ...c, ...lz.get(c.eid)!, vault: await vault.getAddress(), tokens: { [symbol]: tokenAddress } });
  }
  await send(engine, 'listMarket', ethRisk, 0, 0, 0, 5n * 10n ** 16n); // ETH-PERP, market 0
  // A 30-day ETH call and put 10% out of the money (markets 1 and 2), premiums within 1% of spot.
  const now = BigInt((await hubSigner.provider!.getBlock('latest'))!.timestamp);
  const expiry = now + 30n * 86_400n;
  await send(engine, 'listMarket', ethRisk, 1, 3_300n * 10n ** 18n, expiry, 10n ** 16n);
  await send(engine, 'listMarket', ethRisk, 2, 2_700n * 10n ** 18n, expiry, 10n ** 16n);
  // On a devnet the deployer also plays the trading venue, so demos and tests can book perps.
  await send(hub, 'grantRole', await hub.getFunction('VENUE_ROLE')(), await operator.getAddress());

  return {
    hubEid: hubSpec.eid,
    hub: hubAddress,
    riskEngine: await engine.getAddress(),
    feeds: { USD: await usdFeed.getAddress(), ETH: await ethFeed.getAddress(), ETH_VOL: await ethVolFeed.getAddress() },
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
      confirmations: 0,
      endpoint: c.endpoint,
      messageLib: c.messageLib,
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

export function contractAt(file: string, address: string, signer: Signer): Contract {
  return new Contract(address, loadArtifact(file).abi as never, signer);
}
