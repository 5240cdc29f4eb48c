/**
 * The relayer API's JSON, defined once: the relayer's serializers are typed against these
 * schemas (so they cannot drift apart), and the SDK's client (client.ts) validates every answer
 * with them. USD figures are exact decimal strings, token amounts integer strings in base units,
 * health a decimal string or "Infinity".
 */
import { z } from 'zod';

const decimal = z.string();
const integer = z.string().regex(/^-?\d+$/);
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/);
const iso = z.string();

export const collateralLineSchema = z.object({
  chain: z.string(),
  eid: z.number(),
  assetId: z.number(),
  token: address,
  amount: integer,
  decimals: z.number(),
  priceUsd: decimal,
  valueUsd: decimal,
  initialValueUsd: decimal,
  maintenanceValueUsd: decimal,
  /** what this holding's size adds to both the asset's haircuts (a fraction): the concentration add-on */
  concentrationAddOn: decimal,
  /** why the holding's price cannot be trusted: it then counts for nothing (values 0); null when trusted */
  priceError: z.string().nullable(),
});

export const positionLineSchema = z.object({
  marketId: z.number(),
  kind: z.enum(['perp', 'call', 'put']),
  strikeUsd: decimal.optional(),
  expiry: iso.optional(),
  settled: z.boolean().optional(),
  size: decimal,
  underlyingPriceUsd: decimal,
  markUsd: decimal,
  valueUsd: decimal,
});

/** One sub-account's figures, as the hub computes them. */
export const accountSchema = z.object({
  accountId: hex32,
  owner: address,
  subAccount: z.number(),
  margin: z.enum(['cross', 'isolated']),
  block: z.number(),
  health: z.string().nullable(),
  liquidatable: z.boolean().nullable(),
  equityUsd: z.object({ initial: decimal, maintenance: decimal }).nullable(),
  requirementUsd: z.object({ initial: decimal, maintenance: decimal }).nullable(),
  cashUsd: decimal,
  collateral: z.array(collateralLineSchema),
  positions: z.array(positionLineSchema),
  greeks: z.array(z.object({ riskAsset: z.number(), delta: decimal, vegaUsd: decimal })).nullable(),
  priceErrors: z.array(z.string()),
});

/** Where an underlying's price makes the account liquidatable (null: not within a 100x move). */
export const liquidationPriceSchema = z.object({
  riskAsset: z.number(),
  priceUsd: decimal,
  liquidationPriceUsd: decimal.nullable(),
  belowUsd: decimal.nullable(),
  aboveUsd: decimal.nullable(),
});

export const messageStatusSchema = z.enum(['sent', 'verified', 'delivered', 'cleared', 'skipped', 'burnt']);

export const messageJsonSchema = z.object({
  guid: hex32,
  type: z.string(),
  id: integer,
  srcEid: z.number(),
  dstEid: z.number(),
  nonce: integer,
  account: address,
  subAccount: z.number(),
  token: address,
  amount: integer,
  recipient: address,
  status: messageStatusSchema,
  failed: z.boolean(),
  stuck: z.string().nullable(),
  attempts: z.number(),
  lastError: z.string().nullable(),
  sentBlock: z.number(),
  sentAt: iso,
  deliveredAt: iso.nullable(),
});

/** GET /v1/accounts/:address */
export const ownerAccountsSchema = z.object({
  owner: address,
  block: z.number(),
  accounts: z.array(
    accountSchema.extend({ liquidationPrices: z.array(liquidationPriceSchema), inFlight: z.array(messageJsonSchema) }),
  ),
});

/** POST /v1/accounts/:address/preview */
export const previewResponseSchema = z.object({
  owner: address,
  subAccount: z.number(),
  block: z.number(),
  before: accountSchema,
  after: accountSchema.extend({ liquidationPrices: z.array(liquidationPriceSchema) }),
});

const page = { total: z.number(), offset: z.number(), limit: z.number() };

/** GET /v1/accounts */
export const accountsPageSchema = z.object({ maxHealth: decimal, ...page, accounts: z.array(accountSchema) });

/** GET /v1/messages */
export const messagesPageSchema = z.object({ status: z.string(), ...page, messages: z.array(messageJsonSchema) });

export const liquidationSchema = z.object({
  id: z.string(),
  account: hex32,
  kind: z.enum(['collateral', 'position']),
  status: z.enum(['planned', 'submitted', 'seized', 'settled', 'dropped', 'failed']),
  reason: z.string().nullable(),
  assetId: z.number().nullable(),
  marketId: z.number().nullable(),
  chain: z.string().nullable(),
  healthAtPlan: decimal,
  repaidUsd: decimal.nullable(),
  seized: integer.nullable(),
  sizeTaken: decimal.nullable(),
  txHash: hex32.nullable(),
  guid: hex32.nullable(),
  priceSeenBlock: z.number(),
  plannedBlock: z.number(),
  plannedAt: iso.nullable(),
  hubBlock: z.number().nullable(),
  priceSeenAt: iso.nullable(),
  submittedAt: iso.nullable(),
  seizedAt: iso.nullable(),
  settledAt: iso.nullable(),
  latencyMs: z.number().nullable(),
  latencyBlocks: z.number().nullable(),
});

