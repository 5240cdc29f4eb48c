/**
 * The one place that knows each chain: RPC, LayerZero endpoint id and addresses, this project's
 * contracts, and how many confirmations to wait. Built from a devnet manifest (`npm start` writes
 * one) or from a JSON file for real networks, and validated before anything starts.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { addressSchema } from '@omnichain-collateral/sdk/messageCodec';
import { loadManifest, type DeployedChain, type DeploymentManifest } from '../../deploy/manifest.js';

export const chainConfigSchema = z.object({
  name: z.string().min(1),
  chainId: z.number().int().positive(),
  eid: z.number().int().positive(),
  rpcUrl: z.string().url(),
  /** A WebSocket URL for new-head subscriptions; without one the relayer polls for heads. */
  wsUrl: z
    .string()
    .regex(/^wss?:\/\//, 'must be a ws:// or wss:// URL')
    .optional(),
  /** A request to this chain's RPC not answered in this long fails (and is retried). */
  rpcTimeoutMs: z.number().int().min(100).max(600_000).default(10_000),
  /** Multicall3 on this chain (the canonical address unless given). */
  multicall: addressSchema.optional(),
  /** Blocks behind the head the indexer waits before it trusts an event (reorg safety). */
  confirmations: z.number().int().min(0).default(0),
  endpoint: addressSchema,
  /** The SimpleMessageLib the devnet worker verifies packets with (devnet on SimpleMessageLib only). */
  messageLib: addressSchema.optional(),
  /** The receive library, DVN and executor the devnet worker drives (devnet on ULN302 only). */
  uln: z
    .object({
      receiveLib: addressSchema,
      dvn: addressSchema,
      /** the DVN's verifier id (read from the DVN when absent) */
      dvnVid: z.number().int().min(0).max(0xffffffff).optional(),
      executor: addressSchema,
    })
    .optional(),
  vault: addressSchema,
  /**
   * The chain's HealthReader and the lzRead stack it uses: the API lists the reader, and the
   * devnet worker answers its reads as the read DVN and executor (devnet only).
   */
  read: z
    .object({
      channel: z.number().int().positive(),
      healthReader: addressSchema,
      readLib: addressSchema,
      dvn: addressSchema,
      executor: addressSchema,
    })
    .optional(),
});

/** The liquidation keeper (off unless configured). */
export const keeperConfigSchema = z.object({
  /** Key that signs liquidations on the hub and receives seized collateral on every chain. */
  key: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex private key'),
  /** The keeper's hub sub-account that takes over positions (it must hold margin for them). */
  subAccount: z.number().int().min(0).max(4294967295).default(0),
  /** A price that moved more than this fraction since the last accepted one is held... */
  maxJump: z.number().positive().max(10).default(0.25),
  /** ...until seen this many passes in a row. */
  jumpConfirmations: z.number().int().min(1).max(100).default(2),
  /** Most settlement-token value (USD) one liquidation transaction repays (a batch shares it). */
  maxRepayUsd: z.number().positive().default(1_000_000),
  /**
   * Most gas one liquidation transaction is given: the pass's liquidations of one asset, and its
   * position takeovers, are batched into transactions up to this (and the hub's 64 accounts).
   */
  batchGas: z.number().int().min(2_000_000).max(1_000_000_000).default(20_000_000),
  /** Ceiling on maxFeePerGas for keeper transactions. */
  maxGasPriceGwei: z.number().positive().default(200),
  /** Attempts before a liquidation that keeps failing (not refused) is marked failed. */
  maxAttempts: z.number().int().min(1).max(20).default(3),
});

/**
 * The risk parameter engine (off unless configured): it records each underlying's guarded price
 * every `sampleMs` as one period's close, after the candles of its `history` file if it has one,
 * and proposes scan ranges and volatility shifts to the RiskSteward (docs/dynamic-parameters.md).
 */
