import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { JsonRpcProvider, Wallet } from 'ethers';
import {
  endpointV2Abi,
  manualAggregatorAbi,
  marginHubAbi,
  sendUln302Abi,
  receiveUln302Abi,
  testTokenAbi,
} from '@omnichain-collateral/sdk/abi';
import { toAccountId } from '@omnichain-collateral/sdk/accountId';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { loadArtifact } from '../../deploy/artifacts.js';
import { deployNetwork } from '../../deploy/deployNetwork.js';
import { lzDeploymentAddress } from '../../deploy/layerZeroAddresses.js';
import { loadManifest, loadProgress } from '../../deploy/manifest.js';
import { loadNetworkFile } from '../../deploy/networkFile.js';
import { loadRelayerConfig } from '../../relayer/src/config.js';
import { createLogger } from '../../relayer/src/log.js';
import type { Relayer } from '../../relayer/src/relayer.js';
import { waitFor } from '../../relayer/src/wait.js';
import { anvilKey, startAnvil, type AnvilChain } from '../../relayer/src/devnet/anvil.js';
import { mintAndDeposit } from '../../relayer/src/devnet/actions.js';
import { devnetSigner } from '../../relayer/src/devnet/deploySystem.js';
import {
  deployBuilt,
  deployLayerZero,
  placeMulticall3,
  type LayerZeroAddressBook,
} from '../../relayer/src/devnet/layerzero.js';
import { createDevnetRelayer } from '../../relayer/src/devnet/relayer.js';

const run = promisify(execFile);
const DEPLOYER = anvilKey(0);
const TRADER = anvilKey(3);

/**
 * Three local chains standing in for two public testnets and a hub: each carries the testnet's
 * chain id and LayerZero endpoint id, with LayerZero's contracts at the addresses of its public
 * deployment (what a fork would show). The endpoint ids here only build those stand-ins; the
 * deploy tool must find them on its own, from the endpoints the deployments name.
 */
const TESTNETS = [
  { name: 'arbitrum-sepolia', deployment: 'arbsep-testnet', chainId: 421_614, eid: 40_231 },
  { name: 'base-sepolia', deployment: 'basesep-testnet', chainId: 84_532, eid: 40_245 },
  { name: 'sepolia', deployment: 'sepolia-testnet', chainId: 11_155_111, eid: 40_161 },
] as const;

function addressBook(deployment: string): LayerZeroAddressBook {
  const names = ['EndpointV2', 'SendUln302', 'ReceiveUln302', 'PriceFeed', 'Executor', 'DVN'] as const;
  return Object.fromEntries(names.map((n) => [n, lzDeploymentAddress(deployment, n)]));
}

function deployCli(networkFile: string, manifest: string) {
  return run(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      'deploy/cli.ts',
      '--network',
      networkFile,
      '--manifest',
      manifest,
      '--no-build',
    ],
    {
      env: { ...process.env, DEPLOYER_KEY: DEPLOYER },
    },
  );
}

