/**
 * The network file `npm run deploy -- --network <file>` reads: which chains, where LayerZero is on
 * each, which DVNs guard the pathways, and the risk configuration (feeds, collateral, markets).
 * It holds no key: the deployer's key comes from the environment.
 *
 * Amounts in WAD (1e18 = 100%, or $1 for prices) and token caps are decimal strings, so a JSON
 * file carries them without rounding.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { addressSchema } from '@omnichain-collateral/sdk/messageCodec';
import { liquidationGainHolds } from '@omnichain-collateral/sdk/risk/liquidation';

/** The parameters a RiskSteward moves, in the order of its `Parameter` enum. */
export const STEWARD_PARAMETERS = [
  'scanRange',
  'volShift',
  'initialHaircut',
  'maintenanceHaircut',
  'concentrationImpact',
] as const;

const uint = z
  .union([z.string().regex(/^[0-9]+$/, 'must be a non-negative integer'), z.number().int().nonnegative()])
  .transform((v) => BigInt(v));
const name = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." or "-"');

/**
 * Where LayerZero is on a chain. On a public network, the name of its folder in
 * `@layerzerolabs/lz-evm-sdk-v2/deployments` (e.g. "arbsep-testnet"): the endpoint, the ULN302
 * libraries, the executor and each named DVN come from there, and the endpoint id from the
 * endpoint itself. On a local chain, the addresses of what the devnet deployed.
 */
export const layerZeroSourceSchema = z.union([
  z
    .object({
      deployment: z.string().regex(/^[a-z0-9-]+$/, 'a folder name in @layerzerolabs/lz-evm-sdk-v2/deployments'),
    })
    .strict(),
  z
    .object({
      endpoint: addressSchema,
      sendLib: addressSchema,
      receiveLib: addressSchema,
      /** absent on SimpleMessageLib, which has no executor */
      executor: addressSchema.optional(),
      /** DVN name => address on this chain (message DVNs and read DVNs alike) */
      dvns: z.record(z.string(), addressSchema).default({}),
      /** ReadLib1002 and the executor that delivers lzRead answers, when the network file has `read` */
      readLib: addressSchema.optional(),
      readExecutor: addressSchema.optional(),
    })
    .strict(),
]);

export const networkChainSchema = z
  .object({
    name,
    chainId: z.number().int().positive(),
    rpcUrl: z.string().url(),
    /** Blocks the DVNs wait on this chain's sends before verifying them (receive sides require the same). */
    confirmations: z.number().int().min(0).max(1_000_000),
    layerZero: layerZeroSourceSchema,
  })
  .strict();

const scenarioSchema = z
  .object({
    scanRange: uint,
    volShift: uint,
    extremeMultiple: uint,
    extremeCover: uint,
    initialMultiple: uint,
    shortOptionMinimum: uint,
    /** the risk asset (by name) whose feed is this underlying's implied volatility, or null */
    volFeed: name.nullable(),
  })
  .strict();

