/**
 * Risk bench: how fast the margin of a 100,000-account book can be watched.
 *
 *   npm run bench            # readable lines
 *   npm run bench -- --json  # the same figures as JSON
 *   npm run bench -- --accounts 20000
 *
 * Exact path (bigint, identical to the contracts) on a sample, extrapolated; screening path
 * (float risk arrays) on the whole book, single-threaded and on worker threads sharing the book
 * through SharedArrayBuffers; and the gas of the on-chain check from the forge snapshots.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { ExactBook, toPortfolio } from '@omnichain-collateral/sdk/risk/exactBook';
import { portfolioMargin } from '@omnichain-collateral/sdk/risk/portfolioMargin';
import {
  allocateScreenOutput,
  buildRiskArrays,
  packAccounts,
  SCREEN_CANDIDATE,
  screenBook,
  updateRiskArrays,
  type PackedAccounts,
  type RiskArrays,
  type ScreenOutput,
} from '@omnichain-collateral/sdk/risk/screening';
import { generateBook, type Book } from './book.js';
import type { WorkerReply, WorkerRequest } from './screenWorker.js';

const SEED = 20_251_125;
const PLAIN_SAMPLE = 1000;
const MEMO_SAMPLE = 2000;
const ROUNDS = 7;

const args = process.argv.slice(2);
const json = args.includes('--json');
const accountsArg = args.indexOf('--accounts');
const ACCOUNTS = accountsArg >= 0 ? Number(args[accountsArg + 1]) : 100_000;
if (!Number.isInteger(ACCOUNTS) || ACCOUNTS < MEMO_SAMPLE)
  throw new Error(`--accounts must be an integer >= ${MEMO_SAMPLE}`);

const lines: string[] = [];
const say = (line: string) => {
  if (!json) process.stdout.write(line + '\n');
  lines.push(line);
};
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function time<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface RateFigures {
  accounts: number;
  ms: number;
  accountsPerSecond: number;
}

const rate = (accounts: number, ms: number): RateFigures => ({
  accounts,
  ms,
  accountsPerSecond: (accounts / ms) * 1000,
});

// ------------------------------------------------------------------------------ exact path

function benchExact(book: Book) {
  const sample = book.accounts.slice(0, PLAIN_SAMPLE).map((a) => toPortfolio(book.spec, a));
  const plain = time(() =>
    sample.map((p) => portfolioMargin(p.cash, book.underlyings, p.collateral, p.positions, book.spec.offsets)),
  );
  // A fresh memo, so the first accounts pay for the Black-Scholes evaluations as after a price update.
  const exactBook = new ExactBook(book.spec, book.underlyings);
  const memo = time(() => book.accounts.slice(0, MEMO_SAMPLE).map((a) => exactBook.evaluate(a)));
  const mismatches = plain.value.filter(
    (r, i) =>
      r.maintenanceRequirement !== memo.value[i]!.maintenanceRequirement ||
      r.maintenanceEquity !== memo.value[i]!.maintenanceEquity,
  ).length;
  if (mismatches > 0) throw new Error(`memoized exact path differs from portfolioMargin on ${mismatches} accounts`);
  return {
    plain: rate(PLAIN_SAMPLE, plain.ms),
    memoized: { ...rate(MEMO_SAMPLE, memo.ms), memoEntries: exactBook.memoSize },
    sampleResults: memo.value,
  };
}

// ------------------------------------------------------------------------------ screening, one thread

function benchSingleThread(book: Book, risk: RiskArrays, accounts: PackedAccounts, out: ScreenOutput) {
  const rounds: number[] = [];
  let candidates = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t = time(() => {
      updateRiskArrays(risk, book.spec, book.underlyings);
      return screenBook(risk, accounts, out);
    });
    rounds.push(t.ms);
    candidates = t.value;
  }
  return { ...rate(accounts.count, median(rounds)), bestMs: Math.min(...rounds), candidates };
}

// ------------------------------------------------------------------------------ screening, workers

/** Worker threads each screening a contiguous slice of the shared book. */
class ScreenPool {
  private nextId = 0;

  private constructor(private readonly workers: Worker[]) {}

  static async start(
    threads: number,
    risk: RiskArrays,
    accounts: PackedAccounts,
    out: ScreenOutput,
  ): Promise<ScreenPool> {
    const workers = Array.from({ length: threads }, () => tsWorker(new URL('./screenWorker.ts', import.meta.url)));
    await Promise.all(
      workers.map((w) => request(w, { type: 'init', risk, accounts, out }, (reply) => reply.type === 'ready')),
    );
    return new ScreenPool(workers);
  }

