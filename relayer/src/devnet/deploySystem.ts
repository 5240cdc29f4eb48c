/**
 * The devnet: what a public network already has (LayerZero's endpoint, libraries, DVN and
 * executor from the npm artifacts; test tokens; price feeds the operator moves), then this
 * project's contracts deployed and wired by the same tool as a public network (`deploy/`), from
 * a network file the devnet writes for its chains.
 *
 * Devnet assets: USDC (6 decimals) on the hub chain, the settlement token; WETH (18) on every
 * spoke, all one risk asset priced by one ETH/USD feed; wstETH (18) on the first spoke, in the
 * same risk asset at its exchange rate (a feed of its own).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonRpcProvider, NonceManager, Wallet, type Signer } from 'ethers';
import { z } from 'zod';
import { manualAggregatorAbi, marginHubAbi, riskEngineAbi, testTokenAbi } from '@omnichain-collateral/sdk/abi';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { loadArtifact, repoRoot } from '../../../deploy/artifacts.js';
import { anvilKey } from './anvil.js';
import { deployNetwork } from '../../../deploy/deployNetwork.js';
import type { DeployedChain, DeploymentManifest } from '../../../deploy/manifest.js';
import { parseNetworkFile, type NetworkFile, type NetworkFileInput } from '../../../deploy/networkFile.js';
import {
  deployBuilt,
  deployLayerZero,
  placeMulticall3,
  READ_CHANNEL,
  type LayerZeroDeployment,
  type MessageLibKind,
} from './layerzero.js';
import { configFromManifest, parseRelayerConfig, type RelayerConfig } from '../config.js';

export interface DevnetChainSpec {
  name: string;
  chainId: number;
  eid: number;
  rpcUrl: string;
}

export type { DeployedChain };
export type DevnetManifest = DeploymentManifest;

const MAX_UINT128 = (1n << 128n) - 1n;

/**
 * lzReceive gas enforced per message type, from `contracts/config/enforced-gas.json`: the measured
 * delivery gas plus a stated margin. The forge fixture reads the same file, and the gas test fails
 * when a delivery needs more than the file gives it.
 */
export const ENFORCED_LZ_RECEIVE_GAS = (() => {
  const gas = z.coerce.bigint().positive();
  const file = z
    .object({ CREDIT: gas, RELEASE: gas, SEIZE: gas })
    .parse(JSON.parse(readFileSync(join(repoRoot, 'contracts/config/enforced-gas.json'), 'utf8')));
  return { CREDIT: file.CREDIT, RELEASE: file.RELEASE, SEIZE: file.SEIZE } as const;
})();

/** The devnet's names and LayerZero endpoint ids for local chains: the first is the hub, the others spokes. */
export function devnetSpecs(chains: ReadonlyArray<{ chainId: number; rpcUrl: string }>): DevnetChainSpec[] {
  return chains.map((c, i) => ({
    name: i === 0 ? 'hub' : `spoke-${i}`,
    chainId: c.chainId,
    eid: 40_101 + i,
    rpcUrl: c.rpcUrl,
  }));
}

/**
 * A devnet signer. Given the chain (not only its URL), the provider knows its network and never
 * asks for it: ethers otherwise detects it on first use and, when the node is gone (Ctrl-C during
 * set-up), prints a retry warning each second.
 */
export function devnetSigner(chain: string | { rpcUrl: string; chainId: number }, privateKey: string): Signer {
  const [rpcUrl, network] = typeof chain === 'string' ? [chain, undefined] : [chain.rpcUrl, chain.chainId];
  return new NonceManager(
    new Wallet(privateKey, new JsonRpcProvider(rpcUrl, network, { staticNetwork: true, pollingInterval: 50 })),
  );
}

/** The devnet's risk parameter key: the RiskSteward's proposer (anvil's eleventh funded account). */
export const DEVNET_STEWARD_KEY = anvilKey(10);

