/**
 * The manifest the deploy tool writes and the relayer reads: every chain's RPC, endpoint id,
 * LayerZero contracts and vault, the hub and risk engine, listed assets and markets, and the
 * deployment's progress (each contract with the transaction that created it). The tool saves it
 * after every contract it creates, so a run cut off mid-way resumes from it.
 */
import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { addressSchema } from '@omnichain-collateral/sdk/messageCodec';

export const deployedChainSchema = z.object({
  name: z.string(),
  chainId: z.number().int().positive(),
  eid: z.number().int().positive(),
  rpcUrl: z.string().url(),
  confirmations: z.number().int().min(0),
  endpoint: addressSchema,
  /** SimpleMessageLib (devnets only), when the pathways run on it */
  messageLib: addressSchema.optional(),
  /** the ULN302 libraries, executor and DVNs the pathways are pinned to */
  uln: z
    .object({
      sendLib: addressSchema,
      receiveLib: addressSchema,
      executor: addressSchema,
      requiredDVNs: z.array(addressSchema),
      optionalDVNs: z.array(addressSchema),
    })
    .optional(),
  vault: addressSchema,
  /** the HealthReader (spokes, when deployed with `read`) and the lzRead stack it is pinned to */
  read: z
    .object({
      channel: z.number().int().positive(),
      healthReader: addressSchema,
      readLib: addressSchema,
      executor: addressSchema,
      requiredDVNs: z.array(addressSchema),
      optionalDVNs: z.array(addressSchema),
    })
    .optional(),
  /** symbol => token listed as collateral on this chain */
  tokens: z.record(z.string(), addressSchema),
  /** the Timelock that owns this chain's contracts, when the network file has `governance` */
  timelock: addressSchema.optional(),
});

const deployedContractSchema = z.object({
  chain: z.string(),
  address: addressSchema,
  /** the deployer nonce of the creating transaction */
  nonce: z.number().int().min(0),
  /** recorded before the transaction is sent; cleared once its code is on chain */
  pending: z.boolean().optional(),
});

export const manifestSchema = z.object({
  network: z.string(),
  deployer: addressSchema,
  /** who may cancel a scheduled change and pause deposits, when the network file has `governance` */
  guardian: addressSchema.optional(),
  hubEid: z.number().int().positive(),
  hub: addressSchema,
  riskEngine: addressSchema,
  /** the RiskSteward, when the network file has `steward` */
  riskSteward: addressSchema.optional(),
  /** the BackstopVault, when the network file has `backstop` */
  backstop: addressSchema.optional(),
  /** risk asset name => its price feed */
  feeds: z.record(z.string(), addressSchema),
  /** asset id on the hub => where it lives */
  assets: z.array(
    z.object({
      assetId: z.number().int().min(0),
      eid: z.number().int().positive(),
      symbol: z.string(),
      token: addressSchema,
    }),
  ),
  markets: z.array(z.object({ marketId: z.number().int().min(0), name: z.string() })),
  chains: z.array(deployedChainSchema),
});

/** What the tool records as it goes, before the whole manifest can be written. */
export const progressSchema = z.object({
  network: z.string(),
  deployer: addressSchema,
  /** contract key (e.g. "vault:arbitrum-sepolia") => where it is */
  contracts: z.record(z.string(), deployedContractSchema),
  manifest: manifestSchema.optional(),
});

export type DeploymentManifest = z.infer<typeof manifestSchema>;
export type DeployedChain = z.infer<typeof deployedChainSchema>;
export type DeployProgress = z.infer<typeof progressSchema>;
export type DeployedContract = z.infer<typeof deployedContractSchema>;

export function loadProgress(path: string): DeployProgress | undefined {
  if (!existsSync(path)) return undefined;
  const parsed = progressSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path} is not a deployment manifest:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Writes through a temporary file and a rename, so a crash never leaves half a manifest. */
export function saveProgress(path: string, progress: DeployProgress): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(progress, null, 2)}\n`);
  renameSync(tmp, path);
}

/** The finished manifest in a file the deploy tool wrote; an unfinished deployment is an error that says so. */
export function loadManifest(path: string): DeploymentManifest {
  const progress = loadProgress(path);
  if (!progress) throw new Error(`no deployment manifest at ${path}: run \`npm run deploy -- --network <file>\``);
  if (!progress.manifest)
    throw new Error(`the deployment in ${path} did not finish: run \`npm run deploy\` again to resume it`);
  return progress.manifest;
}
