import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser } from 'puppeteer-core';
import { setFeed } from '../../relayer/src/devnet/actions.js';
import { seedDemoAccounts } from '../../relayer/src/devnet/demo.js';
import type { DevnetManifest } from '../../relayer/src/devnet/deploySystem.js';
import type { Relayer } from '../../relayer/src/relayer.js';
import { waitFor } from '../../relayer/src/wait.js';
import { DEPLOYER, startTestDevnet, type TestDevnet } from './devnetFixture.js';

/** Where the test leaves the screenshot it takes (not tracked). */
export const SCREENSHOT = join('test-results', 'dashboard.png');

describe('the live dashboard at / (a real headless Chromium from npm)', function () {
  this.timeout(180_000);
  let devnet: TestDevnet;
  let manifest: DevnetManifest;
  let relayer: Relayer;
  let api: string;
  let browser: Browser;

  let stressReport: string;

  before(async function () {
    // A small stress run for the page's stress section, written by the simulator itself.
    const out = mkdtempSync(join(tmpdir(), 'dashboard-stress-'));
    await promisify(execFile)('npx', [
      'tsx',
      '--conditions=source',
      'stress/cli.ts',
      '--accounts',
      '60',
      '--scenario',
      'correlated crash',
      '--out',
      out,
    ]);
    stressReport = join(out, 'stress.json');
    devnet = await startTestDevnet({
      chainIds: [31_501, 31_502, 31_503],
      name: 'dashboard',
      configure: (config) => ({ ...config, stressReport }),
    });
    ({ manifest, relayer, api } = devnet);
    await seedDemoAccounts(manifest, relayer);
    // The flags keep Chromium off the network, which this machine closes (and CI need not have).
    browser = await puppeteer.launch({
      executablePath: await chromium.executablePath(),
      args: [
        ...chromium.args,
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      headless: true,
    });
  });

  after(async function () {
    await browser?.close();
    await devnet?.stop();
  });

  it("loads with no console errors, shows alice's health equal to the API's, and follows a price move live", async function () {
    const alice = (await (await fetch(`${api}/v1/accounts?maxHealth=10`)).json()) as {
      accounts: Array<{ owner: string; health: string }>;
    };
    const owner = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
    expect(alice.accounts.map((a) => a.owner)).to.include(owner);
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 1100 });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${api}/?account=${owner}`, { waitUntil: 'domcontentloaded' });

    const shown = () => page.$eval('#account-health', (e) => (e as HTMLElement).dataset.health ?? '');
    const apiHealth = async () =>
      (
        (await (await fetch(`${api}/v1/accounts/${owner}?subAccount=0`)).json()) as {
          accounts: Array<{ health: string }>;
        }
      ).accounts[0]!.health;
    await waitFor('the page to show alice', async () => (await shown()) !== '', 30_000);
    expect(await shown()).to.equal(await apiHealth());
    expect(await page.$eval('#account-health', (e) => e.textContent)).to.equal(Number(await apiHealth()).toFixed(4));
    expect(
      await page.$$eval('#collateral tbody tr', (rows) => rows.map((r) => r.children[0]!.textContent)),
    ).to.deep.equal(['spoke-1', 'spoke-2']);
    expect(await page.$$eval('#nearest tbody tr', (rows) => rows.length)).to.be.greaterThan(0);
    expect(await page.$eval('#chains tbody', (t) => t.children.length)).to.equal(3);

    const before = await shown();
    await setFeed(manifest, DEPLOYER, 'ETH', 2_800n * 10n ** 8n);
    await waitFor('the page to follow the price move', async () => (await shown()) !== before, 30_000);
    expect(await shown()).to.equal(await apiHealth());
    expect(Number(await shown())).to.be.lessThan(Number(before));
    expect(await page.$eval('#liquidation-prices', (e) => e.textContent)).to.match(
      /risk asset 1 at \$2,800\.00: liquidated at \$2,339\.18/,
    );

    // The stress section: the simulator's figures, as /v1/stress serves them from its file.
    const file = JSON.parse(readFileSync(stressReport, 'utf8')) as {
      results: Array<{ scenario: string; regime: string; shortfallUsd: number }>;
    };
    const served = (await (await fetch(`${api}/v1/stress`)).json()) as {
      accounts: number;
      results: Array<{ scenario: string; regime: string; shortfallUsd: number }>;
    };
    expect(served.accounts).to.equal(60);
    expect(served.results.map((r) => [r.scenario, r.regime, r.shortfallUsd])).to.deep.equal(
      file.results.map((r) => [r.scenario, r.regime, r.shortfallUsd]),
    );
    await waitFor(
      'the stress table',
      async () => (await page.$$eval('#stress tbody tr', (rows) => rows.length)) === 3,
      30_000,
    );
    const shownRows = await page.$$eval('#stress tbody tr', (rows) =>
      rows.map((r) => [r.children[0]!.textContent, r.children[1]!.textContent]),
    );
    expect(shownRows).to.deep.equal(file.results.map((r) => [r.scenario, r.regime]));
    expect(await page.$eval('#stress-status', (e) => e.textContent)).to.match(/^60 accounts, run /);

    // The waterfall line: the hub's insurance fund and cash index, as /v1/waterfall reads them.
    const waterfall = (await (await fetch(`${api}/v1/waterfall`)).json()) as { insuranceFundUsd: string };
    const fund = Number(waterfall.insuranceFundUsd).toLocaleString('en-US', {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
    await waitFor('the waterfall line', async () =>
      (await page.$eval('#waterfall', (e) => e.textContent ?? '')).includes(
        `; insurance fund $${fund}; loss socialised`,
      ),
    );
    expect(await page.$eval('#waterfall', (e) => e.textContent)).to.match(/^backstop vault \$[\d,.]+ \(share \$/);
    expect(await page.$eval('#waterfall', (e) => e.textContent)).to.match(/\(cash index 1\.000000\); unowned \$0\.00/);

    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(errors).to.deep.equal([]);
  });
});