  /** Screens the whole book; resolves with the number of candidates. */
  async screen(count: number): Promise<number> {
    const per = Math.ceil(count / this.workers.length);
    const replies = await Promise.all(
      this.workers.map((w, i) => {
        const id = this.nextId++;
        return request(
          w,
          { type: 'screen', id, from: Math.min(i * per, count), to: Math.min((i + 1) * per, count) },
          (reply) => reply.type === 'done' && reply.id === id,
        );
      }),
    );
    return replies.reduce((sum, reply) => sum + (reply.type === 'done' ? reply.candidates : 0), 0);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * A worker running a .ts file. Node 20 does not hand `--import tsx` in `execArgv` on to workers
 * (nodejs/node#47747, fixed in 22.2: the .ts entry fails with ERR_UNKNOWN_FILE_EXTENSION), so
 * a two-line bootstrap registers tsx inside the worker and then imports the entry.
 */
function tsWorker(file: URL): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

function request(
  worker: Worker,
  message: WorkerRequest,
  isReply: (reply: WorkerReply) => boolean,
): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: WorkerReply) => {
      if (!isReply(reply)) return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      resolve(reply);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.postMessage(message);
  });
}

async function benchWorkers(book: Book, threads: number) {
  const started = time(() => ({
    risk: buildRiskArrays(book.spec, book.underlyings, { shared: true }),
    accounts: packAccounts(book.spec, book.accounts, { shared: true }),
    out: allocateScreenOutput(book.accounts.length, { shared: true }),
  }));
  const { risk, accounts, out } = started.value;
  const t0 = performance.now();
  const pool = await ScreenPool.start(threads, risk, accounts, out);
  const startupMs = performance.now() - t0;
  const rounds: number[] = [];
  let candidates = 0;
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const t1 = performance.now();
      updateRiskArrays(risk, book.spec, book.underlyings);
      candidates = await pool.screen(accounts.count);
      rounds.push(performance.now() - t1);
    }
  } finally {
    await pool.close();
  }
  return {
    threads,
    ...rate(accounts.count, median(rounds)),
    bestMs: Math.min(...rounds),
    candidates,
    workerStartupMs: startupMs,
    sharedPackMs: started.ms,
    out,
  };
}

// ------------------------------------------------------------------------------ gas

function readSnapshot(name: string): Record<string, number> | undefined {
  const path = new URL(`../snapshots/${name}`, import.meta.url);
  if (!existsSync(path)) return undefined;
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string | number>;
  const positions = (key: string) => Number(/(\d+) positions?/.exec(key)?.[1] ?? Infinity);
  const entries = Object.entries(raw).sort(([a], [b]) => positions(a) - positions(b) || a.localeCompare(b));
  return Object.fromEntries(entries.map(([k, v]) => [k, Number(v)]));
}

// ------------------------------------------------------------------------------ main

