/**
 * Reads contract bytecode from forge's build output (`out/`), which `npm run build` (and `npm
 * test`) produce from the sources in `contracts/`: the devnet deploys from it. ABIs come from
 * the SDK (`sdk/src/abi/`), so nothing but a deployment needs a build.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

const artifactSchema = z.object({
  abi: z.array(z.record(z.string(), z.unknown())),
  bytecode: z.object({ object: z.string().regex(/^0x[0-9a-fA-F]*$/) }),
});

export interface Artifact {
  abi: ReadonlyArray<Record<string, unknown>>;
  bytecode: string;
  /** the build output file */
  path: string;
}

const loaded = new Map<string, Artifact>();

/**
 * `file` is the Solidity file name (e.g. `MarginHub.sol`), `contract` the contract in it. Read
 * and validated once per process; a missing build output is not remembered.
 */
export function loadArtifact(file: string, contract = file.replace(/\.sol$/, '')): Artifact {
  const path = join(repoRoot, 'out', file, `${contract}.json`);
  const cached = loaded.get(path);
  if (cached) return cached;
  if (!existsSync(path)) {
    throw new Error(`no build output for ${contract} at ${path}: run \`npm run build\` first`);
  }
  const parsed = artifactSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  const artifact: Artifact = { abi: parsed.abi, bytecode: parsed.bytecode.object, path };
  loaded.set(path, artifact);
  return artifact;
}
