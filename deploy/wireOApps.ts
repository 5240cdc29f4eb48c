/**
 * The OApps' own settings: vault collateral tokens and caps, peers (set once: a peer already
 * pointing elsewhere is an error, never overwritten), enforced lzReceive gas per message type,
 * and the hub's trading venues.
 */
import { zeroPadValue } from 'ethers';
import { collateralVaultAbi, marginHubAbi } from '@omnichain-collateral/sdk/abi';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { lzReceiveOption } from '@omnichain-collateral/sdk/lzOptions';
import { MessageType } from '@omnichain-collateral/sdk/messageCodec';
import type { ChainContext, DeployContext } from './context.js';

type Hub = TypedContract<typeof marginHubAbi>;
type Vault = TypedContract<typeof collateralVaultAbi>;

/**
 * The LayerZero OApp functions (peers, enforced options) the hub and every vault inherit from
 * the same base contracts, called through the vault's ABI on either.
 */
const oapp = (chain: ChainContext, address: string): Vault =>
  new TypedContract(collateralVaultAbi, address, chain.signer);

export async function wireVaultTokens(ctx: DeployContext, chain: ChainContext, vault: Vault): Promise<void> {
  for (const c of ctx.file.collateral.filter((x) => x.chain === chain.spec.name)) {
    await ctx.converge(
      chain,
      `vault takes ${c.symbol} (cap ${c.cap})`,
      async () => {
        const [allowed, cap] = await vault.read('tokenConfig', [c.token]);
        return allowed && cap === c.cap;
      },
      () => vault.send('configureToken', [c.token, true, c.cap]),
    );
  }
}

/** Sets `oapp`'s peer on `eid` to `peer` unless it already is; refuses to touch a different one. */
export async function wirePeer(
  ctx: DeployContext,
  chain: ChainContext,
  label: string,
  address: string,
  eid: number,
  peer: string,
): Promise<void> {
  const contract = oapp(chain, address);
  const want = zeroPadValue(peer, 32).toLowerCase();
  const now = (await contract.read('peers', [eid])).toLowerCase();
  if (now !== want && BigInt(now) !== 0n) {
    throw new Error(
      `${chain.spec.name}: ${label}'s peer for endpoint ${eid} is already ${now}, not ${want}; peers are set once`,
    );
  }
  await ctx.converge(
    chain,
    `${label}: peer for endpoint ${eid}`,
    async () => now === want,
    () => contract.send('setPeer', [eid, want]),
  );
}

/** Every message `oapp` sends to `eid` carries the file's lzReceive gas for its type. */
export async function wireEnforcedOptions(
  ctx: DeployContext,
  chain: ChainContext,
  label: string,
  address: string,
  eid: number,
  types: Array<keyof typeof MessageType>,
): Promise<void> {
  const contract = oapp(chain, address);
  const wanted = types.map((t) => ({
    eid,
    msgType: MessageType[t],
    options: lzReceiveOption(ctx.file.enforcedGas[t]),
  }));
  const stale: typeof wanted = [];
  for (const w of wanted)
    if ((await contract.read('enforcedOptions', [eid, w.msgType])).toLowerCase() !== w.options.toLowerCase())
      stale.push(w);
  await ctx.converge(
    chain,
    `${label}: enforced gas to endpoint ${eid} (${types.join(', ')})`,
    async () => stale.length === 0,
    () => contract.send('setEnforcedOptions', [stale]),
  );
}

export async function wireVenues(ctx: DeployContext, hub: Hub): Promise<void> {
  const role = await hub.read('VENUE_ROLE', []);
  for (const { address: venue, cashPerPeriod, periodSeconds } of ctx.file.venues) {
    await ctx.converge(
      ctx.hub,
      `venue role for ${venue}`,
      () => hub.read('hasRole', [role, venue]),
      () => hub.send('grantRole', [role, venue]),
    );
    await ctx.converge(
      ctx.hub,
      `venue ${venue}: settles at most ${cashPerPeriod} USD WAD per ${periodSeconds} s`,
      async () => {
        const limit = await hub.read('venueLimit', [venue]);
        return limit.cashPerPeriod === cashPerPeriod && Number(limit.period) === periodSeconds;
      },
      () => hub.send('setVenueLimit', [venue, cashPerPeriod, periodSeconds]),
    );
  }
}
