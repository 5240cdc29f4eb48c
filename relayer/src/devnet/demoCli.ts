/**
 * `npm run demo`: the crash scenario (crashDemo.ts) from a fresh devnet, with a readable summary,
 * or with `--json` the same as JSON. Exits 1 if the crash left bad debt or a liquidation was done twice.
 */
import { Command } from 'commander';
import { createProgress, progressMode } from '../progress.js';
import { DEPLOYED_SOURCES, runForge } from '../../../scripts/forge.mjs';
import { MESSAGE_LIB_HELP, messageLibOption, numberOption as number } from './cli.js';
import type { MessageLibKind } from './layerzero.js';
import { DEFAULT_CRASH, runCrashDemo, type CrashDemoResult } from './crashDemo.js';

const program = new Command()
  .name('npm run demo --')
  .description('A 40% crash of ETH on a fresh three-chain devnet, and what the keeper does about it.')
  .option('--accounts <n>', 'traders in the book', number('--accounts', 1, 20_000, true), DEFAULT_CRASH.accounts)
  .option(
    '--block-time <s>',
    'seconds between blocks on every chain (0: a block per transaction)',
    number('--block-time', 0, 60, true),
    DEFAULT_CRASH.blockTime,
  )
  .option('--crash <fraction>', 'fall of ETH from $3,000', number('--crash', 0.01, 0.9, false), DEFAULT_CRASH.crash)
  .option('--steps <n>', 'price updates the crash is spread over', number('--steps', 1, 100, true), DEFAULT_CRASH.steps)
  .option(
    '--step-ms <ms>',
    'time between two price updates',
    number('--step-ms', 0, 60_000, true),
    DEFAULT_CRASH.stepMs,
  )
  .option(
    '--vol-up <fraction>',
    'rise of ETH implied volatility over the crash',
    number('--vol-up', 0, 5, false),
    DEFAULT_CRASH.volUp,
  )
  .option('--no-cold-start', 'skip timing a fresh relayer reading the whole book')
  .option('--message-lib <lib>', MESSAGE_LIB_HELP, messageLibOption, DEFAULT_CRASH.messageLib)
  .option('--json', 'print the summary as JSON')
  .exitOverride((err) => process.exit(err.exitCode))
  .parse(process.argv);
const opts = program.opts<{
  accounts: number;
  blockTime: number;
  crash: number;
  steps: number;
  stepMs: number;
  volUp: number;
  coldStart: boolean;
  messageLib: MessageLibKind;
  json?: boolean;
}>();

