/**
 * After a restart: what became of every liquidation record left unfinished. A record left planned
 * with its transaction hash is found by that hash (mined, pending, or never sent); one left
 * without a hash is adopted if the hub has a liquidation of it by this keeper that no record
 * claims; a submitted one settles if its SEIZE was delivered meanwhile. Nothing is sent twice.
 */
import type { TransactionReceipt } from 'ethers';
import type { marginHubAbi } from '@omnichain-collateral/sdk/abi';
import type { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import type { RpcProvider } from '../../chain/rpc.js';
import type { LiquidationRecord, RelayerStore } from '../../store/store.js';
import type { LiquidationRecords } from './liquidationRecords.js';
import type { LiquidationOutcomes } from './outcomes.js';

export interface ResumeDeps {
  keeper: string;
  provider: RpcProvider;
  hub: TypedContract<typeof marginHubAbi>;
  store: RelayerStore;
  records: LiquidationRecords;
  outcomes: LiquidationOutcomes;
}

export async function resumeLiquidations(deps: ResumeDeps): Promise<void> {
  const unfinished = deps.store.unfinishedLiquidations();
  // The records of one transaction (a batch) resume together: one receipt read, one replay.
  const sent = new Map<string, LiquidationRecord[]>();
  for (const record of unfinished) {
    if (record.status !== 'planned') continue;
    if (record.txHash) sent.set(record.txHash, [...(sent.get(record.txHash) ?? []), record]);
    else await resumeUnsent(deps, record);
  }
  for (const [txHash, records] of sent) await resumeSent(deps, records, txHash);
  for (const record of unfinished) if (record.status === 'submitted') deps.records.settleIfKnown(record);
  await deps.store.flushLiquidations();
}

/** Records left planned with the transaction they were signed into: mined, pending, or never sent. */
async function resumeSent(deps: ResumeDeps, records: readonly LiquidationRecord[], txHash: string): Promise<void> {
  const { provider, outcomes } = deps;
  const receipt = await provider.getTransactionReceipt(txHash);
  if (receipt?.status === 1) return outcomes.applyReceipt(records, receipt);
  if (receipt)
    return outcomes.failed(records, { code: 'CALL_EXCEPTION', message: 'reverted on-chain', receipt }, txHash);
  if (await provider.getTransaction(txHash)) return outcomes.track(records, txHash); // still pending
  for (const record of records) {
    delete record.txHash;
    await resumeUnsent(deps, record);
  }
}

async function resumeUnsent(deps: ResumeDeps, record: LiquidationRecord): Promise<void> {
  // Interrupted before the transaction was known to be sent: adopt it if the hub has it.
  const adopted = await findOnHub(deps, record);
  if (adopted) return deps.outcomes.applyReceipt([record], adopted);
  // Never sent: left planned without a transaction, the next pass sends it again if the account
  // is still liquidatable.
  deps.records.put(record);
}

async function findOnHub(deps: ResumeDeps, record: LiquidationRecord): Promise<TransactionReceipt | null> {
  const { provider, hub, store, records, keeper } = deps;
  const logs = await hub.queryEvent(
    record.kind === 'collateral' ? 'Liquidated' : 'PositionLiquidated',
    record.account,
    record.plannedBlock,
  );
  const known = new Set(store.liquidations().map((l) => l.txHash));
  for (const log of logs) {
    const tx = await provider.getTransaction(log.transactionHash);
    if (tx?.from === keeper && !known.has(log.transactionHash)) {
      record.txHash = log.transactionHash;
      records.put(record);
      return provider.getTransactionReceipt(log.transactionHash);
    }
  }
  return null;
}
