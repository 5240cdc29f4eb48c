/**
 * Deploys and wires the whole system on the chains a network file names: RiskEngine and
 * MarginHub on the hub chain, a CollateralVault on every chain, then the risk configuration,
 * collateral tokens, peers, enforced options and every pathway's LayerZero configuration. Each
 * step reads the chain first and acts only where it differs from the file (see context.ts), so
 * the same call deploys, resumes and verifies.
 */
import { collateralVaultAbi, marginHubAbi, riskEngineAbi } from '@omnichain-collateral/sdk/abi';
import type { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { loadArtifact } from './artifacts.js';
import { DeployContext, sameAddress, type ChainContext, type DeployLog } from './context.js';
import { loadProgress, type DeployedChain, type DeploymentManifest } from './manifest.js';
import type { NetworkFile } from './networkFile.js';
import { wireCollateral, wireMarkets, wireRiskAssets } from './wireRisk.js';
import { wireEnforcedOptions, wirePeer, wireVaultTokens, wireVenues } from './wireOApps.js';
import { wirePathway } from './wireLayerZero.js';
import { wireHealthReaders } from './wireRead.js';
import { wireSteward } from './wireSteward.js';
import { wireBackstop } from './wireBackstop.js';
import { wireGovernance } from './wireGovernance.js';

export interface DeployOptions {
  /** where progress and the finished manifest are kept; without one, a run cannot be resumed */
  manifestPath?: string;
  log?: DeployLog;
  /** how often to poll for a receipt (ms): short on local chains */
  pollingIntervalMs?: number;
}

export interface DeployResult {
  manifest: DeploymentManifest;
  /** transactions this run sent: 0 when the chains already matched the file */
  transactions: number;
}

export async function deployNetwork(
  file: NetworkFile,
  deployerKey: string,
  options: DeployOptions = {},
): Promise<DeployResult> {
  const progress = options.manifestPath ? loadProgress(options.manifestPath) : undefined;
  const ctx = await DeployContext.connect(file, deployerKey, {
    ...(progress ? { progress } : {}),
    ...(options.manifestPath ? { progressPath: options.manifestPath } : {}),
    log: options.log ?? (() => undefined),
    pollingIntervalMs: options.pollingIntervalMs ?? 1_000,
  });
  const hub = ctx.hub;
  const admin = ctx.deployer;

  const engine = await ctx.ensureContract('riskEngine', hub, riskEngineAbi, loadArtifact('RiskEngine.sol'), [admin]);
  await wireRiskAssets(ctx, engine);
  const hubContract = await ctx.ensureContract('hub', hub, marginHubAbi, loadArtifact('MarginHub.sol'), [
    hub.lz.endpoint,
    admin,
    file.settlement.token,
    file.settlement.decimals,
    engine.address,
  ]);

  // The engine asks the hub which settled options nobody holds before it lists under their ids.
  await ctx.converge(
    hub,
    `risk engine margins for hub ${hubContract.address}`,
    async () => sameAddress(await engine.read('hub', []), hubContract.address),
    () => engine.send('setHub', [hubContract.address]),
  );

  const vaults = new Map<string, TypedContract<typeof collateralVaultAbi>>();
  for (const chain of ctx.chains.values()) {
    const vault = await ctx.ensureContract(
      `vault:${chain.spec.name}`,
      chain,
      collateralVaultAbi,
      loadArtifact('CollateralVault.sol'),
      [chain.lz.endpoint, admin, hub.eid],
    );
    vaults.set(chain.spec.name, vault);
    await wireVaultTokens(ctx, chain, vault);
    await wirePeer(ctx, chain, 'vault', vault.address, hub.eid, hubContract.address);
    await wirePeer(ctx, hub, 'hub', hubContract.address, chain.eid, vault.address);
    if (chain === hub) continue; // the hub and its own chain's vault call each other directly
    await wireEnforcedOptions(ctx, chain, 'vault', vault.address, hub.eid, ['CREDIT']);
    await wireEnforcedOptions(ctx, hub, 'hub', hubContract.address, chain.eid, ['RELEASE', 'SEIZE']);
    await wirePathway(ctx, chain, 'vault', vault.address, hub);
    await wirePathway(ctx, hub, 'hub', hubContract.address, chain);
  }
  await wireCollateral(ctx, engine);
  await wireMarkets(ctx, engine);
  await wireVenues(ctx, hubContract);
  const readers = await wireHealthReaders(ctx, hubContract.address);
  const steward = await wireSteward(ctx, engine);
  const backstop = await wireBackstop(ctx, hubContract);
  // Last: once handed over, the deployer can no longer change what the steps above set.
  const timelocks = await wireGovernance(ctx, {
    hub: hubContract.address,
    riskEngine: engine.address,
    ...(steward ? { riskSteward: steward } : {}),
    vaults: new Map([...vaults].map(([name, v]) => [name, v.address])),
    healthReaders: readers,
  });

  const manifest = {
    ...buildManifest(ctx, hubContract.address, engine.address, vaults, readers, timelocks),
    ...(steward ? { riskSteward: steward } : {}),
    ...(backstop ? { backstop } : {}),
  };
  ctx.progress.manifest = manifest;
  ctx.save();
  ctx.log(
    `${file.name}: ${ctx.transactions === 0 ? 'every chain already matches the network file' : `${ctx.transactions} transactions sent`}`,
  );
  return { manifest, transactions: ctx.transactions };
}

function buildManifest(
  ctx: DeployContext,
  hub: string,
  riskEngine: string,
  vaults: Map<string, { address: string }>,
  readers: Map<string, string>,
  timelocks: Map<string, string> | undefined,
): DeploymentManifest {
  const file = ctx.file;
  const chainEntry = (chain: ChainContext): DeployedChain => {
    const { spec, lz } = chain;
    const tokens = Object.fromEntries(
      file.collateral.filter((c) => c.chain === spec.name).map((c) => [c.symbol, c.token]),
    );
    return {
      name: spec.name,
      chainId: spec.chainId,
      eid: chain.eid,
      rpcUrl: spec.rpcUrl,
      confirmations: spec.confirmations,
      endpoint: lz.endpoint,
      ...(file.pathway.messageLib === 'simple'
        ? { messageLib: lz.sendLib }
        : {
            uln: {
              sendLib: lz.sendLib,
              receiveLib: lz.receiveLib,
              executor: lz.executor!,
              requiredDVNs: lz.requiredDVNs,
              optionalDVNs: lz.optionalDVNs,
            },
          }),
      vault: vaults.get(spec.name)!.address,
      ...(readers.has(spec.name) && lz.read && file.read
        ? { read: { channel: file.read.channel, healthReader: readers.get(spec.name)!, ...lz.read } }
        : {}),
      tokens,
      ...(timelocks ? { timelock: timelocks.get(spec.name)! } : {}),
    };
  };
  return {
    network: file.name,
    deployer: ctx.deployer,
    ...(file.governance ? { guardian: file.governance.guardian } : {}),
    hubEid: ctx.hub.eid,
    hub,
    riskEngine,
    feeds: Object.fromEntries(file.riskAssets.map((r) => [r.name, r.feed])),
    assets: file.collateral.map((c, assetId) => ({
      assetId,
      eid: ctx.chain(c.chain).eid,
      symbol: c.symbol,
      token: c.token,
    })),
    markets: file.markets.map((m, marketId) => ({ marketId, name: m.name })),
    chains: [...ctx.chains.values()].map(chainEntry),
  };
}
