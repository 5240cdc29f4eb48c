/**
 * The risk steward: deployed on the hub chain beside the risk engine, given RISK_ADMIN_ROLE on
 * it, its proposer given STEWARD_ROLE, and each stewarded parameter's bounds set as the network
 * file gives them (the deployer is the steward's governance).
 */
import { riskEngineAbi, riskStewardAbi } from '@omnichain-collateral/sdk/abi';
import type { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { loadArtifact } from './artifacts.js';
import type { DeployContext } from './context.js';
import { collateralIndex, STEWARD_PARAMETERS } from './networkFile.js';
import { riskAssetIds } from './wireRisk.js';

export async function wireSteward(
  ctx: DeployContext,
  engine: TypedContract<typeof riskEngineAbi>,
): Promise<string | undefined> {
  const file = ctx.file.steward;
  if (!file) return undefined;
  const hub = ctx.hub;
  const steward = await ctx.ensureContract('riskSteward', hub, riskStewardAbi, loadArtifact('RiskSteward.sol'), [
    engine.address,
    ctx.deployer,
    file.proposer,
  ]);
  const riskAdmin = await engine.read('RISK_ADMIN_ROLE', []);
  await ctx.converge(
    hub,
    `risk steward ${steward.address} is a risk admin`,
    () => engine.read('hasRole', [riskAdmin, steward.address]),
    () => engine.send('grantRole', [riskAdmin, steward.address]),
  );
  const proposerRole = await steward.read('STEWARD_ROLE', []);
  await ctx.converge(
    hub,
    `${file.proposer} may propose to the risk steward`,
    () => steward.read('hasRole', [proposerRole, file.proposer]),
    () => steward.send('grantRole', [proposerRole, file.proposer]),
  );
  const riskIds = riskAssetIds(ctx.file);
  for (const b of file.bounds) {
    const parameter = STEWARD_PARAMETERS.indexOf(b.parameter);
    const id =
      b.parameter === 'scanRange' || b.parameter === 'volShift'
        ? riskIds.get(b.target)!
        : collateralIndex(ctx.file, b.target)!;
    const want = {
      min: b.min,
      max: b.max,
      maxStep: b.maxStep,
      cooldown: b.cooldown,
      loweringDelay: b.loweringDelay,
      maxDailyRaise: b.maxDailyRaise,
    };
    await ctx.converge(
      hub,
      `risk steward bounds of ${b.parameter} of ${b.target}`,
      async () => {
        const now = await steward.read('boundsOf', [parameter, id]);
        return (
          now.min === want.min &&
          now.max === want.max &&
          now.maxStep === want.maxStep &&
          now.cooldown === want.cooldown &&
          now.loweringDelay === want.loweringDelay &&
          now.maxDailyRaise === want.maxDailyRaise
        );
      },
      () => steward.send('setBounds', [parameter, id, want]),
    );
  }
  return steward.address;
}
