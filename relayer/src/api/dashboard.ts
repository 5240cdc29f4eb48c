/**
 * The live dashboard at `/`: a static page (dashboard/: HTML, CSS and browser JavaScript, no
 * build step), Chart.js served from its npm package, and `GET /v1/events`, a server-sent event
 * stream of snapshots: chains, the accounts nearest liquidation, the book's health histogram,
 * messages in flight, the latest liquidations, prices and, for `?account=<owner>`, that owner's
 * cross account with its liquidation prices. A snapshot goes out when the hub block changes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type express from 'express';
import { toAccountId } from '@omnichain-collateral/sdk/accountId';
import { parseUnits } from 'ethers';
import { formatWad, MAX_HEALTH, WAD } from '@omnichain-collateral/sdk/risk/marginModel';
import { liquidationPrices } from '@omnichain-collateral/sdk/risk/preview';
import type { ApiDeps } from './server.js';
import { accountJson, liquidationJson, liquidationPriceJson, messageJson } from './serialize.js';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: join(here, 'dashboard', 'index.html'), type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: join(here, 'dashboard', 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  '/dashboard.css': { file: join(here, 'dashboard', 'dashboard.css'), type: 'text/css; charset=utf-8' },
  // The UMD build (a global `Chart`), beside the entry the package exports.
  '/vendor/chart.js': {
    file: join(dirname(require.resolve('chart.js')), 'chart.umd.js'),
    type: 'text/javascript; charset=utf-8',
  },
};
/** Health buckets of the histogram: upper bounds (the last bucket is everything above, then "no requirement"). */
const BUCKETS = ['1', '1.1', '1.25', '1.5', '2', '3', '5'];
const BUCKET_BOUNDS = BUCKETS.map((b) => parseUnits(b, 18));
const SNAPSHOT_EVERY_MS = 500;

export function mountDashboard(
  app: express.Express,
  deps: ApiDeps,
  chainName: (eid: number) => string,
  chains: () => unknown,
): void {
  for (const [path, { file, type }] of Object.entries(STATIC)) {
    const body = readFileSync(file);
    app.get(path, (_req, res) => {
      res.type(type).send(body);
    });
  }

  app.get('/v1/events', (req, res) => {
    const account =
      typeof req.query.account === 'string' && /^0x[0-9a-fA-F]{40}$/.test(req.query.account)
        ? req.query.account
        : undefined;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let lastBlock = -1;
    let busy = false;
    const push = async () => {
      if (busy) return;
      busy = true;
      try {
        const block = await deps.reader.provider.head();
        if (block === lastBlock) return;
        lastBlock = block;
        res.write(
          `event: snapshot\ndata: ${JSON.stringify(await snapshot(deps, block, chainName, chains, account))}\n\n`,
        );
      } catch (err) {
        deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'dashboard snapshot failed');
      } finally {
        busy = false;
      }
    };
    void push();
    const timer = setInterval(() => void push(), SNAPSHOT_EVERY_MS);
    req.on('close', () => clearInterval(timer));
  });
}

async function snapshot(
  deps: ApiDeps,
  block: number,
  chainName: (eid: number) => string,
  chains: () => unknown,
  owner: string | undefined,
) {
  const book = deps.book.all();
  const histogram = [
    ...BUCKETS.map((b) => ({ upTo: b, accounts: 0 })),
    { upTo: 'more', accounts: 0 },
    { upTo: 'no requirement', accounts: 0 },
  ];
  for (const r of book) {
    if (r.health === undefined) continue;
    const h = r.health;
    const at = h === MAX_HEALTH ? histogram.length - 1 : BUCKET_BOUNDS.findIndex((bound) => h < bound);
    histogram[at < 0 ? histogram.length - 2 : at]!.accounts++;
  }
  const nearest = deps.book
    .nearestLiquidation(10n * WAD)
    .slice(0, 10)
    .map((r) => ({
      owner: r.owner,
      subAccount: r.subAccount,
      health: r.health === undefined ? null : formatWad(r.health),
    }));
  const state = await deps.reader.marketState(block);
  const prices = [...state.prices]
    .filter(([, p]) => p.ok)
    .map(([riskAsset, p]) => ({ riskAsset, priceUsd: p.ok ? formatWad(p.price) : null }));
  const inFlight = deps.store.inFlight();
  let account;
  if (owner) {
    const id = toAccountId(owner, 0);
    const [holdings] = await deps.reader.holdings([id], block);
    account = {
      ...accountJson(deps.reader.risk(id, holdings!, state), chainName),
      liquidationPrices: liquidationPrices(deps.reader.riskSetup(), id, holdings!, state).map(liquidationPriceJson),
    };
  }
  return {
    block,
    at: new Date().toISOString(),
    chains: chains(),
    book: { accounts: book.length },
    histogram,
    nearest,
    prices,
    messages: {
      inFlight: inFlight.length,
      latest: inFlight.slice(0, 10).map((m) => messageJson(m, deps.stuck.reason(m.guid))),
    },
    liquidations: deps.store
      .liquidations()
      .sort((a, b) => b.plannedAt - a.plannedAt)
      .slice(0, 10)
      .map((l) => liquidationJson(l, chainName)),
    account: account ?? null,
  };
}