export const networkFileSchema = z
  .object({
    /** names the manifest (`deployments/<name>.json` unless --manifest says otherwise) */
    name,
    /** the chain (by name) that runs MarginHub and RiskEngine */
    hub: name,
    chains: z.array(networkChainSchema).min(1),
    /**
     * The security stack of every pathway. `uln302`: the named DVNs must all verify (required)
     * and `optionalThreshold` of the optional ones; `simple`: SimpleMessageLib, devnets only.
     */
    pathway: z
      .object({
        messageLib: z.enum(['uln302', 'simple']).default('uln302'),
        requiredDVNs: z.array(z.string().min(1)).default(['DVN']),
        optionalDVNs: z.array(z.string().min(1)).default([]),
        optionalThreshold: z.number().int().min(0).max(255).default(0),
        /** the largest message the executor takes (bytes) */
        maxMessageSize: z.number().int().positive().default(10_000),
      })
      .strict(),
    /**
     * Unified health on every spoke: a HealthReader per spoke that reads MarginHub.accountFigures
     * with lzRead. `channel` is LayerZero's read channel; the named read DVNs (looked up like the
     * pathway's DVNs) verify each answer after `hubConfirmations` hub blocks; `gas` and
     * `answerSize` are the lzRead executor option every request carries.
     */
    read: z
      .object({
        channel: z.number().int().positive().max(4_294_967_295).default(4_294_967_295),
        requiredDVNs: z.array(z.string().min(1)).min(1),
        optionalDVNs: z.array(z.string().min(1)).default([]),
        optionalThreshold: z.number().int().min(0).max(255).default(0),
        hubConfirmations: z.number().int().min(0).max(65_535).default(0),
        gas: uint,
        answerSize: z.number().int().positive().max(100_000).default(640),
        /** Multicall3 on the hub chain */
        multicall: addressSchema.default('0xcA11bde05977b3631167028862bE2a173976CA11'),
      })
      .strict()
      .optional(),
    /**
     * The risk steward (RiskSteward): `proposer` (the relayer's risk parameter key) may move the
     * listed parameters within their bounds. `target` is a risk asset's name for `scanRange` and
     * `volShift`, a collateral's `SYMBOL@chain` for the haircuts and `concentrationImpact` (which
     * needs the collateral's `concentration`). A stewarded parameter's value in
     * this file is its starting value: once set, the deploy tool leaves it to the steward.
     */
    steward: z
      .object({
        proposer: addressSchema,
        bounds: z
          .array(
            z
              .object({
                parameter: z.enum(STEWARD_PARAMETERS),
                target: z.string().min(1),
                min: uint,
                max: uint,
                maxStep: uint,
                cooldown: z.number().int().min(0).max(0xffffffff),
                loweringDelay: z.number().int().min(0).max(0xffffffff),
                /** the most raises may add within a day, as a share of the day's starting value (≥ maxStep) */
                maxDailyRaise: uint,
              })
              .strict()
              .refine((b) => b.maxDailyRaise >= b.maxStep, {
                message: 'maxDailyRaise must be at least maxStep (a day allows one step)',
                path: ['maxDailyRaise'],
              }),
          )
          .default([]),
      })
      .strict()
      .optional(),
    /**
     * The backstop vault (BackstopVault, an ERC-4626 of the settlement token on the hub chain): it
     * takes a liquidatable account over whole at or below `backstopHealth` (WAD), or once it has
     * been flagged liquidatable for `patienceBlocks`, paying the caller `rewardTokens` (settlement
     * token units). docs/risk-model.md section 8.3.
     */
    backstop: z
      .object({
        name: z.string().min(1),
        symbol: z.string().min(1),
        backstopHealth: uint.refine((h) => h <= 10n ** 18n, 'backstopHealth must be at most 1e18 (health 1)'),
        patienceBlocks: z.number().int().min(0),
        rewardTokens: uint,
      })
      .strict()
      .optional(),
    /** lzReceive gas per message type, enforced whatever options a sender passes */
    enforcedGas: z.object({ CREDIT: uint, RELEASE: uint, SEIZE: uint }).strict(),
    /** the token the hub settles cash in, on the hub chain */
    settlement: z.object({ token: addressSchema, decimals: z.number().int().min(0).max(36) }).strict(),
    /** price feeds (Chainlink AggregatorV3 interface), each a risk asset, in id order */
    riskAssets: z
      .array(
        z
          .object({
            name,
            feed: addressSchema,
            /** seconds after which a price is stale */
            maxAge: z.number().int().positive(),
            minPrice: uint,
            maxPrice: uint,
            scenario: scenarioSchema.optional(),
          })
          .strict(),
      )
      .min(1),
    /** collateral, in asset-id order */
    collateral: z
      .array(
        z
          .object({
            chain: name,
            symbol: z.string().min(1),
            token: addressSchema,
            decimals: z.number().int().min(0).max(36),
            riskAsset: name,
            initialHaircut: uint,
            maintenanceHaircut: uint,
            liquidationBonus: uint,
            /**
             * a yield-bearing token (wstETH-like): the risk asset whose guarded feed is its exchange rate (underlying
             * units per token)
             */
            rateFeed: name.optional(),
            /** the fall of that rate against the underlying the margin assumes (WAD; with rateFeed) */
            depeg: uint.optional(),
            /**
             * the per-account concentration add-on: an account's haircuts on this token rise by
             * min(cap, impact × √(its holding's USD value / depthUsd)); all WAD. Absent: none.
             */
            concentration: z.object({ depthUsd: uint, impact: uint, cap: uint }).strict().optional(),
            /** most tokens the chain's vault takes in custody */
            cap: uint,
          })
          .strict(),
      )
      .min(1),
    /** markets, in market-id order */
    markets: z
      .array(
        z
          .object({
            name,
            riskAsset: name,
            kind: z.enum(['perp', 'call', 'put']),
            /** USD WAD; 0 for a perp */
            strike: uint.default(0n),
            /** unix seconds; 0 for a perp */
            expiry: uint.default(0n),
            maxPriceDeviation: uint,
          })
          .strict(),
      )
      .default([]),
    /**
     * MarginHub's trading venues: each is given VENUE_ROLE (it books trades for the accounts whose
     * owners authorised it) and a cash settlement limit, USD WAD per period of seconds
     */
    venues: z
      .array(
        z
          .object({
            address: addressSchema,
            cashPerPeriod: uint.refine((v) => v < 2n ** 128n, 'must fit 128 bits'),
            periodSeconds: z.number().int().positive().max(0xffffffff).default(86_400),
          })
          .strict(),
      )
      .default([]),
    /**
     * The hand-off to governance (docs/deploy.md#handing-over-to-governance). When present, the
     * deploy tool ends by deploying a Timelock on every chain and giving it every admin power (the
     * OApps' ownership and LayerZero delegate, the risk engine's and the steward's roles, the
     * vaults' listing), the guardian the vaults' pausing, and renouncing the deployer's own.
     */
    governance: z
      .object({
        /** seconds between a change's `schedule` and its `execute` (at least an hour) */
        delaySeconds: z
          .number()
          .int()
          .min(3_600)
          .max(30 * 86_400),
        /** who schedules changes: the governance multisig on every chain */
        proposers: z.array(addressSchema).min(1),
        /** who may execute a due change; none named: anyone */
        executors: z.array(addressSchema).default([]),
        /** may cancel a scheduled change and pause deposits, nothing else */
        guardian: addressSchema,
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((file, ctx) => {
    const chains = new Set(file.chains.map((c) => c.name));
    const risk = new Set(file.riskAssets.map((r) => r.name));
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (chains.size !== file.chains.length) issue(['chains'], 'chain names must be unique');
    if (!chains.has(file.hub)) issue(['hub'], `no chain is named "${file.hub}"`);
    const takesEquity = (haircut: bigint, bonus: bigint) =>
      `a ${pct(bonus)} liquidation bonus with a ${pct(haircut)} maintenance haircut lets a liquidation take equity ` +
      'out of the account: (1 + bonus) × (1 − haircut) must be at most 0.99 (docs/risk-model.md section 8.2)';
    file.collateral.forEach((c, i) => {
      if (!chains.has(c.chain)) issue(['collateral', i, 'chain'], `no chain is named "${c.chain}"`);
      if (!risk.has(c.riskAsset)) issue(['collateral', i, 'riskAsset'], `no risk asset is named "${c.riskAsset}"`);
      if (!liquidationGainHolds(c.maintenanceHaircut, c.liquidationBonus))
        issue(['collateral', i, 'liquidationBonus'], takesEquity(c.maintenanceHaircut, c.liquidationBonus));
    });
    file.riskAssets.forEach((r, i) => {
      const vol = r.scenario?.volFeed;
      if (vol && !risk.has(vol)) issue(['riskAssets', i, 'scenario', 'volFeed'], `no risk asset is named "${vol}"`);
    });
    file.steward?.bounds.forEach((b, i) => {
      const onRisk = b.parameter === 'scanRange' || b.parameter === 'volShift';
      const collateral = onRisk ? undefined : collateralIndex(file, b.target);
      if (onRisk ? !risk.has(b.target) : collateral === undefined) {
        issue(
          ['steward', 'bounds', i, 'target'],
          onRisk ? `no risk asset is named "${b.target}"` : `no collateral "${b.target}" (SYMBOL@chain)`,
        );
      } else if (b.parameter === 'concentrationImpact' && file.collateral[collateral!]!.concentration === undefined) {
        issue(['steward', 'bounds', i, 'target'], `collateral "${b.target}" has no concentration add-on to steward`);
      } else if (
        b.parameter === 'maintenanceHaircut' &&
        !liquidationGainHolds(b.min, file.collateral[collateral!]!.liquidationBonus)
      ) {
        issue(['steward', 'bounds', i, 'min'], takesEquity(b.min, file.collateral[collateral!]!.liquidationBonus));
      }
    });
    file.markets.forEach((m, i) => {
      if (!risk.has(m.riskAsset)) issue(['markets', i, 'riskAsset'], `no risk asset is named "${m.riskAsset}"`);
      if ((m.kind === 'perp') !== (m.strike === 0n && m.expiry === 0n))
        issue(['markets', i], 'a perp has no strike or expiry; an option has both');
    });
  });

/** A WAD fraction as a percentage, for messages. */
function pct(wad: bigint): string {
  return `${Number((wad * 10_000n) / 10n ** 18n) / 100}%`;
}

export type NetworkFile = z.output<typeof networkFileSchema>;
export type StewardParameter = (typeof STEWARD_PARAMETERS)[number];

/** The collateral id of `SYMBOL@chain`, if the file lists it. */
export function collateralIndex(file: Pick<NetworkFile, 'collateral'>, target: string): number | undefined {
  const i = file.collateral.findIndex((c) => `${c.symbol}@${c.chain}` === target);
  return i < 0 ? undefined : i;
}

/** Whether the steward may move `parameter` of `target` (then the file only gives its starting value). */
export function isStewarded(file: NetworkFile, parameter: StewardParameter, target: string): boolean {
  return file.steward?.bounds.some((b) => b.parameter === parameter && b.target === target) ?? false;
}
export type NetworkFileInput = z.input<typeof networkFileSchema>;
export type NetworkChain = NetworkFile['chains'][number];

export function parseNetworkFile(input: unknown, source = 'network file'): NetworkFile {
  const parsed = networkFileSchema.safeParse(input);
  if (!parsed.success) throw new Error(`invalid ${source}:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function loadNetworkFile(path: string): NetworkFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read network file ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseNetworkFile(json, `network file ${path}`);
}
