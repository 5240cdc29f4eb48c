/**
 * Checks the invariant the whole system protects, for every listed (chain, token):
 *   hub ledger + credits in flight <= tokens the vault has in custody <= the vault's token balance.
 * Credits in flight are the CREDIT packets the hub has not processed at the block the ledger was
 * read. Chains are read at slightly different moments, so a transient mismatch is possible while a
 * packet lands; a breach is alerted only when two consecutive checks see it.
 */
import { Contract } from 'ethers';
import { MessageType } from '../../sdk/src/messageCodec.js';
import { abis, latestBlock, type ChainClient } from './chains.js';
import type { HubReader } from './hubReader.js';
import type { Logger } from './log.js';
import type { RelayerMetrics } from './metrics.js';
import type { RelayerStore, StoredMessage } from './store.js';

export interface CustodyCheck {
  assetId: number;
  eid: number;
  token: string;
  hubLedger: bigint;
  creditsInFlight: bigint;
  custodied: bigint;
  balance: bigint;
  ok: boolean;
}

export class Reconciler {
  private readonly strikes = new Map<number, number>();
  last: CustodyCheck[] = [];

  constructor(
    private readonly reader: HubReader,
    private readonly chains: Map<number, ChainClient>,
    private readonly store: RelayerStore,
    private readonly log: Logger,
    private readonly metrics: RelayerMetrics,
    private readonly hubEid: number,
  ) {}

  async check(): Promise<CustodyCheck[]> {
    const hubBlock = await latestBlock(this.reader.provider);
    // Every CREDIT to the hub, delivered ones too: a reorg can undo a delivery, so each is asked
    // of the hub again at `hubBlock`.
    const credits = new Map<string, StoredMessage[]>();
    for (const m of this.store.messages()) {
      if (m.msgType !== MessageType.CREDIT || m.dstEid !== this.hubEid) continue;
      const key = creditKey(m.srcEid, m.token);
      const group = credits.get(key);
      if (group) group.push(m);
      else credits.set(key, [m]);
    }
    const checks: CustodyCheck[] = [];
    for (const asset of this.reader.listedAssets()) {
      const chain = this.chains.get(asset.eid);
      if (!chain) continue;
      const hubLedger = (await this.reader.hub.getFunction('totalCollateral')(asset.assetId, { blockTag: hubBlock })) as bigint;
      const sent = credits.get(creditKey(asset.eid, asset.token)) ?? [];
      const processed = await Promise.all(
        sent.map((m) => this.reader.hub.getFunction('creditProcessed')(m.srcEid, BigInt(m.id), { blockTag: hubBlock }) as Promise<boolean>),
      );
      let creditsInFlight = 0n;
      sent.forEach((m, i) => {
        if (!processed[i]) creditsInFlight += BigInt(m.amount);
      });
      const custodied = (await chain.vault.getFunction('custodied')(asset.token)) as bigint;
      const token = new Contract(asset.token, abis.erc20(), chain.provider);
      const balance = (await token.getFunction('balanceOf')(chain.config.vault)) as bigint;
      const ok = hubLedger + creditsInFlight <= custodied && custodied <= balance;
      checks.push({ assetId: asset.assetId, eid: asset.eid, token: asset.token, hubLedger, creditsInFlight, custodied, balance, ok });
      this.strike(asset.assetId, ok, checks.at(-1)!);
    }
    this.metrics.custodyBreaches.set(checks.filter((c) => !c.ok && (this.strikes.get(c.assetId) ?? 0) >= 2).length);
    this.last = checks;
    return checks;
  }

  private strike(assetId: number, ok: boolean, check: CustodyCheck): void {
    const strikes = ok ? 0 : (this.strikes.get(assetId) ?? 0) + 1;
    this.strikes.set(assetId, strikes);
    if (strikes === 2) {
      const detail = `asset ${assetId} on eid ${check.eid}: hub ledger ${check.hubLedger} + in flight ${check.creditsInFlight} vs custody ${check.custodied}, balance ${check.balance}`;
      this.log.error({ assetId, eid: check.eid, hubLedger: String(check.hubLedger), creditsInFlight: String(check.creditsInFlight), custodied: String(check.custodied), balance: String(check.balance) }, 'custody invariant breached');
      this.store.addAlert({ at: Date.now(), kind: 'custody-breach', detail });
    }
  }
}

function creditKey(srcEid: number, token: string): string {
  return `${srcEid}:${token.toLowerCase()}`;
}