const progress = opts.json ? () => undefined : (line: string) => process.stdout.write(`${line}\n`);
progress('building contracts (cached after the first run)...');
if (runForge(['build', ...DEPLOYED_SOURCES]) !== 0) {
  process.stderr.write('contract build failed\n');
  process.exit(1);
}
const started = Date.now();
try {
  const result = await runCrashDemo({
    ...DEFAULT_CRASH,
    ...opts,
    seed: DEFAULT_CRASH.seed,
    log: progress,
    progress: createProgress(process.stdout, progressMode(process.stdout, opts.json)),
  });
  if (opts.json) process.stdout.write(`${JSON.stringify({ ...result, records: undefined }, null, 2)}\n`);
  else process.stdout.write(summary(result, Date.now() - started, opts.blockTime));
  process.exit(result.badDebtUsd === '0' && result.doubleLiquidations === 0 ? 0 : 1);
} catch (err) {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

function summary(r: CrashDemoResult, ms: number, blockTime: number): string {
  const s = (x: number) => `${(x / 1000).toFixed(1)} s`;
  const lines = [
    '',
    `Crash: ETH $${r.ethPrice.from} -> $${r.ethPrice.to}, implied volatility up, on three chains with ${blockTime ? `${blockTime} s blocks` : 'a block per transaction'} (${s(ms)} in all).`,
    '',
    `  accounts                 ${r.accounts} (${r.positions.perps} perp and ${r.positions.options} option positions, ${r.borrowers} borrowing)`,
    `  set-up                   ${s(r.setupMs)}`,
    `  cold start               ${r.coldStart ? `${s(r.coldStart.ms)} for a fresh relayer to read ${r.coldStart.accounts} accounts (${s(r.coldStart.wallMs)} from process start)` : 'not measured, or did not finish (see above)'}`,
    `  keeper pass              p50 ${r.keeper.passMs.p50} ms, p95 ${r.keeper.passMs.p95} ms, max ${r.keeper.passMs.max} ms over ${r.keeper.passes} passes screening ${r.keeper.screened} accounts`,
    `  RPC requests per pass    p50 ${r.keeper.requestsPerPass.p50}, p95 ${r.keeper.requestsPerPass.p95}, max ${r.keeper.requestsPerPass.max}`,
    `  hub node accepting sends p50 ${r.keeper.broadcastMs.p50} ms, p95 ${r.keeper.broadcastMs.p95} ms, max ${r.keeper.broadcastMs.max} ms (outside the pass)`,
    `  relayer memory           ${r.relayerRssMb} MB RSS (most seen)`,
    `  liquidations             ${r.liquidations} settled on ${r.accountsLiquidated} accounts (${r.positionsTakenOver} position takeovers)`,
    `  by status                ${Object.entries(r.byStatus)
      .map(([st, n]) => `${st} ${n}`)
      .join(', ')}`,
    ...Object.entries(r.reasons).map(([reason, n]) => `    ${n} × ${reason}`),
    '  collateral seized',
    ...r.seizedByChain.map((c) => `    ${c.chain.padEnd(10)} ${c.amount} ${c.token}`),
    `  price move -> seize      median ${r.latencyBlocks.median} blocks / ${r.latencyMs.median} ms, p95 ${r.latencyBlocks.p95} blocks / ${r.latencyMs.p95} ms, max ${r.latencyBlocks.max} blocks / ${r.latencyMs.max} ms`,
    `  unhealthy at the end     ${r.unhealthyAtEnd}`,
    `  bad debt                 $${r.badDebtUsd} beyond the insurance fund, charged to positive cash ($${r.unownedLossUsd} unowned)`,
    `  backstop takeovers       ${r.backstopTakeovers} (taken whole at or below health ${r.backstop.health}, or past the vault's patience; the lowest health a keeper liquidation was planned at: ${r.backstop.lowestHealthAtPlan ?? 'none'})`,
    `  double liquidations      ${r.doubleLiquidations}`,
    `  unfinished records       ${r.unfinishedRecords}`,
    `  parity checks            ${r.parity.checked} accounts compared with the hub, ${r.parity.mismatches} differences`,
    `  hub during the crash     ${r.hubLoad.blocks} blocks in ${r.hubLoad.seconds} s, ${mgas(r.hubLoad.gasUsed)} Mgas (at most ${mgas(r.hubLoad.maxBlockGas)} in a block)`,
    `  CPU during the crash     ${cpuLine(r.cpu)}`,
    `  insurance fund           $${r.insuranceFundUsd}`,
    '',
  ];
  return lines.join('\n');
}

/** Who used the machine from the first price move until the keeper finished, in CPU seconds. */
function cpuLine(cpu: CrashDemoResult['cpu']): string {
  if (cpu.machineBusySeconds === null) return 'not measured (no /proc on this system)';
  const shares = cpu.processes.map((p) => `${p.name} ${p.seconds} s`).join(', ');
  const busy = Math.round((100 * cpu.machineBusySeconds) / (cpu.wallSeconds * cpu.cores));
  return `${cpu.wallSeconds} s on ${cpu.cores} cores, ${busy}% busy: ${shares}`;
}

/** Gas (a decimal string) in millions, rounded. */
function mgas(gas: string): string {
  return Math.round(Number(BigInt(gas) / 1_000_000n)).toLocaleString('en-US');
}