export const riskParametersConfigSchema = z.object({
  /** key holding the steward's STEWARD_ROLE */
  key: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex private key'),
  /** the RiskSteward on the hub chain (the manifest's, when the config names one) */
  steward: addressSchema,
  /** how often (ms) the price is recorded as a period's close: a day on a real network */
  sampleMs: z.number().int().min(100).default(86_400_000),
  underlyings: z
    .array(
      z.object({
        /** the risk asset id on the hub */
        riskAsset: z.number().int().min(0),
        /** a CSV of past daily candles (candles.ts's columns) to start from, relative to the config file */
        history: z.string().min(1).optional(),
        /**
         * collateral asset ids on this underlying whose haircuts the engine moves: the book's
         * holding of each (MarginHub.totalCollateral) against the daily volume
         */
        assets: z.array(z.number().int().min(0)).default([]),
        /** USD traded a day; without it, the history's average volume × close (needed when `assets` is set) */
        dailyVolumeUsd: z.number().positive().optional(),
      }),
    )
    .min(1),
  /** periods a liquidation may take: the scan range covers the move over them */
  horizonPeriods: z.number().int().min(1).default(1),
  /** periods of history the estimates use (at least 100) */
  lookbackPeriods: z.number().int().min(100).default(365),
  /** smallest difference from the chain's value, as a share of it, worth a proposal */
  threshold: z.number().positive().max(1).default(0.05),
});

export const relayerConfigSchema = z.object({
  hubEid: z.number().int().positive(),
  hub: addressSchema,
  riskEngine: addressSchema,
  /** the deployment's BackstopVault, if it has one: the API shows its holdings and share price */
  backstop: addressSchema.optional(),
  /**
   * Hand the backstop vault the accounts at or below its backstop health, signing with this key
   * (its own: the keeper's nonces stay the keeper's). Needs `backstop`.
   */
  backstopCallerKey: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/)
    .optional(),
  chains: z.array(chainConfigSchema).min(1),
  /** Deliver packets ourselves (local chains). Off on public networks, where LayerZero's workers do. */
  devnetWorker: z.boolean().default(false),
  /** Key that signs deliveries; required when devnetWorker is on. */
  relayerKey: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/)
    .optional(),
  dataDir: z.string().min(1),
  api: z.object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(8787) }),
  /** Head polling interval (ms) on chains without a WebSocket URL. */
  pollIntervalMs: z.number().int().positive().default(250),
  /**
   * A message is stuck when not verified this many source blocks after its send, or not executed this many destination
   * blocks after its verification.
   */
  stuckAfterBlocks: z.number().int().min(1).max(1_000_000).default(30),
  /** Accounts the parity monitor compares with MarginHub.accountFigures each hub block (0: off). */
  paritySample: z.number().int().min(0).max(100).default(4),
  keeper: keeperConfigSchema.optional(),
  riskParameters: riskParametersConfigSchema.optional(),
  /** A stress run's stress.json (`npm run stress`) the API serves at /v1/stress and the dashboard shows. */
  stressReport: z.string().min(1).optional(),
});

export type ChainConfig = z.infer<typeof chainConfigSchema>;
export type RelayerConfig = z.infer<typeof relayerConfigSchema>;
export type KeeperConfig = z.infer<typeof keeperConfigSchema>;
export type RiskParametersConfig = z.infer<typeof riskParametersConfigSchema>;

export function parseRelayerConfig(input: unknown): RelayerConfig {
  const parsed = relayerConfigSchema.safeParse(input);
  if (!parsed.success) throw new Error(`invalid relayer config:\n${z.prettifyError(parsed.error)}`);
  const config = parsed.data;
  if (config.devnetWorker && !config.relayerKey) throw new Error('devnetWorker needs relayerKey');
  if (config.backstopCallerKey && !config.backstop)
    throw new Error('backstopCallerKey needs backstop (the BackstopVault the caller hands accounts to)');
  if (config.devnetWorker) {
    // The devnet worker verifies packets with each chain's DVN and receive library (or SimpleMessageLib).
    for (const c of config.chains)
      if (!c.messageLib && !c.uln)
        throw new Error(`${c.name}: the devnet worker needs the chain's uln workers (or messageLib)`);
  }
  if (!config.chains.some((c) => c.eid === config.hubEid))
    throw new Error(`no chain has the hub's endpoint id ${config.hubEid}`);
  return config;
}

