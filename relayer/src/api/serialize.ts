/**
 * JSON shapes of the API: USD figures as exact decimal strings, token amounts as integer strings;
 * each typed by the SDK's schema of it (sdk/src/api/schemas.ts), which its client checks answers with.
 */
import { MessageType } from '@omnichain-collateral/sdk/messageCodec';
import { formatHealth, formatWad, WAD } from '@omnichain-collateral/sdk/risk/marginModel';
import type { AccountRisk } from '@omnichain-collateral/sdk/risk/accountRisk';
import type { LiquidationPrice } from '@omnichain-collateral/sdk/risk/preview';
import type {
  AccountJson,
  LiquidationJson,
  LiquidationPriceJson,
  MessageJson,
} from '@omnichain-collateral/sdk/api/schemas';
import { isFinished, type LiquidationRecord, type StoredMessage } from '../store/store.js';

/** message type number => its name (1 => 'CREDIT', ...) */
const MESSAGE_TYPES: Record<number, string> = Object.fromEntries(
  Object.entries(MessageType).map(([name, type]) => [type, name]),
);

export function accountJson(r: AccountRisk, chainName: (eid: number) => string): AccountJson {
  return {
    accountId: r.accountId,
    owner: r.owner,
    subAccount: r.subAccount,
    margin: r.subAccount === 0 ? 'cross' : 'isolated',
    block: r.block,
    health: r.health === undefined ? null : formatHealth(r.health),
    liquidatable: r.health === undefined ? null : r.health < WAD,
    equityUsd: r.figures
      ? { initial: formatWad(r.figures.initialEquity), maintenance: formatWad(r.figures.maintenanceEquity) }
      : null,
    requirementUsd: r.figures
      ? { initial: formatWad(r.figures.initialRequirement), maintenance: formatWad(r.figures.maintenanceRequirement) }
      : null,
    cashUsd: formatWad(r.cash),
    collateral: r.collateral.map((c) => ({
      chain: chainName(c.asset.eid),
      eid: c.asset.eid,
      assetId: c.asset.assetId,
      token: c.asset.token,
      amount: c.amount.toString(),
      decimals: c.asset.decimals,
      priceUsd: formatWad(c.price),
      valueUsd: formatWad(c.valueUsd),
      initialValueUsd: formatWad(c.initialValueUsd),
      maintenanceValueUsd: formatWad(c.maintenanceValueUsd),
      concentrationAddOn: formatWad(c.concentrationAddOn),
      priceError: c.priceError ?? null,
    })),
    positions: r.positions.map((p) => ({
      marketId: p.market.marketId,
      kind: p.market.kind,
      ...(p.market.kind === 'perp'
        ? {}
        : {
            strikeUsd: formatWad(p.market.strike),
            expiry: new Date(p.market.expiry * 1000).toISOString(),
            settled: p.market.settlementPrice !== 0n,
          }),
      size: formatWad(p.size),
      underlyingPriceUsd: formatWad(p.price),
      markUsd: formatWad(p.markUsd),
      valueUsd: formatWad(p.valueUsd),
    })),
    greeks:
      r.greeks?.map((g) => ({ riskAsset: g.riskAsset, delta: formatWad(g.delta), vegaUsd: formatWad(g.vega) })) ?? null,
    priceErrors: r.priceErrors,
  };
}

/** Where an underlying's price makes the account liquidatable (USD decimal strings; null: not within a 100x move). */
export function liquidationPriceJson(l: LiquidationPrice): LiquidationPriceJson {
  const usd = (x: bigint | null) => (x === null ? null : formatWad(x));
  return {
    riskAsset: l.riskAsset,
    priceUsd: formatWad(l.price),
    liquidationPriceUsd: usd(l.liquidationPrice),
    belowUsd: usd(l.below),
    aboveUsd: usd(l.above),
  };
}

/** A stored message for the API; `stuck` is why it stopped moving, if it did. */
export function messageJson(m: StoredMessage, stuck?: string): MessageJson {
  return {
    guid: m.guid,
    type: MESSAGE_TYPES[m.msgType] ?? String(m.msgType),
    id: m.id,
    srcEid: m.srcEid,
    dstEid: m.dstEid,
    nonce: m.nonce,
    account: m.account,
    subAccount: m.subAccount,
    token: m.token,
    amount: m.amount,
    recipient: m.recipient,
    status: m.status,
    failed: !isFinished(m.status) && m.lastError !== undefined,
    stuck: stuck ?? null,
    attempts: m.attempts,
    lastError: m.lastError ?? null,
    sentBlock: m.sentBlock,
    sentAt: new Date(m.sentAt).toISOString(),
    deliveredAt: m.deliveredAt ? new Date(m.deliveredAt).toISOString() : null,
  };
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export function liquidationJson(l: LiquidationRecord, chainName: (eid: number) => string): LiquidationJson {
  return {
    id: l.id,
    account: l.account,
    kind: l.kind,
    status: l.status,
    reason: l.reason ?? null,
    assetId: l.assetId ?? null,
    marketId: l.marketId ?? null,
    chain: l.dstEid === undefined ? null : chainName(l.dstEid),
    healthAtPlan: formatWad(BigInt(l.healthAtPlan)),
    repaidUsd: l.repaidUsd === undefined ? null : formatWad(BigInt(l.repaidUsd)),
    seized: l.seized ?? null,
    sizeTaken: l.sizeTaken === undefined ? null : formatWad(BigInt(l.sizeTaken)),
    txHash: l.txHash ?? null,
    guid: l.guid ?? null,
    priceSeenBlock: l.priceSeenBlock,
    plannedBlock: l.plannedBlock,
    plannedAt: iso(l.plannedAt),
    hubBlock: l.hubBlock ?? null,
    priceSeenAt: iso(l.priceSeenAt || undefined),
    submittedAt: iso(l.submittedAt),
    seizedAt: iso(l.seizedAt),
    settledAt: iso(l.settledAt),
    /** from the price change the keeper acted on to the SEIZE executed on the collateral chain */
    latencyMs: l.seizedAt !== undefined && l.priceSeenAt > 0 ? l.seizedAt - l.priceSeenAt : null,
    latencyBlocks: l.hubBlock !== undefined && l.priceSeenBlock > 0 ? l.hubBlock - l.priceSeenBlock : null,
  };
}
