/**
 * One transaction of the keeper's duties beside liquidation (a settlement price fixed, an expired
 * position settled, a price recorded): sent on the keeper's next nonce at the fees its gas price
 * cap allows, and waited for. A revert throws; any failure frees the nonce taken.
 */
import type { Abi } from 'abitype';
import type { FnArgs, TypedContract, WriteName } from '@omnichain-collateral/sdk/contracts/typedContract';
import type { Nonces } from '../../chain/nonces.js';
import { waitForReceipt } from '../../chain/receipts.js';
import type { RpcProvider } from '../../chain/rpc.js';
import type { SendQuotes } from './sendQuotes.js';

export interface SideTransactionDeps {
  provider: RpcProvider;
  nonces: Nonces;
  quotes: SendQuotes;
}

/** Returns the transaction's hash once it succeeded. */
export async function sendSideTransaction<A extends Abi, N extends WriteName<A>>(
  deps: SideTransactionDeps,
  contract: TypedContract<A>,
  name: N,
  args: FnArgs<A, N>,
): Promise<string> {
  try {
    const { fees } = await deps.quotes.current([]);
    const tx = await contract.write(name, args, { nonce: await deps.nonces.take(), ...fees });
    const receipt = await waitForReceipt(deps.provider, tx.hash);
    if (receipt.status !== 1) throw new Error(`${name} reverted in ${tx.hash}`);
    return tx.hash;
  } catch (err) {
    deps.nonces.reset();
    throw err;
  }
}
