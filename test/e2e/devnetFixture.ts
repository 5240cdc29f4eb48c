/**
 * A three-chain devnet for one test file: anvil chains, LayerZero and the system deployed, and a
 * relayer with its API on a free port, all in this process; `stop()` ends every part of it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anvilKey, startAnvil, type AnvilChain } from '../../relayer/src/devnet/anvil.js';
import {
  deploySystem,
  devnetRelayerConfig,
  devnetSpecs,
  type DevnetManifest,
} from '../../relayer/src/devnet/deploySystem.js';
import { createDevnetRelayer } from '../../relayer/src/devnet/relayer.js';
import { createLogger } from '../../relayer/src/log.js';
import type { RelayerConfig } from '../../relayer/src/config.js';
import type { Relayer } from '../../relayer/src/relayer.js';

export const DEPLOYER = anvilKey(0);

export interface TestDevnet {
  chains: AnvilChain[];
  manifest: DevnetManifest;
  /** a temporary directory for the test's files; the relayer's store is in `dir/relayer` */
  dir: string;
  config: RelayerConfig;
  /** the running relayer; a test that restarts it puts the new one here, and stop() stops that */
  relayer: Relayer;
  api: string;
  stop(): Promise<void>;
}

/**
 * @param chainIds one per chain, the first the hub (distinct per test file)
 * @param operatorKey owns the feeds and is the venue (default: the deployer)
 * @param devnetWorker false: nothing delivers messages, each waits where the test leaves it
 */
export async function startTestDevnet(options: {
  chainIds: number[];
  name: string;
  operatorKey?: string;
  devnetWorker?: boolean;
  /** adds to the relayer's config (e.g. riskParameters), given the deployment and the test's directory */
  configure?: (config: RelayerConfig, manifest: DevnetManifest, dir: string) => RelayerConfig;
}): Promise<TestDevnet> {
  const chains: AnvilChain[] = [];
  for (const chainId of options.chainIds) chains.push(await startAnvil({ chainId }));
  const specs = devnetSpecs(chains);
  const manifest = await deploySystem(specs[0]!, specs.slice(1), DEPLOYER, options.operatorKey ?? DEPLOYER);
  const dir = mkdtempSync(join(tmpdir(), `${options.name}-`));
  const base = {
    ...devnetRelayerConfig(manifest, { dataDir: join(dir, 'relayer'), apiPort: 0, relayerKey: DEPLOYER }),
    devnetWorker: options.devnetWorker ?? true,
  };
  const config = options.configure ? options.configure(base, manifest, dir) : base;
  const relayer = await createDevnetRelayer(config, createLogger(process.env.TEST_LOG ?? 'silent'));
  const api = await relayer.start();
  const devnet: TestDevnet = {
    chains,
    manifest,
    dir,
    config,
    relayer,
    api,
    async stop() {
      // The relayer running now: a test may have replaced the first (a restart).
      await devnet.relayer.stop();
      await Promise.all(chains.map((c) => c.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return devnet;
}
