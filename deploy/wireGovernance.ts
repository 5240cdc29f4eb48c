/**
 * The hand-off to governance, the last step of a deployment whose network file has `governance`:
 * a Timelock on every chain, then every admin power moved to it and the deployer's renounced.
 *
 * - The OApps (hub, vaults, health readers): ownership and the LayerZero delegate, so peers,
 *   enforced gas, libraries, DVNs and `skip`/`clear`/`burn` all wait on the delay.
 * - The risk engine: `DEFAULT_ADMIN_ROLE` and `RISK_ADMIN_ROLE` (feeds, listings, parameters).
 * - The hub and the steward: `DEFAULT_ADMIN_ROLE` (venues, backstop, steward bounds).
 * - Each vault: `DEFAULT_ADMIN_ROLE` and `LISTING_ROLE`; `PAUSER_ROLE` to the guardian.
 *
 * Each move is a `converge`, so a run cut off mid-way resumes and a later run sends nothing. Grants
 * come before renouncements: a run that dies between them leaves the power with both, never with
 * neither.
 */
import { ZeroAddress, ZeroHash } from 'ethers';
import type { Abi } from 'abitype';
import { endpointV2Abi, timelockAbi } from '@omnichain-collateral/sdk/abi';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { loadArtifact } from './artifacts.js';
import { sameAddress, type ChainContext, type DeployContext } from './context.js';

const accessControlAbi = [
  {
    type: 'function',
    name: 'hasRole',
    stateMutability: 'view',
    inputs: [
      { name: 'role', type: 'bytes32' },
      { name: 'account', type: 'address' },
    ],
    outputs: [{ name: '', type: 'bool' }],
  },
  {
    type: 'function',
    name: 'grantRole',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'role', type: 'bytes32' },
      { name: 'account', type: 'address' },
    ],
    outputs: [],
  },
  {
    type: 'function',
    name: 'renounceRole',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'role', type: 'bytes32' },
      { name: 'callerConfirmation', type: 'address' },
    ],
    outputs: [],
  },
] as const satisfies Abi;

const ownableOAppAbi = [
  { type: 'function', name: 'owner', stateMutability: 'view', inputs: [], outputs: [{ name: '', type: 'address' }] },
  {
    type: 'function',
    name: 'transferOwnership',
    stateMutability: 'nonpayable',
    inputs: [{ name: 'newOwner', type: 'address' }],
    outputs: [],
  },
  {
    type: 'function',
    name: 'setDelegate',
    stateMutability: 'nonpayable',
    inputs: [{ name: '_delegate', type: 'address' }],
    outputs: [],
  },
] as const satisfies Abi;

/** OpenZeppelin's AccessControl: the default admin role is zero; the others are read from each contract. */
const DEFAULT_ADMIN_ROLE = ZeroHash;

export interface AddressesToHandOver {
  hub: string;
  riskEngine: string;
  riskSteward?: string;
  vaults: Map<string, string>;
  healthReaders: Map<string, string>;
}