/** The key that hands accounts to the backstop vault (anvil's twelfth funded account). */
export const DEVNET_BACKSTOP_CALLER_KEY = anvilKey(11);

/** lzRead gas for a HealthReader answer: about 100k is used (decode, one reading stored); the rest is headroom. */
const HEALTH_READ_GAS = 200_000n;

const PCT = 10n ** 16n;
const wad = (n: bigint) => n.toString();
/**
 * The devnet's scenario grids (docs/risk-model.md section 6): ETH moves 10% (maintenance) and 20%
 * (initial) with volatility up and down 25% and a 35%-covered extreme of twice the range, so a
 * lone ETH perp needs 10% / 20% of its notional; the dollar moves 1%. The maintenance range is
 * the move the keeper must be able to act within: `npm run demo` crashes ETH 4% a block.
 */
const DEVNET_SCENARIOS = {
  USD: {
    scanRange: wad(PCT),
    volShift: '0',
    extremeMultiple: wad(200n * PCT),
    extremeCover: wad(35n * PCT),
    initialMultiple: wad(100n * PCT),
    shortOptionMinimum: '0',
    volFeed: null,
  },
  ETH: {
    scanRange: wad(10n * PCT),
    volShift: wad(25n * PCT),
    extremeMultiple: wad(200n * PCT),
    extremeCover: wad(35n * PCT),
    initialMultiple: wad(200n * PCT),
    shortOptionMinimum: wad(PCT),
    volFeed: 'ETH_VOL',
  },
};

/**
 * @param privateKey deploys and administers everything, and is the LayerZero verifier the relayer signs with
 * @param operatorKey owns the price feeds and is the trading venue (default: the same key). Scripts
 *   that move prices or book trades while the relayer delivers use another key than the relayer's,
 *   so their transactions never race its nonces.
 * @param dir where to write the devnet's network file (`network.json`) and the deploy tool's
 *   manifest (`deployment.json`), so `npm run deploy` can be pointed at them (none: in memory)
 */
export async function deploySystem(
  hubSpec: DevnetChainSpec,
  spokeSpecs: DevnetChainSpec[],
  privateKey: string,
  operatorKey = privateKey,
  messageLib: MessageLibKind = 'uln302',
  dir?: string,
): Promise<DevnetManifest> {
  const all = [hubSpec, ...spokeSpecs];
  const signers = new Map(all.map((c) => [c.eid, devnetSigner(c, privateKey)]));
  const signerOf = (eid: number) => signers.get(eid)!;
  const admin = await signerOf(hubSpec.eid).getAddress();

  // What a public network already has before the deploy tool runs: LayerZero, tokens, price feeds.
  const lz = new Map<number, LayerZeroDeployment>();
  for (const c of all) {
    await placeMulticall3(signerOf(c.eid).provider as JsonRpcProvider);
    lz.set(
      c.eid,
      await deployLayerZero(
        signerOf(c.eid),
        c.eid,
        all.filter((o) => o.eid !== c.eid).map((o) => o.eid),
        { messageLib, workers: admin, confirmations: 0 },
      ),
    );
  }
  const token = loadArtifact('TestToken.sol');
  const feed = loadArtifact('ManualAggregator.sol');
  const hubSigner = signerOf(hubSpec.eid);
  const tokens = new Map<number, string>();
  tokens.set(hubSpec.eid, (await deployBuilt(hubSigner, testTokenAbi, token, 'USD Coin', 'USDC', 6)).address);
  for (const c of spokeSpecs)
    tokens.set(c.eid, (await deployBuilt(signerOf(c.eid), testTokenAbi, token, 'Wrapped Ether', 'WETH', 18)).address);
  // A yield-bearing token on the first spoke: wstETH-like, worth its exchange rate in ETH.
  const wsteth = (
    await deployBuilt(signerOf(spokeSpecs[0]!.eid), testTokenAbi, token, 'Wrapped liquid staked Ether', 'wstETH', 18)
  ).address;
  const operator = operatorKey === privateKey ? hubSigner : devnetSigner(hubSpec, operatorKey);
  const feeds = {
    USD: (await deployBuilt(operator, manualAggregatorAbi, feed, 8, 100_000_000n)).address,
    ETH: (await deployBuilt(operator, manualAggregatorAbi, feed, 8, 3_000n * 100_000_000n)).address,
    // ETH's implied volatility, 80% a year, in the same 8-decimal format as a price feed.
    ETH_VOL: (await deployBuilt(operator, manualAggregatorAbi, feed, 8, 80_000_000n)).address,
    // wstETH's exchange rate, 1.17 ETH per token, in the same 8-decimal format.
    WSTETH_RATE: (await deployBuilt(operator, manualAggregatorAbi, feed, 8, 117_000_000n)).address,
  };
  const now = BigInt((await hubSigner.provider!.getBlock('latest'))!.timestamp);

  const file = devnetNetworkFile({
    hubSpec,
    spokeSpecs,
    lz,
    tokens,
    wsteth,
    feeds,
    venue: await operator.getAddress(),
    messageLib,
    optionExpiry: now + 30n * 86_400n,
  });
  if (dir)
    writeFileSync(
      join(dir, 'network.json'),
      `${JSON.stringify(file, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`,
    );
  const { manifest } = await deployNetwork(file, privateKey, {
    pollingIntervalMs: 50,
    ...(dir ? { manifestPath: join(dir, 'deployment.json') } : {}),
  });
  return manifest;
}

