import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Interface, JsonRpcProvider, Wallet, ZeroHash, id } from 'ethers';
import {
  collateralVaultAbi,
  endpointV2Abi,
  manualAggregatorAbi,
  marginHubAbi,
  riskEngineAbi,
  timelockAbi,
} from '@omnichain-collateral/sdk/abi';
import { revertReason } from '@omnichain-collateral/sdk/contracts/revert';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { loadArtifact } from '../../deploy/artifacts.js';
import { deployNetwork } from '../../deploy/deployNetwork.js';
import type { DeploymentManifest } from '../../deploy/manifest.js';
import { networkFileSchema, type NetworkFile } from '../../deploy/networkFile.js';
import { anvilKey, type AnvilChain } from '../../relayer/src/devnet/anvil.js';
import { deployBuilt } from '../../relayer/src/devnet/layerzero.js';
import { DEPLOYER, startTestnets } from './testnets.js';

const PROPOSER = anvilKey(5);
const GUARDIAN = anvilKey(6);
const DELAY = 3_600;
const ERRORS = [riskEngineAbi, timelockAbi, endpointV2Abi, marginHubAbi].map((abi) => new Interface(abi));

/** Finding 4 of the security review: feeds and the OApps' configuration wait on a timelock. */
describe('npm run deploy with governance: every admin power handed to a timelock', function () {
  this.timeout(300_000);
  let chains: AnvilChain[] = [];
  let manifest: DeploymentManifest;
  let hubProvider: JsonRpcProvider;
  let file: NetworkFile;
  let dir: string;
  let manifestPath: string;
  const deployer = new Wallet(DEPLOYER).address;
  const guardian = new Wallet(GUARDIAN).address;

  before(async function () {
    const testnets = await startTestnets();
    chains = testnets.chains;
    dir = mkdtempSync(join(tmpdir(), 'governance-'));
    manifestPath = join(dir, 'manifest.json');
    file = networkFileSchema.parse({
      ...testnets.network,
      governance: { delaySeconds: DELAY, proposers: [new Wallet(PROPOSER).address], guardian },
    });
    ({ manifest } = await deployNetwork(file, DEPLOYER, { manifestPath, pollingIntervalMs: 50 }));
    hubProvider = new JsonRpcProvider(chains[0]!.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  });

  after(async function () {
    hubProvider?.destroy();
    await Promise.all(chains.map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  const refusal = (call: Promise<unknown>) =>
    call.then(
      () => 'no revert',
      (err: unknown) => revertReason(err, ERRORS),
    );

  it('leaves the deployer no role, ownership or delegation on any chain', async function () {
    const engine = new TypedContract(riskEngineAbi, manifest.riskEngine, hubProvider);
    const hubTimelock = manifest.chains[0]!.timelock!;
    for (const role of [ZeroHash, await engine.read('RISK_ADMIN_ROLE', [])]) {
      expect(await engine.read('hasRole', [role, deployer]), `engine role ${role}`).to.equal(false);
      expect(await engine.read('hasRole', [role, hubTimelock])).to.equal(true);
    }
    const hub = new TypedContract(marginHubAbi, manifest.hub, hubProvider);
    expect(await hub.read('hasRole', [ZeroHash, deployer])).to.equal(false);
    expect(await hub.read('owner', [])).to.equal(hubTimelock);
    for (const chain of manifest.chains) {
      const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true });
      const vault = new TypedContract(collateralVaultAbi, chain.vault, provider);
      const endpoint = new TypedContract(endpointV2Abi, chain.endpoint, provider);
      expect(await vault.read('owner', []), chain.name).to.equal(chain.timelock);
      expect(await endpoint.read('delegates', [chain.vault]), chain.name).to.equal(chain.timelock);
      for (const role of [ZeroHash, id('LISTING_ROLE'), id('PAUSER_ROLE')])
        expect(await vault.read('hasRole', [role, deployer]), `${chain.name} ${role}`).to.equal(false);
      expect(await vault.read('hasRole', [id('LISTING_ROLE'), chain.timelock!])).to.equal(true);
      expect(await vault.read('hasRole', [id('PAUSER_ROLE'), guardian])).to.equal(true);
      const timelock = new TypedContract(timelockAbi, chain.timelock!, provider);
      expect(await timelock.read('getMinDelay', [])).to.equal(BigInt(DELAY));
      expect(await timelock.read('hasRole', [id('CANCELLER_ROLE'), guardian])).to.equal(true);
      expect(await timelock.read('hasRole', [id('PROPOSER_ROLE'), guardian])).to.equal(false);
      provider.destroy();
    }
    expect(
      await new TypedContract(endpointV2Abi, manifest.chains[0]!.endpoint, hubProvider).read('delegates', [
        manifest.hub,
      ]),
    ).to.equal(hubTimelock);
  });

  it('the LayerZero delegate is the timelock: the deployer can no longer skip a message or set a library', async function () {
    const endpoint = new TypedContract(endpointV2Abi, manifest.chains[0]!.endpoint, new Wallet(DEPLOYER, hubProvider));
    const spokeEid = manifest.chains[1]!.eid;
    const sender = `0x${manifest.chains[1]!.vault.slice(2).padStart(64, '0').toLowerCase()}`;
    expect(await refusal(endpoint.send('skip', [manifest.hub, spokeEid, sender, 1n]))).to.match(/LZ_Unauthorized/);
    expect(
      await refusal(
        endpoint.send('setReceiveLibrary', [manifest.hub, spokeEid, manifest.chains[0]!.uln!.receiveLib, 0n]),
      ),
    ).to.match(/LZ_Unauthorized/);
  });

  it('a second run after the hand-off finds every chain as the file asks and sends nothing', async function () {
    const again = await deployNetwork(file, DEPLOYER, { manifestPath, pollingIntervalMs: 50 });
    expect(again.transactions).to.equal(0);
    expect(again.manifest.chains.map((c) => c.timelock)).to.deep.equal(manifest.chains.map((c) => c.timelock));
  });

  it('a feed swap is announced and waits on the delay; the guardian can cancel it, and after the delay it runs', async function () {
    // Plain wallets: a refused call must not leave a nonce manager a nonce ahead.
    const hubSigner = (key: string) => new Wallet(key, hubProvider);
    const engine = new TypedContract(riskEngineAbi, manifest.riskEngine, hubSigner(DEPLOYER));
    const newFeed = await deployBuilt(
      hubSigner(DEPLOYER),
      manualAggregatorAbi,
      loadArtifact('ManualAggregator.sol'),
      8,
      3_000n * 10n ** 8n,
    );
    const eth = await engine.read('riskAsset', [1]);
    const swap = [1, newFeed.address, eth.maxAge, eth.minPrice, eth.maxPrice] as const;
    expect(await refusal(engine.send('setRiskAsset', [...swap]))).to.match(/AccessControlUnauthorizedAccount/);

    const timelockAddress = manifest.chains[0]!.timelock!;
    const asProposer = new TypedContract(timelockAbi, timelockAddress, hubSigner(PROPOSER));
    const asGuardian = new TypedContract(timelockAbi, timelockAddress, hubSigner(GUARDIAN));
    const data = engine.interface.encodeFunctionData('setRiskAsset', [...swap]);
    const operation = (salt: string) => [manifest.riskEngine, 0n, data, ZeroHash, salt] as const;

    await asProposer.send('schedule', [...operation(id('cancelled')), BigInt(DELAY)]);
    const cancelled = await asProposer.read('hashOperation', [...operation(id('cancelled'))]);
    expect(await asProposer.read('isOperationPending', [cancelled])).to.equal(true);
    expect(await refusal(asGuardian.send('schedule', [...operation(id('guardian')), BigInt(DELAY)]))).to.match(
      /AccessControlUnauthorizedAccount/,
    );
    await asGuardian.send('cancel', [cancelled]);
    expect(await asProposer.read('isOperation', [cancelled])).to.equal(false);

    await asProposer.send('schedule', [...operation(id('kept')), BigInt(DELAY)]);
    const scheduled = await asProposer.queryEvent('CallScheduled', null, 0);
    expect(scheduled.map((log) => asProposer.parseEvent('CallScheduled', log)?.data)).to.include(data);
    expect(await refusal(asProposer.send('execute', [...operation(id('kept'))]))).to.match(
      /TimelockUnexpectedOperationState/,
    );
    expect((await engine.read('riskAsset', [1])).feed).to.equal(eth.feed);

    await hubProvider.send('evm_increaseTime', [DELAY]);
    await hubProvider.send('evm_mine', []);
    await asGuardian.send('execute', [...operation(id('kept'))]);
    expect((await engine.read('riskAsset', [1])).feed).to.equal(newFeed.address);
  });
});
