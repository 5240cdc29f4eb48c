/**
 * The risk engine's configuration from the network file: risk assets (feeds and price bands),
 * each underlying's scenario grid, collateral assets with their haircuts, and markets. Ids are
 * positions in the file's lists and listings are append-only on chain, so an entry already
 * listed with other fixed fields (token, chain, kind, strike, expiry) is an error that names
 * both; the adjustable fields (bands, grids, haircuts, price deviation) converge.
 */
import { riskEngineAbi } from '@omnichain-collateral/sdk/abi';
import { NO_RATE_FEED, NO_VOL_FEED } from '@omnichain-collateral/sdk/risk/accountRisk';
import type { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { sameAddress, type DeployContext } from './context.js';
import { isStewarded, type NetworkFile } from './networkFile.js';

type Engine = TypedContract<typeof riskEngineAbi>;

const MARKET_KIND = { perp: 0, call: 1, put: 2 } as const;
const WAD = 10n ** 18n;

export function riskAssetIds(file: NetworkFile): Map<string, number> {
  return new Map(file.riskAssets.map((r, i) => [r.name, i]));
}

export async function wireRiskAssets(ctx: DeployContext, engine: Engine): Promise<void> {
  const hub = ctx.hub;
  const ids = riskAssetIds(ctx.file);
  let count = Number(await engine.read('riskAssetCount', []));
  for (const [id, r] of ctx.file.riskAssets.entries()) {
    const args = [r.feed, r.maxAge, r.minPrice, r.maxPrice] as const;
    if (id >= count) {
      await ctx.converge(
        hub,
        `risk asset ${id} (${r.name})`,
        async () => false,
        () => engine.send('addRiskAsset', [...args]),
      );
      count++;
    } else {
      await ctx.converge(
        hub,
        `risk asset ${id} (${r.name}): feed and price band`,
        async () => {
          const now = await engine.read('riskAsset', [id]);
          return (
            sameAddress(now.feed, r.feed) &&
            now.maxAge === r.maxAge &&
            now.minPrice === r.minPrice &&
            now.maxPrice === r.maxPrice
          );
        },
        () => engine.send('setRiskAsset', [id, ...args]),
      );
    }
  }
  for (const [id, r] of ctx.file.riskAssets.entries()) {
    if (!r.scenario) continue;
    const { volFeed, ...grid } = r.scenario;
    const now = await engine.read('scenarioParams', [id]);
    const params = { ...grid, volFeed: volFeed === null ? NO_VOL_FEED : ids.get(volFeed)! };
    // A stewarded field keeps what the steward made of it once the grid has been set.
    if (!isFreshGrid(now)) {
      if (isStewarded(ctx.file, 'scanRange', r.name)) params.scanRange = now.scanRange;
      if (isStewarded(ctx.file, 'volShift', r.name)) params.volShift = now.volShift;
    }
    await ctx.converge(
      hub,
      `scenario grid of ${r.name}`,
      async () =>
        (Object.keys(params) as Array<keyof typeof params>).every((k) => BigInt(now[k]) === BigInt(params[k])),
      () => engine.send('setScenarioParams', [id, params]),
    );
  }
}

/** The grid `addRiskAsset` gives a new risk asset: a 100% move, nothing else. */
function isFreshGrid(p: {
  scanRange: bigint;
  volShift: bigint;
  extremeMultiple: bigint;
  extremeCover: bigint;
  initialMultiple: bigint;
}): boolean {
  return (
    p.scanRange === WAD &&
    p.volShift === 0n &&
    p.extremeMultiple === WAD &&
    p.extremeCover === 0n &&
    p.initialMultiple === WAD
  );
}

/** Lists each collateral asset (its chain's endpoint id read from that chain) and sets its haircuts. */
export async function wireCollateral(ctx: DeployContext, engine: Engine): Promise<void> {
  const hub = ctx.hub;
  const ids = riskAssetIds(ctx.file);
  let count = Number(await engine.read('assetCount', []));
  for (const [id, c] of ctx.file.collateral.entries()) {
    const eid = ctx.chain(c.chain).eid;
    const riskAsset = ids.get(c.riskAsset)!;
    if (id >= count) {
      await ctx.converge(
        hub,
        `list asset ${id} (${c.symbol} on ${c.chain})`,
        async () => false,
        () => engine.send('listAsset', [eid, c.token, c.decimals, riskAsset]),
      );
      count++;
    } else {
      const now = await engine.read('asset', [id]);
      if (
        now.eid !== eid ||
        !sameAddress(now.token, c.token) ||
        now.decimals !== c.decimals ||
        now.riskAsset !== riskAsset
      ) {
        throw new Error(
          `asset ${id} on the hub is token ${now.token} on endpoint ${now.eid} (risk asset ${now.riskAsset}); ` +
            `the network file lists ${c.token} on ${c.chain} (${eid}, risk asset ${riskAsset}). Listings cannot change: fix the file's order`,
        );
      }
    }
    const now = await engine.read('asset', [id]);
    const want = { initialHaircut: c.initialHaircut, maintenanceHaircut: c.maintenanceHaircut };
    // Listed at 100% / 100%: until then the file's haircuts are the starting values; after, a
    // stewarded haircut is the steward's.
    const fresh = now.initialHaircut === WAD && now.maintenanceHaircut === WAD;
    const target = `${c.symbol}@${c.chain}`;
    if (!fresh && isStewarded(ctx.file, 'initialHaircut', target)) want.initialHaircut = now.initialHaircut;
    if (!fresh && isStewarded(ctx.file, 'maintenanceHaircut', target)) want.maintenanceHaircut = now.maintenanceHaircut;
    await ctx.converge(
      hub,
      `haircuts of asset ${id} (${c.symbol} on ${c.chain})`,
      async () =>
        now.initialHaircut === want.initialHaircut &&
        now.maintenanceHaircut === want.maintenanceHaircut &&
        now.liquidationBonus === c.liquidationBonus,
      () => engine.send('setAssetRisk', [id, want.initialHaircut, want.maintenanceHaircut, c.liquidationBonus]),
    );
    await wireYield(ctx, engine, id, c, ids);
    await wireConcentration(ctx, engine, id, c);
  }
}

/** A token's concentration add-on (none: all 0); a stewarded impact, once set, is the steward's. */
async function wireConcentration(
  ctx: DeployContext,
  engine: Engine,
  id: number,
  c: NetworkFile['collateral'][number],
): Promise<void> {
  const want = c.concentration ?? { depthUsd: 0n, impact: 0n, cap: 0n };
  const now = await engine.read('concentrationTerms', [id]);
  const target = `${c.symbol}@${c.chain}`;
  if (now.depthUsd !== 0n && isStewarded(ctx.file, 'concentrationImpact', target)) want.impact = now.impact;
  await ctx.converge(
    ctx.hub,
    `concentration add-on of asset ${id} (${target})`,
    async () => now.depthUsd === want.depthUsd && now.impact === want.impact && now.cap === want.cap,
    () => engine.send('setAssetConcentration', [id, want.depthUsd, want.impact, want.cap]),
  );
}

/** A yield-bearing token's exchange-rate feed and depeg (a plain one: none). */
async function wireYield(
  ctx: DeployContext,
  engine: Engine,
  id: number,
  c: NetworkFile['collateral'][number],
  ids: Map<string, number>,
): Promise<void> {
  if (c.depeg !== undefined && c.rateFeed === undefined)
    throw new Error(`collateral ${c.symbol} on ${c.chain}: depeg without a rateFeed`);
  const rateFeed = c.rateFeed === undefined ? NO_RATE_FEED : ids.get(c.rateFeed);
  if (rateFeed === undefined)
    throw new Error(`collateral ${c.symbol} on ${c.chain}: rateFeed ${c.rateFeed} is not a risk asset of the file`);
  const depeg = c.rateFeed === undefined ? 0n : (c.depeg ?? 0n);
  const [feedNow, depegNow] = await engine.read('yieldTerms', [id]);
  await ctx.converge(
    ctx.hub,
    `exchange rate of asset ${id} (${c.symbol} on ${c.chain})`,
    async () => feedNow === rateFeed && depegNow === depeg,
    () => engine.send('setAssetYield', [id, rateFeed, depeg]),
  );
}

export async function wireMarkets(ctx: DeployContext, engine: Engine): Promise<void> {
  const hub = ctx.hub;
  const ids = riskAssetIds(ctx.file);
  let count = Number(await engine.read('marketCount', []));
  for (const [id, m] of ctx.file.markets.entries()) {
    const riskAsset = ids.get(m.riskAsset)!;
    const kind = MARKET_KIND[m.kind];
    if (id >= count) {
      await ctx.converge(
        hub,
        `list market ${id} (${m.name})`,
        async () => false,
        () => engine.send('listMarket', [riskAsset, kind, m.strike, m.expiry, m.maxPriceDeviation]),
      );
      count++;
      continue;
    }
    const now = await engine.read('market', [id]);
    if (now.riskAsset !== riskAsset || now.kind !== kind || now.strike !== m.strike || now.expiry !== m.expiry) {
      throw new Error(
        `market ${id} on the hub is kind ${now.kind} on risk asset ${now.riskAsset} (strike ${now.strike}, expiry ${now.expiry}); ` +
          `the network file lists ${m.name}. Listings cannot change: fix the file's order`,
      );
    }
    await ctx.converge(
      hub,
      `price deviation of market ${id} (${m.name})`,
      async () => now.maxPriceDeviation === m.maxPriceDeviation,
      () => engine.send('setMarketRisk', [id, m.maxPriceDeviation]),
    );
  }
}
