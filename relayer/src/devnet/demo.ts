/**
 * Demo accounts for a fresh devnet (anvil's default accounts 1 to 3): collateral on several
 * chains, a perp between two of them, and an isolated sub-account, so the API has something to
 * show from the first request.
 */
import { Wallet } from 'ethers';
import { toAccountId } from '@omnichain-collateral/sdk/accountId';
import { anvilKey } from './anvil.js';
import { devnetSigner, hubContracts, type DevnetManifest } from './deploySystem.js';
import { hubChain, mintAndDeposit, venueTrade } from './actions.js';
import type { Relayer } from '../relayer.js';
import { waitFor } from '../wait.js';

export interface DemoAccount {
  name: string;
  address: string;
  holdings: string;
}

const e18 = (n: bigint) => n * 10n ** 18n;

export async function seedDemoAccounts(manifest: DevnetManifest, relayer: Relayer): Promise<DemoAccount[]> {
  const [alice, bob, carol] = [anvilKey(1), anvilKey(2), anvilKey(3)];
  const spokes = manifest.chains.filter((c) => c.eid !== manifest.hubEid);
  const first = spokes[0]!;
  const second = spokes[1] ?? first;
  await mintAndDeposit(first, alice, 'WETH', e18(3n));
  await mintAndDeposit(second, alice, 'WETH', e18(2n));
  await mintAndDeposit(hubChain(manifest), bob, 'USDC', 250_000n * 10n ** 6n);
  await mintAndDeposit(first, carol, 'WETH', e18(1n), 1);

  // The trade needs alice's credits on the hub: the relayer delivers them.
  const { hub } = hubContracts(manifest, devnetSigner(hubChain(manifest), alice));
  const aliceAddress = new Wallet(alice).address;
  await waitFor(
    'the demo deposits to be delivered (30 s)',
    async () => (await hub.read('accountState', [toAccountId(aliceAddress, 0)])).assets !== 0n,
    30_000,
  );
  await waitFor('every demo message to be delivered', async () => relayer.store.inFlight().length === 0, Infinity);
  await venueTrade(manifest, anvilKey(0), { key: alice }, { key: bob }, 0, e18(10n), e18(3000n));
  return [
    {
      name: 'alice',
      address: aliceAddress,
      holdings: `3 WETH on ${first.name}, 2 WETH on ${second.name}; long 10 ETH-PERP at 3000`,
    },
    { name: 'bob', address: new Wallet(bob).address, holdings: '250,000 USDC on hub; short 10 ETH-PERP at 3000' },
    {
      name: 'carol',
      address: new Wallet(carol).address,
      holdings: `1 WETH on ${first.name} in isolated sub-account 1`,
    },
  ];
}
