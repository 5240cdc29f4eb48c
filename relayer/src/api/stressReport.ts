/**
 * GET /v1/stress: the stress run (`npm run stress`'s stress.json) the relayer is pointed at with
 * `stressReport`, read on each request and checked against the simulator's output shape, so a
 * truncated or foreign file is a clear error instead of a broken dashboard.
 */
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { stressResultSchema, type StressReportJson } from '@omnichain-collateral/sdk/api/schemas';

/** What the simulator writes that the API serves (zod drops the rest, e.g. the day-by-day series). */
const stressFileSchema = z.object({
  options: z.object({ accounts: z.number().int() }),
  results: z.array(stressResultSchema),
});

export function readStressReport(path: string | undefined): StressReportJson | { error: string } {
  if (path === undefined)
    return { error: 'no stress report configured (relayer config stressReport: the stress.json of npm run stress)' };
  let text: string;
  let writtenAt: string;
  try {
    text = readFileSync(path, 'utf8');
    writtenAt = statSync(path).mtime.toISOString();
  } catch {
    return { error: `no stress report at ${path}: run npm run stress` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { error: `the stress report at ${path} is not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  const parsed = stressFileSchema.safeParse(json);
  if (!parsed.success)
    return { error: `the stress report at ${path} is not npm run stress output: ${z.prettifyError(parsed.error)}` };
  return {
    writtenAt,
    accounts: parsed.data.options.accounts,
    results: parsed.data.results,
  };
}