/** A chain's relayer settings from the deploy tool's manifest: the devnet worker drives its first required DVN. */
export function chainFromManifest(c: DeployedChain): z.input<typeof chainConfigSchema> {
  return {
    name: c.name,
    chainId: c.chainId,
    eid: c.eid,
    rpcUrl: c.rpcUrl,
    confirmations: c.confirmations,
    endpoint: c.endpoint,
    vault: c.vault,
    ...(c.messageLib ? { messageLib: c.messageLib } : {}),
    ...(c.uln?.requiredDVNs[0]
      ? { uln: { receiveLib: c.uln.receiveLib, dvn: c.uln.requiredDVNs[0], executor: c.uln.executor } }
      : {}),
    ...(c.read?.requiredDVNs[0]
      ? {
          read: {
            channel: c.read.channel,
            healthReader: c.read.healthReader,
            readLib: c.read.readLib,
            dvn: c.read.requiredDVNs[0],
            executor: c.read.executor,
          },
        }
      : {}),
  };
}

/**
 * The hub, engine and chains of a relayer config, from a manifest; `chainSettings` adds per-chain settings by name
 * (wsUrl, rpcTimeoutMs...).
 */
export function configFromManifest(
  manifest: DeploymentManifest,
  chainSettings: Record<string, Record<string, unknown>> = {},
) {
  return {
    hubEid: manifest.hubEid,
    hub: manifest.hub,
    riskEngine: manifest.riskEngine,
    ...(manifest.backstop ? { backstop: manifest.backstop } : {}),
    chains: manifest.chains.map((c) => ({ ...chainFromManifest(c), ...chainSettings[c.name] })),
  };
}

const manifestReferenceSchema = z.object({
  /** the deploy tool's manifest (relative to this file), instead of listing hubEid, hub, riskEngine and chains */
  manifest: z.string().min(1),
  /** per-chain settings the manifest does not hold, by chain name: wsUrl, rpcTimeoutMs, multicall */
  chainSettings: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
});

/**
 * Reads a relayer config file. One that names a `manifest` takes the chains, the hub and the
 * engine from what `npm run deploy` wrote.
 */
export function loadRelayerConfig(path: string): RelayerConfig {
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  if (typeof json !== 'object' || json === null || !('manifest' in json))
    return withPathsFrom(path, parseRelayerConfig(json));
  const reference = manifestReferenceSchema.safeParse(json);
  if (!reference.success) throw new Error(`invalid relayer config ${path}:\n${z.prettifyError(reference.error)}`);
  const { manifest: _manifest, chainSettings: _settings, ...rest } = json;
  const manifest = loadManifest(resolve(dirname(path), reference.data.manifest));
  // The risk parameter engine proposes to the deployment's steward unless the config names another.
  const riskParameters = rest.riskParameters as Record<string, unknown> | undefined;
  if (riskParameters && riskParameters.steward === undefined && manifest.riskSteward)
    rest.riskParameters = { ...riskParameters, steward: manifest.riskSteward };
  return withPathsFrom(
    path,
    parseRelayerConfig({ ...rest, ...configFromManifest(manifest, reference.data.chainSettings) }),
  );
}

/** History files named in a config file are relative to it. */
function withPathsFrom(path: string, config: RelayerConfig): RelayerConfig {
  const rp = config.riskParameters;
  if (!rp) return config;
  const underlyings = rp.underlyings.map((u) => (u.history ? { ...u, history: resolve(dirname(path), u.history) } : u));
  return { ...config, riskParameters: { ...rp, underlyings } };
}