/** GET /v1/liquidations */
export const liquidationsPageSchema = z.object({
  status: z.string(),
  ...page,
  liquidations: z.array(liquidationSchema),
});

export const chainSchema = z.object({
  name: z.string(),
  chainId: z.number(),
  eid: z.number(),
  rpcUrl: z.string(),
  head: z.number().nullable(),
  checkpoint: z.number().nullable(),
  lag: z.number().nullable(),
  confirmations: z.number(),
  /** the chain's HealthReader (on spokes deployed with lzRead): the hub's health, readable on-chain here */
  healthReader: z.string().nullable(),
});

/** GET /v1/chains */
export const chainsSchema = z.object({ chains: z.array(chainSchema) });

export const feeSchema = z.object({
  assetId: z.number(),
  chain: z.string().nullable(),
  eid: z.number(),
  token: address,
  depositWei: integer.nullable(),
  withdrawWei: integer,
  seizeWei: integer,
});

/** GET /v1/fees */
export const feesSchema = z.object({ fees: z.array(feeSchema) });

/** The backstop vault in GET /v1/waterfall: its assets, its shares' price, and what its hub account holds. */
export const backstopSchema = z.object({
  address,
  /** settlement tokens held plus its hub account's maintenance equity, in USD */
  totalAssetsUsd: decimal,
  shares: decimal,
  /** USD one whole share is worth */
  sharePriceUsd: decimal,
  hubAccount: z.string(),
  cashUsd: decimal,
  collateral: z.array(z.object({ assetId: z.number().int(), amount: integer })),
  positions: z.array(z.object({ marketId: z.number().int(), size: decimal })),
});

/**
 * GET /v1/waterfall: the hub's default waterfall at a block (docs/risk-model.md section 8.3). USD
 * figures are decimal strings; `cashIndex` is what one unit of positive cash is worth now (1: no
 * loss ever socialised).
 */
export const waterfallSchema = z.object({
  block: z.number().int(),
  /** the backstop vault, null when the deployment has none */
  backstop: backstopSchema.nullable(),
  insuranceFundUsd: decimal,
  socialisedLossUsd: decimal,
  unownedLossUsd: decimal,
  cashIndex: decimal,
  /** every account's cash, positive cash at the index */
  totalCashUsd: decimal,
  /** settlement tokens the hub holds, in USD: they cover totalCash and the insurance fund */
  settlementHeldUsd: decimal,
});

export const custodyCheckSchema = z.object({
  chain: z.string(),
  eid: z.number(),
  assetId: z.number(),
  token: address,
  hubLedger: integer,
  creditsInFlight: integer,
  payoutsInFlight: integer,
  stranded: integer,
  custodied: integer,
  surplus: integer,
  balance: integer,
  ok: z.boolean(),
});

/** GET /v1/custody */
export const custodySchema = z.object({ checks: z.array(custodyCheckSchema) });

/** One scenario under one regime of a stress run (`npm run stress`, stress/simulate.ts). */
export const stressResultSchema = z.object({
  scenario: z.string(),
  regime: z.enum(['Gen 1', 'Gen 2', 'Gen 3']),
  marginAccounts: z.number().int(),
  /** loss beyond the accounts' own collateral */
  shortfallUsd: z.number(),
  /** what each step of the hub's default waterfall took of it */
  absorbedUsd: z.object({ backstop: z.number(), insurance: z.number(), socialized: z.number() }),
  /** what no step took */
  unownedUsd: z.number(),
  liquidations: z.number().int(),
  accountsLiquidated: z.number().int(),
  liquidationCostUsd: z.number(),
  worstHealth: z.number(),
  /** calm-day capital per gross notional: the initial requirement plus what the initial haircuts hold back */
  calmCapital: z.number().nullable(),
  calmDays: z.number().int(),
});

/** GET /v1/stress: the latest stress run the relayer was pointed at (its `stressReport` file). */
export const stressReportSchema = z.object({
  /** when the report file was written */
  writtenAt: z.string(),
  accounts: z.number().int(),
  results: z.array(stressResultSchema),
});

export type StressReportJson = z.infer<typeof stressReportSchema>;
export type AccountJson = z.infer<typeof accountSchema>;
export type LiquidationPriceJson = z.infer<typeof liquidationPriceSchema>;
export type MessageJson = z.infer<typeof messageJsonSchema>;
export type LiquidationJson = z.infer<typeof liquidationSchema>;
export type ChainJson = z.infer<typeof chainSchema>;
export type FeeJson = z.infer<typeof feeSchema>;
export type WaterfallJson = z.infer<typeof waterfallSchema>;
export type BackstopJson = z.infer<typeof backstopSchema>;
export type CustodyCheckJson = z.infer<typeof custodyCheckSchema>;
export type OwnerAccounts = z.infer<typeof ownerAccountsSchema>;
export type PreviewResponse = z.infer<typeof previewResponseSchema>;
