/**
 * `occ onchain-health`: what a spoke chain's HealthReader holds for an account (the hub's
 * figures read with lzRead, with the hub block and time), and with `--request` a fresh read paid
 * from OCC_KEY, followed until the answer lands.
 */
import { JsonRpcProvider } from 'ethers';
import { quoteHealthRequest, readHealthReading, requestHealth, type HealthReading } from '../contracts/healthReader.js';
import { formatHealth, formatWad, MAX_HEALTH } from '../risk/marginModel.js';
import { signer, UsageError } from './actions.js';
import { refusal } from './errors.js';
import { usd } from './format.js';
import { chainOf, type CliManifest } from './manifest.js';

export interface OnchainHealth {
  chain: string;
  reader: string;
  owner: string;
  subAccount: number;
  /** null: the reader holds no answer for the account yet */
  reading: HealthReading | null;
  /** the read this command sent, with --request */
  request?: { txHash: string; guid: string; fee: bigint };
}

export async function runOnchainHealth(
  manifest: CliManifest,
  opts: { chain: string; owner: string; sub: number; request: boolean; timeoutMs: number },
  say: (line: string) => void,
): Promise<OnchainHealth> {
  const chain = chainOf(manifest, opts.chain);
  const reader = chain.read?.healthReader;
  if (!reader) {
    const withReaders = manifest.chains.filter((c) => c.read).map((c) => c.name);
    throw new UsageError(
      `${chain.name} has no HealthReader; ${withReaders.length ? `these chains do: ${withReaders.join(', ')}` : 'the deployment has none (its network file has no "read")'}`,
    );
  }
  const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true });
  const base = { chain: chain.name, reader, owner: opts.owner, subAccount: opts.sub };
  if (!opts.request) {
    const reading = await readHealthReading(provider, reader, opts.owner, opts.sub);
    return { ...base, reading: reading.hubBlock === 0n ? null : reading };
  }
  const wallet = signer(chain.rpcUrl);
  const before = await readHealthReading(provider, reader, opts.owner, opts.sub);
  say(
    `asking the hub for ${opts.owner} sub-account ${opts.sub} from ${chain.name}; lzRead fee ${await quoteHealthRequest(provider, reader, opts.owner, opts.sub)} wei`,
  );
  let request: OnchainHealth['request'];
  try {
    request = await requestHealth(wallet, reader, opts.owner, opts.sub);
  } catch (err) {
    throw new UsageError(`the read request failed: ${refusal(err)}`);
  }
  say(`sent in ${request.txHash} (guid ${request.guid}); waiting for the answer`);
  const start = Date.now();
  while (Date.now() - start < opts.timeoutMs) {
    const reading = await readHealthReading(provider, reader, opts.owner, opts.sub);
    if (reading.hubBlock > before.hubBlock) {
      say(`  ${((Date.now() - start) / 1000).toFixed(1)} s  answered from hub block ${reading.hubBlock}`);
      return { ...base, reading, request };
    }
    await new Promise((r) => setTimeout(r, 400));
  }
  throw new UsageError(
    `no answer on ${chain.name} after ${opts.timeoutMs / 1000} s; the read ${request.guid} may still land (run again without --request)`,
  );
}

export function formatOnchainHealth(r: OnchainHealth, now = Date.now() / 1000): string {
  const head = `${r.owner} sub-account ${r.subAccount}, as ${r.chain}'s HealthReader ${r.reader} holds it:`;
  if (!r.reading) return `${head}\n  no reading yet: ask the hub with --request`;
  const g = r.reading;
  const age = Math.max(0, Math.round(now - Number(g.hubTimestamp)));
  return [
    head,
    `  health ${g.health === MAX_HEALTH ? 'no requirement' : Number(formatHealth(g.health)).toFixed(4)}${g.health < 10n ** 18n ? '  LIQUIDATABLE' : ''}`,
    `  equity ${usd(formatWad(g.maintenanceEquity))} / requirement ${usd(formatWad(g.maintenanceRequirement))} (maintenance)`,
    `  equity ${usd(formatWad(g.initialEquity))} / requirement ${usd(formatWad(g.initialRequirement))} (initial)`,
    `  from hub block ${g.hubBlock} at ${new Date(Number(g.hubTimestamp) * 1000).toISOString()} (${age} s ago)`,
  ].join('\n');
}
