import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { JsonRpcProvider, Wallet } from 'ethers';
import { endpointV2Abi, marginHubAbi, sendUln302Abi, receiveUln302Abi } from '@omnichain-collateral/sdk/abi';
import { toAccountId } from '@omnichain-collateral/sdk/accountId';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { deployNetwork } from '../../deploy/deployNetwork.js';
import { loadManifest, loadProgress } from '../../deploy/manifest.js';
import { loadNetworkFile } from '../../deploy/networkFile.js';
import { loadRelayerConfig } from '../../relayer/src/config.js';
import { createLogger } from '../../relayer/src/log.js';
import type { Relayer } from '../../relayer/src/relayer.js';
import { waitFor } from '../../relayer/src/wait.js';
import { anvilKey, type AnvilChain } from '../../relayer/src/devnet/anvil.js';
import { mintAndDeposit } from '../../relayer/src/devnet/actions.js';
import { createDevnetRelayer } from '../../relayer/src/devnet/relayer.js';
import { addressBook, DEPLOYER, startTestnets, TESTNETS } from './testnets.js';

const run = promisify(execFile);
const TRADER = anvilKey(3);

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
    const testnets = await startTestnets();
    chains = testnets.chains;
    writeFileSync(networkPath, JSON.stringify(testnets.network, null, 2));
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
