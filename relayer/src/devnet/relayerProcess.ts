/**
 * The relayer as a separate process on a devnet (`relayerMain.ts`), as an operator runs it: its
 * own memory, its own event loop, and something a test can kill with SIGKILL and start again on
 * the same data directory. Talked to over its HTTP API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RelayerConfig } from '../config.js';
import { waitFor } from '../wait.js';
import { repoRoot } from '../../../deploy/artifacts.js';

export class RelayerProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  readonly api: string;

  constructor(
    private readonly config: RelayerConfig,
    private readonly logLevel = 'info',
  ) {
    this.api = `http://${config.api.host}:${config.api.port}`;
    writeFileSync(this.configPath, JSON.stringify(config, null, 2));
  }

  get configPath(): string {
    return join(this.config.dataDir, 'relayer.json');
  }

  /** Starts the process and resolves once its API answers (the relayer has connected and loaded its configuration). */
  async start(timeoutMs = 60_000): Promise<void> {
    const log = createWriteStream(join(this.config.dataDir, 'relayer.log'), { flags: 'a' });
    // RELAYER_CPU_PROF=<dir> writes a CPU profile of the relayer when it stops (for finding what a large book costs).
    const profile = process.env.RELAYER_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.RELAYER_CPU_PROF] : [];
    const child = spawn(
      process.execPath,
      [
        ...profile,
        // As `npm run relayer` starts it: a young generation of 64 MB, not 16, for the keeper's
        // short-lived BigInts, which otherwise promote to the old generation and are collected
        // in the middle of a pass.
        '--max-semi-space-size=64',
        '--conditions=source',
        '--import',
        'tsx',
        join(repoRoot, 'relayer/src/devnet/relayerMain.ts'),
        '--config',
        this.configPath,
        '--log-level',
        this.logLevel,
      ],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.pipe(log);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      log.write(chunk);
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const died = this.exited.then(() => {
      throw new Error(`the relayer process exited before its API answered: ${stderr.trim() || 'no message'}`);
    });
    await Promise.race([
      waitFor(
        `the relayer API at ${this.api}`,
        () =>
          this.get('/healthz').then(
            () => true,
            () => false,
          ),
        timeoutMs,
      ),
      died,
    ]);
  }

  /** The running process's id (undefined before start). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Kills the process without letting it flush or say goodbye. */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** Stops it as Ctrl-C would: services finish their run, the store is flushed. */
  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(timer);
  }

  async get<T = unknown>(path: string): Promise<T> {
    const res = await fetch(`${this.api}${path}`);
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** Every page of a paged list (`/v1/liquidations`, `/v1/messages`). */
  async all<T>(path: string, key: string): Promise<T[]> {
    const out: T[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = await this.get<Record<string, unknown> & { total: number }>(
        `${path}${path.includes('?') ? '&' : '?'}limit=500&offset=${offset}`,
      );
      out.push(...(page[key] as T[]));
      if (offset + 500 >= page.total) return out;
    }
  }
}
