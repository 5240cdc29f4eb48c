/**
 * `npm start`: the whole system on one machine with no internet. Starts local chains (anvil from
 * npm), deploys the real LayerZero EndpointV2 with SendUln302/ReceiveUln302, a DVN and an executor
 * (or SimpleMessageLib with `--message-lib simple`) and this project's contracts on each, writes a manifest, starts the
 * relayer (indexer, devnet DVN/executor, reconciler, API) and
 * funds a few demo accounts. Ctrl-C stops every process it started.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Command } from 'commander';
import { Wallet } from 'ethers';
import { DEPLOYED_SOURCES, runForge } from '../../../scripts/forge.mjs';
import { anvilKey, portIsFree, startAnvil, type AnvilChain } from './anvil.js';
import { MESSAGE_LIB_HELP, messageLibOption, numberOption } from './cli.js';
import type { MessageLibKind } from './layerzero.js';
import { deploySystem, devnetRelayerConfig, devnetSpecs, type DevnetManifest } from './deploySystem.js';
import { seedDemoAccounts, type DemoAccount } from './demo.js';
import { depositBackstop, fundKeeper } from './actions.js';
import { repoRoot } from '../../../deploy/artifacts.js';
import type { Relayer } from '../relayer.js';
import { createDevnetRelayer } from './relayer.js';
import { createLogger } from '../log.js';

interface StartOptions {
  chains: number;
  basePort: number;
  apiPort: number;
  blockTime?: number;
  dataDir: string;
  logLevel: string;
  demo: boolean;
  messageLib: MessageLibKind;
}

const int = (name: string, min: number, max: number) => numberOption(name, min, max, true);

function parseStartOptions(argv: string[]): StartOptions {
  const program = new Command()
    .name('npm start --')
    .description(
      'Start the omnichain collateral devnet: local chains, real LayerZero contracts, the relayer and its API.',
    )
    .option('--chains <n>', 'number of chains, the first is the hub', int('--chains', 2, 8), 3)
    .option(
      '--base-port <port>',
      'RPC port of the first chain; the others follow',
      int('--base-port', 1024, 65_000),
      8545,
    )
    .option('--api-port <port>', 'port of the relayer HTTP API', int('--api-port', 1024, 65_535), 8787)
    .option(
      '--block-time <seconds>',
      'seconds between blocks (default: a block per transaction)',
      int('--block-time', 1, 60),
    )
    .option('--data-dir <dir>', 'where the manifest, the relayer store and the lock live', '.data')
    .option('--log-level <level>', 'relayer log level (trace, debug, info, warn, error)', 'info')
    .option('--no-demo', 'do not fund demo accounts')
    .option('--message-lib <lib>', MESSAGE_LIB_HELP, messageLibOption, 'uln302' as MessageLibKind)
    .exitOverride((err) => process.exit(err.exitCode))
    .parse(argv);
  return program.opts<StartOptions>();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One devnet per data directory: a live lock means another `npm start` is running. */
function takeLock(dataDir: string): string {
  const lock = join(dataDir, 'devnet.lock');
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8'));
    if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
      throw new Error(
        `a devnet is already running from ${dataDir} (pid ${pid}). Stop it with Ctrl-C in its terminal, ` +
          'or start a second one with its own --data-dir, --base-port and --api-port.',
      );
    }
  }
  writeFileSync(lock, String(process.pid));
  return lock;
}

