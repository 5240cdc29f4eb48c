import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The README's first `js` block (the in-process example) and the block after "It prints:". */
function readmeExample(): { code: string; prints: string } {
  const readme = readFileSync('sdk/README.md', 'utf8');
  const code = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
  const prints = /It prints:\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!code || !prints) throw new Error('sdk/README.md lost its example or its output');
  return { code, prints };
}

describe('the SDK as a package (npm pack, installed into a scratch project)', function () {
  this.timeout(180_000);
  let dir: string;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'sdk-pack-'));
    await run(npm, ['run', 'build', '-w', '@omnichain-collateral/sdk']);
    await run(npm, ['pack', '-w', '@omnichain-collateral/sdk', '--pack-destination', dir]);
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    mkdirSync(join(dir, 'scratch'));
    writeFileSync(
      join(dir, 'scratch', 'package.json'),
      JSON.stringify({ name: 'scratch', private: true, type: 'module' }),
    );
    await run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', resolve(dir, tarball)], {
      cwd: join(dir, 'scratch'),
    });
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('ships JavaScript and type declarations, not the TypeScript sources', function () {
    const pkg = join(dir, 'scratch', 'node_modules', '@omnichain-collateral', 'sdk');
    const files = readdirSync(join(pkg, 'dist'));
    expect(files).to.include.members(['index.js', 'index.d.ts']);
    expect(readdirSync(pkg)).to.not.include('src');
  });

  it('installs the occ command', async function () {
    const { stdout } = await run(join(dir, 'scratch', 'node_modules', '.bin', 'occ'), ['--help'], {
      cwd: join(dir, 'scratch'),
    });
    expect(stdout).to.match(/^Usage: occ \[options\] \[command\]/);
    for (const command of [
      'deposit',
      'withdraw',
      'transfer',
      'account',
      'preview',
      'liquidations',
      'messages',
      'chains',
    ])
      expect(stdout).to.include(`  ${command}`);
  });

  it("computes an account's health in-process: the README's example, as an integrator pastes it", async function () {
    const { code, prints } = readmeExample();
    writeFileSync(join(dir, 'scratch', 'health.mjs'), code);
    const { stdout } = await run(process.execPath, ['health.mjs'], { cwd: join(dir, 'scratch') });
    expect(stdout).to.equal(prints);
  });

  it('type-checks a TypeScript consumer against its declarations', async function () {
    const scratch = join(dir, 'scratch');
    writeFileSync(
      join(scratch, 'consumer.ts'),
      [
        "import { RelayerClient, accountRisk, type AccountRisk, type PreviewAction } from '@omnichain-collateral/sdk';",
        "import { marginHubAbi } from '@omnichain-collateral/sdk/abi';",
        "const action: PreviewAction = { type: 'withdraw', assetId: 1, amount: 1n };",
        'const figures = (r: AccountRisk): bigint | undefined => r.figures?.maintenanceEquity;',
        'export { action, figures, accountRisk, marginHubAbi, RelayerClient };',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = resolve('node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', scratch]).catch((err: { stdout?: string }) => err);
    expect((result as { stdout?: string }).stdout ?? '').to.equal('');
  });
});