/**
 * Steward bounds from `min`% to `max`%, a quarter of the current value per change, an hour apart, lowerings a day late.
 */
const stewardBounds = (min: bigint, max: bigint) => ({
  min: wad(min * PCT),
  max: wad(max * PCT),
  maxStep: wad(25n * PCT),
  cooldown: 3_600,
  loweringDelay: 86_400,
  // at most doubles in a day, however often the hourly cooldown allows a step
  maxDailyRaise: wad(100n * PCT),
});

/**
 * The devnet as a network file: its chains with the LayerZero contracts just deployed, USDC on
 * the hub (the settlement token), WETH on every spoke and wstETH (yield-bearing, at its exchange
 * rate) on the first, one ETH/USD feed for every WETH, an
 * ETH perp and a 30-day call and put 10% out of the money, and the operator as trading venue.
 */
function devnetNetworkFile(d: {
  hubSpec: DevnetChainSpec;
  spokeSpecs: DevnetChainSpec[];
  lz: Map<number, LayerZeroDeployment>;
  tokens: Map<number, string>;
  wsteth: string;
  feeds: { USD: string; ETH: string; ETH_VOL: string; WSTETH_RATE: string };
  venue: string;
  messageLib: MessageLibKind;
  optionExpiry: bigint;
}): NetworkFile {
  const all = [d.hubSpec, ...d.spokeSpecs];
  const layerZero = (eid: number) => {
    const l = d.lz.get(eid)!;
    const read = { readLib: l.read.readLib, readExecutor: l.read.executor };
    return l.uln
      ? {
          endpoint: l.endpoint,
          sendLib: l.uln.sendLib,
          receiveLib: l.uln.receiveLib,
          executor: l.uln.executor,
          dvns: { DVN: l.uln.dvn, ReadDVN: l.read.dvn },
          ...read,
        }
      : {
          endpoint: l.endpoint,
          sendLib: l.messageLib!,
          receiveLib: l.messageLib!,
          dvns: { ReadDVN: l.read.dvn },
          ...read,
        };
  };
  return parseNetworkFile({
    name: 'devnet',
    hub: d.hubSpec.name,
    chains: all.map((c) => ({
      name: c.name,
      chainId: c.chainId,
      rpcUrl: c.rpcUrl,
      confirmations: 0,
      layerZero: layerZero(c.eid),
    })),
    pathway: { messageLib: d.messageLib, requiredDVNs: ['DVN'] },
    // A HealthReader on every spoke, answered by the devnet's SimpleReadDVN and SimpleReadExecutor.
    read: { channel: READ_CHANNEL, requiredDVNs: ['ReadDVN'], gas: wad(HEALTH_READ_GAS) },
    // ETH's scan range and volatility shift, the spokes' WETH haircuts and wstETH's concentration
    // impact move with the market through the steward: at most a quarter of the current value per
    // change, an hour apart, lowerings a day late. The maintenance parameters' floors are the
    // static grid's (ETH 10%, WETH 15%): the steward raises margin in a storm and never takes the
    // maintenance level below it (docs/dynamic-parameters.md section 4); only the initial haircut's
    // headroom above maintenance can be given back in calm markets.
    steward: {
      proposer: new Wallet(DEVNET_STEWARD_KEY).address,
      bounds: [
        { parameter: 'scanRange', target: 'ETH', ...stewardBounds(10n, 50n) },
        { parameter: 'volShift', target: 'ETH', ...stewardBounds(10n, 100n) },
        ...d.spokeSpecs.flatMap((c) => [
          { parameter: 'initialHaircut' as const, target: `WETH@${c.name}`, ...stewardBounds(15n, 60n) },
          { parameter: 'maintenanceHaircut' as const, target: `WETH@${c.name}`, ...stewardBounds(15n, 50n) },
        ]),
        { parameter: 'concentrationImpact', target: `wstETH@${d.spokeSpecs[0]!.name}`, ...stewardBounds(1n, 20n) },
      ],
    },
    // The backstop vault takes an account whole at a quarter health or below, or once it has been
    // flagged liquidatable for 30 hub blocks, for a 5 USDC reward to whoever asks: it holds what it
    // takes (nothing sells it yet), so a vault that took accounts earlier would hold them through
    // more of a fall (docs/risk-model.md 8.3).
    backstop: {
      name: 'Backstop USDC',
      symbol: 'bUSDC',
      backstopHealth: wad(25n * PCT),
      patienceBlocks: 30,
      rewardTokens: '5000000',
    },
    enforcedGas: {
      CREDIT: wad(ENFORCED_LZ_RECEIVE_GAS.CREDIT),
      RELEASE: wad(ENFORCED_LZ_RECEIVE_GAS.RELEASE),
      SEIZE: wad(ENFORCED_LZ_RECEIVE_GAS.SEIZE),
    },
    settlement: { token: d.tokens.get(d.hubSpec.eid)!, decimals: 6 },
    riskAssets: [
      {
        name: 'USD',
        feed: d.feeds.USD,
        maxAge: 3600,
        minPrice: wad(5n * 10n ** 17n),
        maxPrice: wad(2n * 10n ** 18n),
        scenario: DEVNET_SCENARIOS.USD,
      },
      {
        name: 'ETH',
        feed: d.feeds.ETH,
        maxAge: 3600,
        minPrice: wad(10n ** 18n),
        maxPrice: wad(10n ** 24n),
        scenario: DEVNET_SCENARIOS.ETH,
      },
      {
        name: 'ETH_VOL',
        feed: d.feeds.ETH_VOL,
        maxAge: 3600,
        minPrice: wad(10n ** 16n),
        maxPrice: wad(5n * 10n ** 18n),
      },
      {
        name: 'WSTETH_RATE',
        feed: d.feeds.WSTETH_RATE,
        maxAge: 3600,
        minPrice: wad(5n * 10n ** 17n),
        maxPrice: wad(2n * 10n ** 18n),
      },
    ],
    collateral: all
      .map((c): NetworkFileInput['collateral'][number] => {
        const isHub = c.eid === d.hubSpec.eid;
        return {
          chain: c.name,
          symbol: isHub ? 'USDC' : 'WETH',
          token: d.tokens.get(c.eid)!,
          decimals: isHub ? 6 : 18,
          riskAsset: isHub ? 'USD' : 'ETH',
          ...(isHub
            ? // (1 + 2%)(1 − 3%) = 0.9894: each dollar a liquidation repays adds 1.06 cents of
              // equity, above the 1% every asset must leave (RiskConfig.setAssetRisk).
              { initialHaircut: wad(4n * PCT), maintenanceHaircut: wad(3n * PCT), liquidationBonus: wad(2n * PCT) }
            : { initialHaircut: wad(20n * PCT), maintenanceHaircut: wad(15n * PCT), liquidationBonus: wad(5n * PCT) }),
          cap: wad(MAX_UINT128),
        };
      })
      .concat([
        // Valued at its exchange rate × ETH, in ETH's grid, after a 5% fall of that rate. Its market
        // is thinner than ETH's: an account's haircuts rise by 5% × √(holding / $5M), at most 25%.
        {
          chain: d.spokeSpecs[0]!.name,
          symbol: 'wstETH',
          token: d.wsteth,
          decimals: 18,
          riskAsset: 'ETH',
          rateFeed: 'WSTETH_RATE',
          depeg: wad(5n * PCT),
          concentration: { depthUsd: wad(5_000_000n * 10n ** 18n), impact: wad(5n * PCT), cap: wad(25n * PCT) },
          initialHaircut: wad(20n * PCT),
          maintenanceHaircut: wad(15n * PCT),
          liquidationBonus: wad(5n * PCT),
          cap: wad(MAX_UINT128),
        },
      ]),
    markets: [
      { name: 'ETH-PERP', riskAsset: 'ETH', kind: 'perp', maxPriceDeviation: wad(5n * PCT) },
      {
        name: 'ETH-3300-C',
        riskAsset: 'ETH',
        kind: 'call',
        strike: wad(3_300n * 10n ** 18n),
        expiry: wad(d.optionExpiry),
        maxPriceDeviation: wad(PCT),
      },
      {
        name: 'ETH-2700-P',
        riskAsset: 'ETH',
        kind: 'put',
        strike: wad(2_700n * 10n ** 18n),
        expiry: wad(d.optionExpiry),
        maxPriceDeviation: wad(PCT),
      },
    ],
    // On a devnet the operator also plays the trading venue, so demos and tests can book trades;
    // it may settle up to $1B of cash a day (the accounts it books must still authorise it).
    venues: [{ address: d.venue, cashPerPeriod: (10n ** 27n).toString(), periodSeconds: 86_400 }],
  });
}