async function main() {
  const threads = availableParallelism();
  const built = time(() => generateBook(ACCOUNTS, SEED));
  const book = built.value;
  say(
    `book: ${fmt(ACCOUNTS)} accounts x (3 collateral + 5 positions) over ${book.spec.markets.length} markets (ETH/BTC perps; calls and puts at 5 strikes x 3 expiries) and ${book.spec.collateralAssets.length} collateral assets on 3 underlyings (ETH, BTC, USD stable); generated in ${fmt(built.ms)} ms`,
  );

  const exact = benchExact(book);
  say(
    `exact path, portfolioMargin (bigint, what the contract computes), measured on a sample of ${fmt(PLAIN_SAMPLE)} accounts: ${fmt(exact.plain.accountsPerSecond)} accounts/s -> ${fmt(ACCOUNTS / exact.plain.accountsPerSecond, 1)} s extrapolated for ${fmt(ACCOUNTS)}`,
  );
  say(
    `exact path, ExactBook (same figures, Black-Scholes memoized; ${fmt(exact.memoized.memoEntries)} evaluations), measured on a sample of ${fmt(MEMO_SAMPLE)} accounts from a cold memo: ${fmt(exact.memoized.accountsPerSecond)} accounts/s -> ${fmt(ACCOUNTS / exact.memoized.accountsPerSecond, 1)} s extrapolated for ${fmt(ACCOUNTS)}`,
  );

  const riskArrays = time(() => buildRiskArrays(book.spec, book.underlyings));
  const packed = time(() => packAccounts(book.spec, book.accounts));
  const out = allocateScreenOutput(ACCOUNTS);
  const single = benchSingleThread(book, riskArrays.value, packed.value, out);
  say(
    `screening: risk arrays for ${book.spec.markets.length + book.spec.collateralAssets.length} instruments x 2 grids x 16 scenarios built in ${fmt(riskArrays.ms, 2)} ms; packing the book into typed arrays (once) ${fmt(packed.ms)} ms`,
  );
  say(
    `screening, 1 thread, whole book (risk arrays + ${fmt(ACCOUNTS)} accounts, median of ${ROUNDS}): ${fmt(single.ms, 1)} ms, ${fmt(single.accountsPerSecond)} accounts/s (best ${fmt(single.bestMs, 1)} ms)`,
  );

  const workers = await benchWorkers(book, threads);
  say(
    `screening, ${threads} worker threads (os.availableParallelism()), whole book (median of ${ROUNDS}): ${fmt(workers.ms, 1)} ms, ${fmt(workers.accountsPerSecond)} accounts/s (best ${fmt(workers.bestMs, 1)} ms; one-off worker start-up ${fmt(workers.workerStartupMs)} ms)`,
  );
  const identical = out.flags.every(
    (f, i) =>
      f === workers.out.flags[i] &&
      out.requirementM[i] === workers.out.requirementM[i] &&
      out.equityM[i] === workers.out.equityM[i],
  );
  if (!identical) throw new Error('worker results differ from single-threaded results');
  say(
    `screening results: ${fmt(single.candidates)} candidates for an exact check (${fmt((100 * single.candidates) / ACCOUNTS, 2)}%; the generator puts about 15% below health 1); workers' figures identical to single-threaded`,
  );

  const sampleLiquidatable = exact.sampleResults.filter((r) => r.maintenanceEquity < r.maintenanceRequirement).length;
  const sampleMissed = exact.sampleResults.filter(
    (r, i) => r.maintenanceEquity < r.maintenanceRequirement && (out.flags[i]! & SCREEN_CANDIDATE) === 0,
  ).length;
  say(
    `check on the exact sample: ${fmt(sampleLiquidatable)} of ${fmt(MEMO_SAMPLE)} accounts liquidatable, ${sampleMissed} of them screened healthy`,
  );
  if (sampleMissed > 0) throw new Error('screening missed a liquidatable account');

  const gas = { portfolioMargin: readSnapshot('portfolio-margin.json'), hubMargin: readSnapshot('hub-margin.json') };
  for (const [key, value] of Object.entries(gas.portfolioMargin ?? {}))
    say(`gas, on-chain PortfolioMargin check (snapshots/portfolio-margin.json), ${key}: ${fmt(value)}`);
  if (!gas.portfolioMargin) say('gas: snapshots/portfolio-margin.json not found (npm run snapshot)');
  for (const [key, value] of Object.entries(gas.hubMargin ?? {}))
    say(`gas, hub (snapshots/hub-margin.json), ${key}: ${fmt(value)}`);
  if (!gas.hubMargin) say('gas: snapshots/hub-margin.json not present');

  if (json) {
    const { out: _workerOut, ...workerFigures } = workers;
    const { sampleResults: _sample, ...exactFigures } = exact;
    const report = {
      book: {
        accounts: ACCOUNTS,
        collateralPerAccount: 3,
        positionsPerAccount: 5,
        markets: book.spec.markets.length,
        collateralAssets: book.spec.collateralAssets.length,
        underlyings: book.underlyings.length,
        generateMs: built.ms,
      },
      exact: {
        plain: {
          ...exactFigures.plain,
          sample: true,
          extrapolatedBookSeconds: ACCOUNTS / exactFigures.plain.accountsPerSecond,
        },
        memoized: {
          ...exactFigures.memoized,
          sample: true,
          extrapolatedBookSeconds: ACCOUNTS / exactFigures.memoized.accountsPerSecond,
        },
      },
      screening: {
        riskArraysMs: riskArrays.ms,
        packMs: packed.ms,
        singleThread: single,
        workers: workerFigures,
        identicalAcrossThreads: identical,
      },
      sampleCheck: { accounts: MEMO_SAMPLE, liquidatable: sampleLiquidatable, screenedHealthy: sampleMissed },
      gas,
      lines,
    };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  }
}

await main();
