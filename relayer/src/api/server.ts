/**
 * The integrators' HTTP API (express). Every input is validated with zod; a bad one gets a 400
 * whose `error` says what was wrong, an unknown route a 404, and an unexpected failure a 500
 * with a generic message (details go to the log, never to the client).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Server } from 'node:http';
import { formatUnits, parseUnits, ZeroAddress } from 'ethers';
import { z } from 'zod';
import { toAccountId, fromAccountId } from '@omnichain-collateral/sdk/accountId';
import { addressSchema, MessageType } from '@omnichain-collateral/sdk/messageCodec';
import type { ChainClient } from '../chain/clients.js';
import type { HubReader } from '../chain/hubReader.js';
import type { Logger } from '../log.js';
import type { RelayerMetrics } from '../metrics.js';
import type { AccountBook } from '../services/book.js';
import type { ChainIndexer } from '../services/indexer.js';
import type { Keeper } from '../services/keeper/keeper.js';
import type { ParityMonitor } from '../services/parityMonitor.js';
import type { Reconciler } from '../services/reconciler.js';
import type { StuckMessages } from '../services/stuckMessages.js';
import { isDropped, type RelayerStore } from '../store/store.js';
import { mountDashboard } from './dashboard.js';
import { openApiDocument } from './openapi.js';
import { readStressReport } from './stressReport.js';
import { percentiles } from '../percentiles.js';
import { accountJson, liquidationJson, liquidationPriceJson, messageJson } from './serialize.js';
import { previewBodySchema } from '@omnichain-collateral/sdk/api/requests';
import type {
  BackstopJson,
  ChainJson,
  CustodyCheckJson,
  FeeJson,
  WaterfallJson,
} from '@omnichain-collateral/sdk/api/schemas';
import { backstopVaultAbi } from '@omnichain-collateral/sdk/abi';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { formatWad } from '@omnichain-collateral/sdk/risk/marginModel';
import { liquidationPrices, previewAccount, PreviewError } from '@omnichain-collateral/sdk/risk/preview';

export interface ApiDeps {
  book: AccountBook;
  reader: HubReader;
  store: RelayerStore;
  indexers: ChainIndexer[];
  reconciler: Reconciler;
  keeper?: Keeper | undefined;
  parity: ParityMonitor;
  stuck: StuckMessages;
  chains: Map<number, ChainClient>;
  metrics: RelayerMetrics;
  log: Logger;
  /** the stress report file /v1/stress serves, if any */
  stressReport?: string | undefined;
  /** the deployment's BackstopVault, if any */
  backstop?: string | undefined;
}

class BadRequest extends Error {}

/** Returns the checksummed address; a mixed-case one with a wrong EIP-55 checksum is a 400 too. */
const addressParam = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'address must be 0x followed by 40 hex characters')
  .pipe(addressSchema);