async function main(): Promise<void> {
  const options = parseStartOptions(process.argv);
  const dataDir = resolve(repoRoot, options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const lock = takeLock(dataDir);
  const ports = [...Array.from({ length: options.chains }, (_, i) => options.basePort + i), options.apiPort];
  for (const port of ports) {
    if (!(await portIsFree(port))) {
      rmSync(lock, { force: true });
      throw new Error(`port ${port} on 127.0.0.1 is in use; choose others with --base-port and --api-port`);
    }
  }

  const log = createLogger(options.logLevel);
  const chains: AnvilChain[] = [];
  let relayer: Relayer | undefined;
  let up = false;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (up) process.stdout.write('\nStopping: relayer, then chains...\n');
    await relayer?.stop().catch(() => undefined);
    await Promise.all(chains.map((c) => c.stop()));
    rmSync(lock, { force: true });
    process.stdout.write(
      up || code !== 0 ? 'Stopped. Nothing left running.\n' : '\nStopped during set-up; nothing left running.\n',
    );
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    process.stdout.write('Building contracts (forge, solc-js from npm; cached after the first run)...\n');
    if (runForge(['build', ...DEPLOYED_SOURCES]) !== 0) throw new Error('contract build failed');

    process.stdout.write(`Starting ${options.chains} local chains...\n`);
    for (let i = 0; i < options.chains; i++) {
      chains.push(
        await startAnvil({
          chainId: 31_337 + i,
          port: options.basePort + i,
          ...(options.blockTime ? { blockTime: options.blockTime } : {}),
        }),
      );
    }
    const specs = devnetSpecs(chains);
    const path =
      options.messageLib === 'uln302' ? 'SendUln302/ReceiveUln302, a DVN and an executor' : 'SimpleMessageLib';
    process.stdout.write(
      `Deploying LayerZero EndpointV2 with ${path}, ReadLib1002 for lzRead, and the system, on every chain...\n`,
    );
    const deployer = anvilKey(0);
    // The chains are new, so the previous run's deployment and relayer store describe chains that are gone.
    for (const file of ['deployment.json', 'relayer-store.json', 'messages-finished.jsonl'])
      rmSync(join(dataDir, file), { force: true });
    const manifest = await deploySystem(specs[0]!, specs.slice(1), deployer, deployer, options.messageLib, dataDir);
    // The keeper (anvil account 9) gets a repayment budget and hub margin before it starts.
    const keeperKey = anvilKey(9);
    await fundKeeper(manifest, keeperKey, 1_000_000n * 10n ** 6n, 500_000n * 10n ** 6n);
    // The backstop vault's first depositor (the deployer): 1,000,000 USDC of margin.
    await depositBackstop(manifest, deployer, 1_000_000n * 10n ** 6n);
    // The dashboard shows the latest npm run stress (from this checkout) once there is one.
    const config = devnetRelayerConfig(manifest, {
      dataDir,
      apiPort: options.apiPort,
      relayerKey: deployer,
      keeperKey,
      backstopCaller: true,
      stressReport: resolve('stress-results', 'stress.json'),
    });
    relayer = await createDevnetRelayer(config, log);
    const apiUrl = await relayer.start();

    const demo = options.demo ? await seedDemoAccounts(manifest, relayer) : [];
    writeFileSync(
      join(dataDir, 'devnet.json'),
      JSON.stringify({ ...manifest, apiUrl, relayer: new Wallet(deployer).address, demoAccounts: demo }, null, 2),
    );
    printSummary(manifest, apiUrl, dataDir, demo, new Wallet(keeperKey).address);
    up = true;
  } catch (err) {
    // Ctrl-C reaches the chains and the compiler too, so a set-up step fails with a closed
    // connection or a killed build; that is the stop the person asked for, not a failure. A
    // signal that arrived while the build held the thread is handled on the next turn.
    await new Promise((resolve) => setImmediate(resolve));
    if (stopping) return;
    process.stderr.write(`npm start failed: ${err instanceof Error ? err.message : String(err)}\n`);
    await shutdown(1);
  }
}

function printSummary(
  manifest: DevnetManifest,
  apiUrl: string,
  dataDir: string,
  demo: DemoAccount[],
  keeper: string,
): void {
  // Paths under the working directory as typed there (.data/…), others in full.
  const at = (file: string) => {
    const path = relative(process.cwd(), join(dataDir, file));
    return path.startsWith('..') ? join(dataDir, file) : path;
  };
  const lines = [
    '',
    'Omnichain collateral devnet is up.',
    '',
    '  chain     chain id  LayerZero eid  RPC',
    ...manifest.chains.map(
      (c) => `  ${c.name.padEnd(9)} ${String(c.chainId).padEnd(9)} ${String(c.eid).padEnd(14)} ${c.rpcUrl}`,
    ),
    '',
    `  MarginHub    ${manifest.hub} (on hub)`,
    `  RiskEngine   ${manifest.riskEngine} (on hub)`,
    ...(manifest.backstop
      ? [`  Backstop     ${manifest.backstop} (on hub: ERC-4626 vault that takes liquidatable accounts over whole)`]
      : []),
    ...(manifest.riskSteward
      ? [`  RiskSteward  ${manifest.riskSteward} (on hub: bounded updates of ETH's scan range and volatility shift)`]
      : []),
    ...manifest.chains
      .filter((c) => c.read)
      .map((c) => `  HealthReader ${c.read!.healthReader} (on ${c.name}: the hub's health, on-chain, with lzRead)`),
    `  API          ${apiUrl}   (OpenAPI: ${apiUrl}/openapi.json)`,
    `  Keeper       ${keeper} (liquidations: ${apiUrl}/v1/liquidations)`,
    `  Manifest     ${at('devnet.json')} (the deploy tool's: ${at('deployment.json')})`,
    '',
    `Deployed by npm run deploy's tool from ${at('network.json')}; re-running it changes nothing:`,
    `  DEPLOYER_KEY=${anvilKey(0)} npm run deploy -- --network ${at('network.json')} --manifest ${at('deployment.json')} --no-build`,
    '',
    ...(demo.length
      ? ['Demo accounts:', ...demo.map((d) => `  ${d.name.padEnd(6)} ${d.address}  ${d.holdings}`), '']
      : []),
    `Dashboard: ${apiUrl}/${demo[0] ? `?account=${demo[0].address}` : ''}`,
    '',
    'Try:',
    `  curl ${apiUrl}/v1/accounts/${demo[0]?.address ?? '<address>'}`,
    `  curl "${apiUrl}/v1/accounts?maxHealth=10"`,
    `  curl ${apiUrl}/v1/chains`,
    ...(demo[0]
      ? [`  OCC_KEY=${anvilKey(1)} npm run occ -- onchain-health ${demo[0].address} --chain spoke-1 --request`]
      : []),
    '',
    'Ctrl-C stops everything. Relayer logs (JSON) follow.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((err: unknown) => {
  // Expected refusals (a devnet already running, a port taken) are one line, not a stack trace.
  process.stderr.write(`npm start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
