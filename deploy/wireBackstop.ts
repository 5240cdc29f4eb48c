/**
 * The backstop vault: deployed on the hub chain beside the hub, with its parameters from the
 * network file, and given BACKSTOP_ROLE on the hub so that it may take accounts over whole.
 */
import { backstopVaultAbi, marginHubAbi } from '@omnichain-collateral/sdk/abi';
import type { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { loadArtifact } from './artifacts.js';
import type { DeployContext } from './context.js';

export async function wireBackstop(
  ctx: DeployContext,
  hub: TypedContract<typeof marginHubAbi>,
): Promise<string | undefined> {
  const file = ctx.file.backstop;
  if (!file) return undefined;
  const vault = await ctx.ensureContract('backstop', ctx.hub, backstopVaultAbi, loadArtifact('BackstopVault.sol'), [
    hub.address,
    file.name,
    file.symbol,
    file.backstopHealth,
    BigInt(file.patienceBlocks),
    file.rewardTokens,
  ]);
  const role = await hub.read('BACKSTOP_ROLE', []);
  await ctx.converge(
    ctx.hub,
    `backstop vault ${vault.address} may take accounts over on the hub`,
    () => hub.read('hasRole', [role, vault.address]),
    () => hub.send('grantRole', [role, vault.address]),
  );
  return vault.address;
}
