/**
 * Checks the invariant the whole system protects, for every listed (chain, token):
 *   hub ledger + credits in flight <= tokens the vault has in custody <= the vault's token balance.
 * It also accounts for the rest of custody: RELEASEs and SEIZEs on their way to the vault (the
 * hub has already taken them off the ledger) and messages the delegate dropped (cleared, skipped
 * or burnt: a dropped CREDIT's tokens were never credited, a dropped payout's never paid), which
 * stay in custody with no owner in the ledger. Once every chain is indexed, custody equals
 * ledger + credits in flight + payouts in flight + stranded, and `surplus` (custody minus all
 * that) is 0: a surplus is tokens nobody can account for.
 * The hub ledger is read at the block the hub's indexer has reached; credits in flight are the
 * CREDITs the relayer has seen sent and not seen delivered, which at that block is exactly what
 * the hub has not applied (a delivery the indexer has not reached yet still counts as in flight,
 * which can only understate the left side for a moment; before the hub's indexer has a block
 * there is no check). So a check is one Multicall3 call on
 * the hub and one on each vault's chain, however many credits are in flight. The vault on the hub
 * chain is read at that same block. Other chains are read at their latest block, slightly later,
 * so a breach is alerted only when two consecutive checks see it; and while the hub's indexer is
 * more than a block behind the hub, their checks wait: a RELEASE or SEIZE the hub sent after the
 * indexer's block is still in that ledger, yet may already have left the vault (in a crash of
 * 10,000 accounts the indexer fell behind by seconds, and healthy vaults were alerted as breached).
 * A chain that does not answer is skipped for that check, not counted as a breach.
 */
import { batchCall } from '@omnichain-collateral/sdk/contracts/multicall';
import { erc20, type ChainClient } from '../chain/clients.js';
import type { AssetInfo } from '@omnichain-collateral/sdk/risk/accountRisk';
import type { HubReader } from '../chain/hubReader.js';
import type { Logger } from '../log.js';
import type { RelayerMetrics } from '../metrics.js';
import type { RelayerStore } from '../store/store.js';
import { BreachStrikes, custodyHolds, inFlightTotals, vaultReads } from './custody.js';
import { Loop } from './loop.js';

export interface CustodyCheck {
  assetId: number;
  eid: number;
  token: string;
  hubLedger: bigint;
  creditsInFlight: bigint;
  /** RELEASEs and SEIZEs to this vault the hub sent and the vault has not executed */
  payoutsInFlight: bigint;
  /** tokens of messages the delegate dropped: in custody, in no ledger, payable by nothing */
  stranded: bigint;
  custodied: bigint;
  balance: bigint;
  ok: boolean;
}

export class Reconciler {
  readonly loop: Loop;
  private readonly strikes = new BreachStrikes();
  last: CustodyCheck[] = [];

  constructor(
    private readonly reader: HubReader,
    private readonly chains: Map<number, ChainClient>,
    private readonly store: RelayerStore,
    private readonly log: Logger,
    private readonly metrics: RelayerMetrics,
    private readonly hubEid: number,
  ) {
    this.loop = new Loop('reconciler', async () => void (await this.check()), log);
  }

  async check(): Promise<CustodyCheck[]> {
    // Until the hub's indexer has a block, deliveries the hub already applied still look in
    // flight: the ledger at any block would count them twice. Nothing to compare yet.
    const hubBlock = this.store.checkpoint(this.hubEid)?.block;
    if (hubBlock === undefined) return [];
    const assets = this.reader.listedAssets().filter((a) => this.chains.has(a.eid));
    const totals = inFlightTotals(assets, this.store.inFlight(), this.store.dropped(), this.hubEid);
    const ledger = this.reader.multicall.values(
      assets.map((a) => batchCall(this.reader.hub, 'totalCollateral', [a.assetId])),
      { blockTag: hubBlock },
    );
    const head = this.chains.get(this.hubEid)?.heads.head ?? -1;
    const reads = vaultReads(assets, this.hubEid, hubBlock, head);
    if (reads.length < assets.length)
      this.log.debug({ hubBlock, head }, 'spoke custody checks wait: the hub indexer is behind the hub');
    const vaults = assets.map((a) => {
      const read = reads.find((r) => r.asset === a);
      return read && this.vaultSide(a, read.block).catch((err: unknown) => err as Error);
    });
    const hubSide = await ledger;
    const checks: CustodyCheck[] = [];
    for (const [i, asset] of assets.entries()) {
      const hubLedger = hubSide[i]!;
      const { credits: creditsInFlight, payouts: payoutsInFlight, stranded } = totals[i]!;
      const vault = await vaults[i];
      if (vault === undefined) continue;
      if (vault instanceof Error) {
        this.log.warn(
          { assetId: asset.assetId, eid: asset.eid, err: vault.message },
          'custody check skipped: the vault chain did not answer',
        );
        continue;
      }
      const ok = custodyHolds(hubLedger, creditsInFlight, vault.custodied, vault.balance);
      const check = {
        assetId: asset.assetId,
        eid: asset.eid,
        token: asset.token,
        hubLedger,
        creditsInFlight,
        payoutsInFlight,
        stranded,
        ...vault,
        ok,
      };
      checks.push(check);
      this.strike(check);
    }
    this.metrics.custodyBreaches.set(checks.filter((c) => this.strikes.inBreach(c.assetId)).length);
    this.last = checks;
    return checks;
  }

  /** What the asset's vault holds in custody and its token balance, in one call on its chain (at `block`, or its latest). */
  private async vaultSide(asset: AssetInfo, block?: number): Promise<{ custodied: bigint; balance: bigint }> {
    const chain = this.chains.get(asset.eid)!;
    const [custodied, balance] = await chain.multicall.values(
      [
        batchCall(chain.vault, 'custodied', [asset.token]),
        batchCall(erc20(asset.token, chain), 'balanceOf', [chain.config.vault]),
      ],
      block === undefined ? {} : { blockTag: block },
    );
    return { custodied, balance };
  }

  private strike(check: CustodyCheck): void {
    if (this.strikes.record(check.assetId, check.ok)) {
      const detail = `asset ${check.assetId} on eid ${check.eid}: hub ledger ${check.hubLedger} + in flight ${check.creditsInFlight} vs custody ${check.custodied}, balance ${check.balance}`;
      this.log.error(
        {
          assetId: check.assetId,
          eid: check.eid,
          hubLedger: String(check.hubLedger),
          creditsInFlight: String(check.creditsInFlight),
          custodied: String(check.custodied),
          balance: String(check.balance),
        },
        'custody invariant breached',
      );
      this.store.addAlert({ at: Date.now(), kind: 'custody-breach', detail });
    }
  }
}
