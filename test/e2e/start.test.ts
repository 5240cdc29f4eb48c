import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anvilKey, freePort, portIsFree } from '../../relayer/src/devnet/anvil.js';

/** `npm start` as its own process; `detached` gives it a process group of its own, as a terminal does. */
function runStart(
  args: string[],
  { detached = false } = {},
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'relayer/src/devnet/start.ts', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], detached },
  );
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

describe('npm start (the devnet CLI)', function () {
  this.timeout(120_000);
  let dataDir: string;

  beforeEach(function () {
    dataDir = mkdtempSync(join(tmpdir(), 'devnet-start-'));
  });
  afterEach(function () {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('brings up chains, contracts, relayer and API; refuses a second start; Ctrl-C leaves nothing running', async function () {
    const basePort = 20_000 + ((await freePort()) % 20_000);
    const apiPort = basePort + 10;
    const first = runStart([
      '--base-port',
      String(basePort),
      '--api-port',
      String(apiPort),
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
    ]);
    const deadline = Date.now() + 90_000;
    while (!first.output().includes('devnet is up')) {
      if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${first.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(first.output()).to.include(`API          http://127.0.0.1:${apiPort}`);
    expect(existsSync(join(dataDir, 'devnet.json'))).to.equal(true);

    const alice = first.output().match(/alice\s+(0x[0-9a-fA-F]{40})/)![1]!;
    const res = await fetch(`http://127.0.0.1:${apiPort}/v1/accounts/${alice}`);
    const body = (await res.json()) as { accounts: Array<{ health: string; collateral: unknown[] }> };
    expect(res.status).to.equal(200);
    expect(body.accounts[0]!.collateral).to.have.length(2);
    expect(body.accounts[0]!.health).to.equal('2.982456140350877192'); // docs/risk-model.md section 9

    // npm start deployed with the deploy tool: run on the network file it wrote, the tool finds nothing to change.
    const redeploy = await promisify(execFile)(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        'deploy/cli.ts',
        '--network',
        join(dataDir, 'network.json'),
        '--manifest',
        join(dataDir, 'deployment.json'),
        '--no-build',
      ],
      { env: { ...process.env, DEPLOYER_KEY: anvilKey(0) } },
    );
    expect(redeploy.stdout).to.include('Nothing to do: every chain matches the network file.');
    expect(first.output()).to.include('npm run deploy -- --network');

    const second = runStart([
      '--base-port',
      String(basePort + 20),
      '--api-port',
      String(apiPort + 20),
      '--data-dir',
      dataDir,
    ]);
    expect(await second.exited).to.equal(1);
    expect(second.output()).to.match(/a devnet is already running from .* \(pid \d+\)/);
    expect(second.output()).to.not.match(/\n\s+at /); // a message, not a stack trace

    first.child.kill('SIGINT');
    expect(await first.exited).to.equal(0);
    expect(first.output()).to.include('Stopped. Nothing left running.');
    for (const port of [basePort, basePort + 1, basePort + 2, apiPort])
      expect(await portIsFree(port), `port ${port}`).to.equal(true);
    expect(existsSync(join(dataDir, 'devnet.lock'))).to.equal(false);
  });

  it('Ctrl-C during set-up stops everything it started and says so in one line', async function () {
    const basePort = 20_000 + ((await freePort()) % 20_000);
    const apiPort = basePort + 10;
    const args = ['--base-port', String(basePort), '--api-port', String(apiPort), '--data-dir', dataDir];
    const start = runStart(args, { detached: true });
    const deadline = Date.now() + 60_000;
    while (!start.output().includes('Deploying LayerZero')) {
      if (Date.now() > deadline) throw new Error(`npm start did not reach its deployment:\n${start.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // A terminal's Ctrl-C signals the whole foreground process group: npm start and its chains.
    process.kill(-start.child.pid!, 'SIGINT');
    expect(await start.exited).to.equal(0);
    const after = start.output().slice(start.output().indexOf('Deploying LayerZero'));
    expect(after).to.include('Stopped during set-up; nothing left running.');
    expect(after, after).to.not.match(/failed|ECONNRESET|Error/);
    expect(after).to.not.include('devnet is up');
    for (const port of [basePort, basePort + 1, basePort + 2, apiPort])
      expect(await portIsFree(port), `port ${port}`).to.equal(true);
    expect(existsSync(join(dataDir, 'devnet.lock'))).to.equal(false);
  });
});
