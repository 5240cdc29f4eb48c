/**
 * Where the contracts are: the manifest `npm start` writes (.data/devnet.json) or the one
 * `npm run deploy` writes (deployments/<network>.json), whichever the CLI is given. Only what
 * the CLI needs is read, and checked.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);

const manifestSchema = z.object({
  hubEid: z.number(),
  hub: address,
  chains: z
    .array(
      z.object({
        name: z.string(),
        eid: z.number(),
        rpcUrl: z.string(),
        vault: address,
        tokens: z.record(z.string(), address),
        /** the chain's HealthReader, on spokes deployed with lzRead */
        read: z.object({ healthReader: address }).optional(),
      }),
    )
    .min(1),
  assets: z.array(z.object({ assetId: z.number(), eid: z.number(), symbol: z.string(), token: address })),
  apiUrl: z.string().optional(),
});

export type CliManifest = z.infer<typeof manifestSchema>;

export function loadManifest(path: string): CliManifest {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(
      `cannot read the manifest ${path} (${err instanceof Error ? err.message : String(err)}): start a devnet with \`npm start\`, or pass --manifest`,
    );
  }
  // The deploy tool keeps the manifest beside its progress.
  const inner =
    typeof json === 'object' && json !== null && 'manifest' in json ? (json as { manifest: unknown }).manifest : json;
  const parsed = manifestSchema.safeParse(inner);
  if (!parsed.success)
    throw new Error(
      `${path} is not a manifest: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
    );
  return parsed.data;
}

export function chainOf(manifest: CliManifest, name: string) {
  const chain = manifest.chains.find((c) => c.name === name);
  if (!chain)
    throw new Error(`no chain named "${name}"; the manifest has ${manifest.chains.map((c) => c.name).join(', ')}`);
  return chain;
}

export function hubChainOf(manifest: CliManifest) {
  return manifest.chains.find((c) => c.eid === manifest.hubEid)!;
}