/** The relayer configuration for a deployed devnet. */
export function devnetRelayerConfig(
  manifest: DevnetManifest,
  options: {
    dataDir: string;
    apiPort: number;
    relayerKey: string;
    keeperKey?: string;
    /** also hand the backstop vault the accounts at or below its health, on its own key */
    backstopCaller?: boolean;
    stressReport?: string;
  },
): RelayerConfig {
  return parseRelayerConfig({
    // anvil serves WebSocket on its HTTP port: heads by subscription.
    ...configFromManifest(
      manifest,
      Object.fromEntries(manifest.chains.map((c) => [c.name, { wsUrl: c.rpcUrl.replace(/^http/, 'ws') }])),
    ),
    devnetWorker: true,
    relayerKey: options.relayerKey,
    dataDir: options.dataDir,
    api: { host: '127.0.0.1', port: options.apiPort },
    pollIntervalMs: 200,
    ...(options.keeperKey ? { keeper: { key: options.keeperKey } } : {}),
    ...(options.backstopCaller ? { backstopCallerKey: DEVNET_BACKSTOP_CALLER_KEY } : {}),
    ...(options.stressReport ? { stressReport: options.stressReport } : {}),
  });
}

/** Typed handles on a devnet's hub-chain contracts, signed by `signer`. */
export function hubContracts(manifest: DevnetManifest, signer: Signer) {
  return {
    hub: new TypedContract(marginHubAbi, manifest.hub, signer),
    engine: new TypedContract(riskEngineAbi, manifest.riskEngine, signer),
  };
}
