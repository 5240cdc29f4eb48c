/**
 * `npm run demo`: the crash scenario (crashDemo.ts) from a fresh devnet, with a readable summary,
 * or with `--json` the same as JSON. Exits 1 if the crash left bad debt.
 */
import { Command } from 'commander';
import { runForge } from '../../../scripts/forge.mjs';
import { numberOption as number } from './cli.js';
import { DEFAULT_CRASH, runCrashDemo, type CrashDemoResult } from './crashDemo.js';

const program = new Command()
  .name('npm run demo --')
  .description('A 40% crash of ETH on a fresh three-chain devnet, and what the keeper does about it.')
  .option('--accounts <n>', 'traders in the book', number('--accounts', 1, 500, true), DEFAULT_CRASH.accounts)
  .option('--crash <fraction>', 'fall of ETH from $3,000', number('--crash', 0.01, 0.9, false), DEFAULT_CRASH.crash)
  .option('--steps <n>', 'blocks the crash is spread over', number('--steps', 1, 100, true), DEFAULT_CRASH.steps)
  .option('--step-ms <ms>', 'time between two price updates', number('--step-ms', 0, 60_000, true), DEFAULT_CRASH.stepMs)
  .option('--vol-up <fraction>', 'rise of ETH implied volatility over the crash', number('--vol-up', 0, 5, false), DEFAULT_CRASH.volUp)
  .option('--json', 'print the summary as JSON')
  .exitOverride((err) => process.exit(err.exitCode))
  .parse(process.argv);
const opts = program.opts<{ accounts: number; crash: number; steps: number; stepMs: number; volUp: number; json?: boolean }>();

const progress = opts.json ? () => undefined : (line: string) => process.stdout.write(`${line}\n`);
progress('building contracts (cached after the first run)...');
if (runForge(['build', '--skip', 'test', '--skip', 'script']) !== 0) {
  process.stderr.write('contract build failed\n');
  process.exit(1);
}
const started = Date.now();
const result = await runCrashDemo({ ...DEFAULT_CRASH, ...opts, seed: DEFAULT_CRASH.seed, log: progress });
if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else process.stdout.write(summary(result, Date.now() - started));
process.exit(result.badDebtUsd === '0' ? 0 : 1);

function summary(r: CrashDemoResult, ms: number): string {
  const lines = [
    '',
    `Crash: ETH $${r.ethPrice.from} -> $${r.ethPrice.to}, implied volatility up, on three chains (${(ms / 1000).toFixed(1)} s in all).`,
    '',
    `  accounts                 ${r.accounts} (${r.positions.perps} perp and ${r.positions.options} option positions)`,
    `  liquidations             ${r.liquidations} settled on ${r.accountsLiquidated} accounts (${r.positionsTakenOver} position takeovers)`,
    `  by status                ${Object.entries(r.byStatus).map(([s, n]) => `${s} ${n}`).join(', ')}`,
    ...Object.entries(r.reasons).map(([reason, n]) => `    ${n} × ${reason}`),
    '  collateral seized',
    ...r.seizedByChain.map((s) => `    ${s.chain.padEnd(10)} ${s.amount} ${s.token}`),
    `  price move -> seize      median ${r.latencyBlocks.median} blocks / ${r.latencyMs.median} ms, worst ${r.latencyBlocks.max} blocks / ${r.latencyMs.max} ms`,
    `  unhealthy at the end     ${r.unhealthyAtEnd}`,
    `  bad debt                 $${r.badDebtUsd}`,
    `  insurance fund           $${r.insuranceFundUsd}`,
    '',
  ];
  return lines.join('\n');
}