describe('npm run deploy: three anvil chains with public testnet endpoint ids', function () {
  this.timeout(300_000);
  let chains: AnvilChain[] = [];
  let dir: string;
  let networkPath: string;
  let manifestPath: string;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'deploy-'));
    networkPath = join(dir, 'testnet.json');
    manifestPath = join(dir, 'manifest.json');
    chains = await Promise.all(TESTNETS.map((t) => startAnvil({ chainId: t.chainId })));
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
    const network = {
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
        JSON.parse(readFileSync('contracts/config/enforced-gas.json', 'utf8')) as Record<string, number>,
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
    writeFileSync(networkPath, JSON.stringify(network, null, 2));
  });

  after(async function () {
    await Promise.all(chains.map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes a run cut off part-way without deploying anything twice', async function () {
    const file = loadNetworkFile(networkPath);
    let lines = 0;
    const cutOff = (line: string) => {
      // Die on the 8th action, after the engine and hub exist but long before the wiring is done.
      if (++lines === 8) throw new Error(`cut off before: ${line}`);
    };
    let failure: unknown;
    await deployNetwork(file, DEPLOYER, { manifestPath, log: cutOff, pollingIntervalMs: 50 }).catch(
      (err: unknown) => (failure = err),
    );
    expect(String(failure)).to.match(/cut off before/);
    const before = loadProgress(manifestPath)!;
    expect(before.manifest, 'no manifest for an unfinished deployment').to.equal(undefined);
    expect(() => loadManifest(manifestPath)).to.throw(/did not finish/);
    const created = Object.entries(before.contracts);
    expect(created.length).to.be.greaterThan(0);

    const { stdout } = await deployCli(networkPath, manifestPath);
    expect(stdout).to.match(/Done: \d+ transactions/);
    const after = loadProgress(manifestPath)!;
    for (const [key, c] of created) expect(after.contracts[key]!.address, key).to.equal(c.address);
    expect(Object.keys(after.contracts).sort()).to.deep.equal([
      'hub',
      'riskEngine',
      'vault:arbitrum-sepolia',
      'vault:base-sepolia',
      'vault:sepolia',
    ]);
  });

  it('a second run after success sends no transaction', async function () {
    const providers = chains.map((c) => new JsonRpcProvider(c.rpcUrl, undefined, { staticNetwork: true }));
    const deployer = new Wallet(DEPLOYER).address;
    const nonces = await Promise.all(providers.map((p) => p.getTransactionCount(deployer)));
    const { stdout } = await deployCli(networkPath, manifestPath);
    expect(stdout).to.include('Nothing to do: every chain matches the network file.');
    expect(await Promise.all(providers.map((p) => p.getTransactionCount(deployer)))).to.deep.equal(nonces);
    for (const p of providers) p.destroy();
  });

  it('takes endpoints, libraries, the executor and DVNs from the LayerZero deployments and endpoint ids from the endpoints', async function () {
    const manifest = loadManifest(manifestPath);
    expect(manifest.chains.map((c) => c.eid)).to.deep.equal(TESTNETS.map((t) => t.eid));
    expect(manifest.hubEid).to.equal(40_231);
    const hub = manifest.chains[0]!;
    const spoke = manifest.chains[1]!;
    const book = addressBook('basesep-testnet');
    expect(spoke.endpoint).to.equal(book.EndpointV2);
    expect(spoke.uln).to.deep.include({
      sendLib: book.SendUln302,
      receiveLib: book.ReceiveUln302,
      executor: book.Executor,
      requiredDVNs: [book.DVN],
    });

    // The vault's pathway to the hub is pinned on the OApp, not left to LayerZero's defaults.
    const provider = new JsonRpcProvider(spoke.rpcUrl, undefined, { staticNetwork: true });
    const endpoint = new TypedContract(endpointV2Abi, spoke.endpoint, provider);
    expect(await endpoint.read('isDefaultSendLibrary', [spoke.vault, hub.eid])).to.equal(false);
    expect(await endpoint.read('getSendLibrary', [spoke.vault, hub.eid])).to.equal(book.SendUln302);
    expect(await endpoint.read('getReceiveLibrary', [spoke.vault, hub.eid])).to.deep.equal([book.ReceiveUln302, false]);
    const sendConfig = await new TypedContract(sendUln302Abi, book.SendUln302!, provider).read('getAppUlnConfig', [
      spoke.vault,
      hub.eid,
    ]);
    expect(sendConfig.requiredDVNs).to.deep.equal([book.DVN]);
    expect(sendConfig.confirmations, 'zero confirmations pinned as NIL, not "default"').to.equal(2n ** 64n - 1n);
    const receiveConfig = await new TypedContract(receiveUln302Abi, book.ReceiveUln302!, provider).read(
      'getAppUlnConfig',
      [spoke.vault, hub.eid],
    );
    expect(receiveConfig.requiredDVNs).to.deep.equal([book.DVN]);
    expect(
      await new TypedContract(sendUln302Abi, book.SendUln302!, provider).read('executorConfigs', [
        spoke.vault,
        hub.eid,
      ]),
    ).to.deep.equal([10_000, book.Executor]);
    provider.destroy();
  });

  it('the relayer runs on the manifest: a deposit on a testnet spoke is credited on the hub', async function () {
    const configPath = join(dir, 'relayer.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        manifest: 'manifest.json',
        devnetWorker: true,
        relayerKey: DEPLOYER,
        dataDir: join(dir, 'relayer'),
        api: { port: 0 },
        pollIntervalMs: 100,
      }),
    );
    const config = loadRelayerConfig(configPath);
    expect(config.chains.map((c) => c.eid)).to.deep.equal(TESTNETS.map((t) => t.eid));
    let relayer: Relayer | undefined;
    try {
      relayer = await createDevnetRelayer(config, createLogger(process.env.TEST_LOG ?? 'silent'));
      await relayer.start();
      const manifest = loadManifest(manifestPath);
      const spoke = manifest.chains[2]!;
      await mintAndDeposit(spoke, TRADER, 'WETH', 2n * 10n ** 18n);
      const trader = new Wallet(TRADER).address;
      const hub = new TypedContract(
        marginHubAbi,
        manifest.hub,
        new JsonRpcProvider(manifest.chains[0]!.rpcUrl, undefined, { staticNetwork: true }),
      );
      const assetId = manifest.assets.find((a) => a.eid === spoke.eid)!.assetId;
      await waitFor(
        'the CREDIT from sepolia on the hub',
        async () => (await hub.read('collateralOf', [toAccountId(trader, 0), assetId])) === 2n * 10n ** 18n,
        60_000,
      );
    } finally {
      await relayer?.stop();
    }
  });
});