/** Returns chain name => its timelock, or nothing when the file has no `governance`. */
export async function wireGovernance(
  ctx: DeployContext,
  contracts: AddressesToHandOver,
): Promise<Map<string, string> | undefined> {
  const governance = ctx.file.governance;
  if (!governance) return undefined;
  const timelocks = new Map<string, string>();
  for (const chain of ctx.chains.values()) {
    const timelock = await ctx.ensureContract(
      `timelock:${chain.spec.name}`,
      chain,
      timelockAbi,
      loadArtifact('Timelock.sol'),
      [
        BigInt(governance.delaySeconds),
        governance.proposers,
        governance.executors.length > 0 ? governance.executors : [ZeroAddress],
        governance.guardian,
      ],
    );
    timelocks.set(chain.spec.name, timelock.address);
  }
  const hub = ctx.hub;
  const hubTimelock = timelocks.get(hub.spec.name)!;
  const riskAdmin = await roleOf(ctx, hub, contracts.riskEngine, 'RISK_ADMIN_ROLE');
  await handRoles(ctx, hub, 'risk engine', contracts.riskEngine, hubTimelock, [riskAdmin]);
  await handRoles(ctx, hub, 'hub', contracts.hub, hubTimelock, []);
  await handOApp(ctx, hub, 'hub', contracts.hub, hubTimelock);
  if (contracts.riskSteward) await handRoles(ctx, hub, 'risk steward', contracts.riskSteward, hubTimelock, []);
  for (const chain of ctx.chains.values()) {
    const timelock = timelocks.get(chain.spec.name)!;
    const vault = contracts.vaults.get(chain.spec.name)!;
    const listing = await roleOf(ctx, chain, vault, 'LISTING_ROLE');
    const pauser = await roleOf(ctx, chain, vault, 'PAUSER_ROLE');
    await grant(ctx, chain, 'vault', vault, pauser, governance.guardian);
    await handRoles(ctx, chain, 'vault', vault, timelock, [listing], [pauser]);
    await handOApp(ctx, chain, 'vault', vault, timelock);
    const reader = contracts.healthReaders.get(chain.spec.name);
    if (reader) await handOApp(ctx, chain, 'healthReader', reader, timelock);
  }
  return timelocks;
}

/** A role's id, read from the contract's own `<NAME>()` getter. */
async function roleOf(ctx: DeployContext, chain: ChainContext, address: string, name: string): Promise<string> {
  const getter = [
    { type: 'function', name, stateMutability: 'view', inputs: [], outputs: [{ name: '', type: 'bytes32' }] },
  ] as const satisfies Abi;
  return new TypedContract(getter, address, chain.provider).read(name, []) as Promise<string>;
}

async function grant(ctx: DeployContext, chain: ChainContext, what: string, address: string, role: string, to: string) {
  const c = new TypedContract(accessControlAbi, address, chain.signer);
  await ctx.converge(
    chain,
    `${what}: role ${role.slice(0, 10)} to ${to}`,
    () => c.read('hasRole', [role, to]),
    () => c.send('grantRole', [role, to]),
  );
}

/**
 * Gives `timelock` the default admin and `roles`, then renounces the deployer's `roles`,
 * `deployerOnly` (held by the deployer but not given to the timelock) and, last, its default admin.
 */
async function handRoles(
  ctx: DeployContext,
  chain: ChainContext,
  what: string,
  address: string,
  timelock: string,
  roles: string[],
  deployerOnly: string[] = [],
): Promise<void> {
  const c = new TypedContract(accessControlAbi, address, chain.signer);
  for (const role of [DEFAULT_ADMIN_ROLE, ...roles]) await grant(ctx, chain, what, address, role, timelock);
  for (const role of [...roles, ...deployerOnly, DEFAULT_ADMIN_ROLE]) {
    await ctx.converge(
      chain,
      `${what}: the deployer renounces role ${role.slice(0, 10)}`,
      async () => !(await c.read('hasRole', [role, ctx.deployer])),
      () => c.send('renounceRole', [role, ctx.deployer]),
    );
  }
}

/** The OApp's LayerZero delegate, then its owner (who alone may set the delegate), to `timelock`. */
async function handOApp(ctx: DeployContext, chain: ChainContext, what: string, address: string, timelock: string) {
  const oapp = new TypedContract(ownableOAppAbi, address, chain.signer);
  const endpoint = new TypedContract(endpointV2Abi, chain.lz.endpoint, chain.provider);
  await ctx.converge(
    chain,
    `${what}: LayerZero delegate ${timelock}`,
    async () => sameAddress(await endpoint.read('delegates', [address]), timelock),
    () => oapp.send('setDelegate', [timelock]),
  );
  await ctx.converge(
    chain,
    `${what}: owner ${timelock}`,
    async () => sameAddress(await oapp.read('owner', []), timelock),
    () => oapp.send('transferOwnership', [timelock]),
  );
}