const intQuery = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max}`);
const pageQuery = {
  limit: intQuery('limit', 1, 500).optional(),
  offset: intQuery('offset', 0, 1_000_000_000).optional(),
};
const accountQuery = z.object({ subAccount: intQuery('subAccount', 0, 0xffffffff).optional() }).strict();
const listQuery = z
  .object({
    maxHealth: z
      .string()
      .regex(/^\d+(\.\d{1,18})?$/, 'maxHealth must be a non-negative decimal number, e.g. 1.1')
      .optional(),
    ...pageQuery,
  })
  .strict();
const statusQuery = z.object({ fromBlock: intQuery('fromBlock', 0, Number.MAX_SAFE_INTEGER).optional() }).strict();
const messagesQuery = z
  .object({ status: z.enum(['inflight', 'stuck', 'failed', 'delivered', 'dropped', 'all']).optional(), ...pageQuery })
  .strict();
const liquidationsQuery = z
  .object({
    status: z.enum(['planned', 'submitted', 'seized', 'settled', 'dropped', 'failed', 'all']).optional(),
    ...pageQuery,
  })
  .strict();

function parse<T>(schema: z.ZodType<T, unknown>, value: unknown, keys = 'query parameter'): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    throw new BadRequest(
      issue.code === 'unrecognized_keys'
        ? `${where}unknown ${keys}(s): ${issue.keys.join(', ')}`
        : `${where}${issue.message}`,
    );
  }
  return result.data;
}

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const chainName = (eid: number) => deps.chains.get(eid)?.config.name ?? String(eid);
  const wrap =
    (fn: (req: Request, res: Response) => Promise<void> | void) =>
    (req: Request, res: Response, next: NextFunction) => {
      Promise.resolve(fn(req, res)).catch(next);
    };

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', chains: chainsJson(deps) });
  });

  app.get(
    '/metrics',
    wrap(async (_req, res) => {
      res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    }),
  );

  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });

  app.get('/v1/status', (req, res) => {
    const q = parse(statusQuery, req.query);
    const since = (p: { block: number }) => q.fromBlock === undefined || p.block >= q.fromBlock;
    const passes = (deps.keeper?.passes ?? []).filter(since);
    const broadcasts = (deps.keeper?.broadcasts ?? []).filter(since);
    const memory = process.memoryUsage();
    res.json({
      book: { accounts: deps.book.size(), loaded: deps.book.loaded(), coldStartMs: deps.book.coldStartMs ?? null },
      keeper: {
        enabled: deps.keeper !== undefined,
        fromBlock: q.fromBlock ?? null,
        passes: passes.length,
        passMs: rounded(passes.map((p) => p.ms)),
        requestsPerPass: rounded(passes.map((p) => p.requests)),
        broadcastMs: rounded(broadcasts.map((b) => b.ms)),
        screened: passes.at(-1)?.screened ?? null,
      },
      parity: { checked: deps.parity.checked, mismatches: deps.parity.mismatches },
      process: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, uptimeS: Math.round(process.uptime()) },
    });
  });

  app.get('/v1/chains', (_req, res) => {
    res.json({ chains: chainsJson(deps) });
  });

  // The latest stress run (npm run stress), read when asked: a new run shows without a restart.
  app.get('/v1/stress', (_req, res) => {
    const report = readStressReport(deps.stressReport);
    if ('error' in report) res.status(404).json(report);
    else res.json(report);
  });

  // The LayerZero fee of each message a user or keeper pays for, as the contracts quote it now
  // (DVN + executor, with the enforced options): what a deposit, a withdrawal or a liquidation costs in native gas
  // token.
  app.get(
    '/v1/fees',
    wrap(async (_req, res) => {
      res.json({ fees: await feesJson(deps) });
    }),
  );

  app.get(
    '/v1/waterfall',
    wrap(async (_req, res) => {
      res.json(await waterfallJson(deps));
    }),
  );

  app.get(
    '/v1/accounts/:address',
    wrap(async (req, res) => {
      const owner = parse(addressParam, req.params.address);
      const { subAccount } = parse(accountQuery, req.query);
      let subs: number[];
      if (subAccount !== undefined) subs = [subAccount];
      else {
        subs = deps.store
          .accounts()
          .map(fromAccountId)
          .filter((a) => a.owner === owner)
          .map((a) => a.subAccount);
        if (!subs.includes(0)) subs.unshift(0);
        subs.sort((a, b) => a - b);
      }
      const block = await deps.reader.provider.head();
      // Every sub-account at one block, in one holdings read.
      const ids = subs.map((sub) => toAccountId(owner, sub));
      const [state, holdings] = await Promise.all([deps.reader.marketState(block), deps.reader.holdings(ids, block)]);
      const inFlight = deps.store.inFlight().filter((m) => m.account === owner);
      const accounts = subs.map((sub, i) => ({
        ...accountJson(deps.reader.risk(ids[i]!, holdings[i]!, state), chainName),
        liquidationPrices: liquidationPrices(deps.reader.riskSetup(), ids[i]!, holdings[i]!, state).map(
          liquidationPriceJson,
        ),
        // Deposits the hub has not credited yet count for nothing, but a trader wants to see them.
        inFlight: inFlight.filter((m) => m.subAccount === sub).map((m) => messageJson(m, deps.stuck.reason(m.guid))),
      }));
      res.json({ owner, block, accounts });
    }),
  );

  app.post(
    '/v1/accounts/:address/preview',
    express.json({ limit: '64kb' }),
    wrap(async (req, res) => {
      const owner = parse(addressParam, req.params.address);
      parse(z.object({}).strict(), req.query);
      const body = parse(previewBodySchema, req.body ?? {}, 'field');
      const id = toAccountId(owner, body.subAccount);
      const block = await deps.reader.provider.head();
      const [state, [holdings]] = await Promise.all([
        deps.reader.marketState(block),
        deps.reader.holdings([id], block),
      ]);
      const setup = deps.reader.riskSetup();
      let preview;
      try {
        preview = previewAccount(setup, id, holdings!, state, body.actions);
      } catch (err) {
        if (err instanceof PreviewError) throw new BadRequest(err.message);
        throw err;
      }
      res.json({
        owner,
        subAccount: body.subAccount,
        block,
        before: accountJson(preview.before, chainName),
        after: {
          ...accountJson(preview.after, chainName),
          liquidationPrices: liquidationPrices(setup, id, preview.next.holdings, preview.next.state).map(
            liquidationPriceJson,
          ),
        },
      });
    }),
  );

  app.get('/v1/accounts', (req, res) => {
    const q = parse(listQuery, req.query);
    const maxHealth = parseUnits(q.maxHealth ?? '1.1', 18);
    const [limit, offset] = [q.limit ?? 50, q.offset ?? 0];
    const matching = deps.book.nearestLiquidation(maxHealth);
    res.json({
      maxHealth: q.maxHealth ?? '1.1',
      total: matching.length,
      offset,
      limit,
      accounts: matching.slice(offset, offset + limit).map((r) => accountJson(r, chainName)),
    });
  });

  app.get('/v1/messages', (req, res) => {
    const q = parse(messagesQuery, req.query);
    const status = q.status ?? 'inflight';
    const [limit, offset] = [q.limit ?? 50, q.offset ?? 0];
    // Filter and page the stored records; only the page is serialised (a book's store holds many thousands).
    const source =
      status === 'stuck'
        ? deps.stuck.guids().flatMap((g) => deps.store.message(g) ?? [])
        : status === 'inflight' || status === 'failed'
          ? deps.store.inFlight()
          : deps.store.messages();
    const matching = source
      .filter((m) =>
        status === 'delivered'
          ? m.status === 'delivered'
          : status === 'dropped'
            ? isDropped(m.status)
            : status === 'failed'
              ? m.lastError !== undefined
              : true,
      )
      .sort((a, b) => b.sentBlock - a.sentBlock);
    res.json({
      status,
      total: matching.length,
      offset,
      limit,
      messages: matching.slice(offset, offset + limit).map((m) => messageJson(m, deps.stuck.reason(m.guid))),
    });
  });

  app.get('/v1/messages/:guid', (req, res) => {
    const guid = parse(
      z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'guid must be 0x followed by 64 hex characters'),
      req.params.guid,
    ).toLowerCase();
    const m = deps.store.message(guid);
    if (!m) {
      res
        .status(404)
        .json({ error: `no message ${guid} is known to this relayer (it may not have indexed its send yet)` });
      return;
    }
    res.json(messageJson(m, deps.stuck.reason(m.guid)));
  });

  app.get('/v1/custody', (_req, res) => {
    res.json({
      checks: deps.reconciler.last.map((c): CustodyCheckJson => ({
        chain: chainName(c.eid),
        eid: c.eid,
        assetId: c.assetId,
        token: c.token,
        hubLedger: c.hubLedger.toString(),
        creditsInFlight: c.creditsInFlight.toString(),
        payoutsInFlight: c.payoutsInFlight.toString(),
        stranded: c.stranded.toString(),
        custodied: c.custodied.toString(),
        surplus: (c.custodied - c.hubLedger - c.creditsInFlight - c.payoutsInFlight - c.stranded).toString(),
        balance: c.balance.toString(),
        ok: c.ok,
      })),
    });
  });

  app.get('/v1/liquidations', (req, res) => {
    const q = parse(liquidationsQuery, req.query);
    const status = q.status ?? 'all';
    const [limit, offset] = [q.limit ?? 50, q.offset ?? 0];
    const all = deps.store.liquidations().sort((a, b) => b.plannedAt - a.plannedAt);
    const matching = all.filter((l) => status === 'all' || l.status === status);
    res.json({
      status,
      total: matching.length,
      offset,
      limit,
      liquidations: matching.slice(offset, offset + limit).map((l) => liquidationJson(l, chainName)),
    });
  });

  app.get('/v1/alerts', (_req, res) => {
    res.json({ alerts: deps.store.alerts().map((a) => ({ ...a, at: new Date(a.at).toISOString() })) });
  });

  mountDashboard(app, deps, chainName, () => chainsJson(deps));

  app.use((req, res) => {
    res.status(404).json({ error: `no route ${req.method} ${req.path}; see GET /openapi.json` });
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof BadRequest) {
      res.status(400).json({ error: err.message });
      return;
    }
    // express's own refusals (a path parameter that is not valid percent-encoding, a body that is
    // not JSON) carry a 4xx status: the caller's mistake, said in words.
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: clientErrorMessage(err, req) });
      return;
    }
    deps.log.error({ err: err instanceof Error ? err.message : String(err), path: req.path }, 'request failed');
    res.status(500).json({ error: 'internal error; the relayer log has the details' });
  });
  return app;
}

/** What was wrong with a request express refused before any route saw it. */
function clientErrorMessage(err: unknown, req: Request): string {
  const type = (err as { type?: unknown }).type;
  if (type === 'entity.parse.failed') return `the request body is not valid JSON: ${(err as Error).message}`;
  if (err instanceof URIError || /decode param/i.test((err as Error).message ?? ''))
    return `the path ${req.originalUrl.split('?')[0]} is not valid percent-encoding`;
  return err instanceof Error ? err.message : String(err);
}

/** Percentiles rounded to 0.1, or nulls for no values (the API's shape). */
function rounded(values: number[]): { p50: number | null; p95: number | null; max: number | null } {
  const p = percentiles(values);
  const round = (x: number) => Math.round(x * 10) / 10;
  return p ? { p50: round(p.p50), p95: round(p.p95), max: round(p.max) } : { p50: null, p95: null, max: null };
}

/**
 * Per listed asset: the fee of its deposit (CREDIT to the hub), withdrawal (RELEASE) and liquidation (SEIZE), in wei.
 */
async function feesJson(deps: ApiDeps): Promise<FeeJson[]> {
  const { reader } = deps;
  return Promise.all(
    reader.listedAssets().map(async (a) => {
      const chain = deps.chains.get(a.eid);
      // A vault on the hub chain calls the hub directly: its quote is 0.
      const [deposit, withdraw, seize] = await Promise.all([
        chain ? chain.vault.read('quoteDeposit', [ZeroAddress, 0, a.token, 1n, '0x']) : Promise.resolve(null),
        reader.hub.read('quoteOrder', [a.assetId, MessageType.RELEASE, '0x']),
        reader.hub.read('quoteOrder', [a.assetId, MessageType.SEIZE, '0x']),
      ]);
      return {
        assetId: a.assetId,
        chain: chain?.config.name ?? null,
        eid: a.eid,
        token: a.token,
        depositWei: deposit === null ? null : String(deposit),
        withdrawWei: String(withdraw),
        seizeWei: String(seize),
      };
    }),
  );
}

/** The hub's waterfall figures, all read at one block. */
async function waterfallJson(deps: ApiDeps): Promise<WaterfallJson> {
  const { hub, provider } = deps.reader;
  const block = await provider.head();
  const at = { blockTag: block };
  const [insurance, socialised, unowned, index, cash, held, scale] = await Promise.all([
    hub.read('insuranceFund', [], at),
    hub.read('socialisedLoss', [], at),
    hub.read('unownedLoss', [], at),
    hub.read('cashIndex', [], at),
    hub.read('totalCash', [], at),
    hub.read('settlementHeld', [], at),
    hub.read('settlementScale', [], at),
  ]);
  return {
    block,
    backstop: deps.backstop ? await backstopJson(deps, deps.backstop, block) : null,
    insuranceFundUsd: formatWad(insurance),
    socialisedLossUsd: formatWad(socialised),
    unownedLossUsd: formatWad(unowned),
    cashIndex: formatWad(index),
    totalCashUsd: formatWad(cash),
    settlementHeldUsd: formatWad(held * scale),
  };
}

/** The backstop vault at `block`: its assets and share price, and what its hub account holds. */
async function backstopJson(deps: ApiDeps, address: string, block: number): Promise<BackstopJson> {
  const vault = new TypedContract(backstopVaultAbi, address, deps.reader.provider);
  const at = { blockTag: block };
  const [assets, shares, decimals, account] = await Promise.all([
    vault.read('totalAssets', [], at),
    vault.read('totalSupply', [], at),
    vault.read('decimals', [], at),
    vault.read('hubAccount', [], at),
  ]);
  const [perShare, [held], scale] = await Promise.all([
    vault.read('convertToAssets', [10n ** BigInt(decimals)], at),
    deps.reader.hub.read('holdingsOf', [[account]], at),
    deps.reader.hub.read('settlementScale', [], at),
  ]);
  return {
    address,
    totalAssetsUsd: formatWad(assets * scale),
    shares: formatUnits(shares, decimals),
    sharePriceUsd: formatWad(perShare * scale),
    hubAccount: account,
    cashUsd: formatWad(held!.cash),
    collateral: held!.collateral.map((c) => ({ assetId: Number(c.assetId), amount: String(c.amount) })),
    positions: held!.positions.map((p) => ({ marketId: Number(p.marketId), size: formatWad(p.size) })),
  };
}

function chainsJson(deps: ApiDeps): ChainJson[] {
  return deps.indexers.map((indexer) => {
    const c = indexer.chain;
    const { head, checkpoint } = indexer.status();
    return {
      name: c.config.name,
      chainId: c.config.chainId,
      eid: c.config.eid,
      rpcUrl: c.config.rpcUrl,
      head,
      checkpoint,
      lag: head !== null && checkpoint !== null ? head - checkpoint : null,
      confirmations: c.config.confirmations,
      healthReader: c.config.read?.healthReader ?? null,
    };
  });
}

export function listen(app: express.Express, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}
