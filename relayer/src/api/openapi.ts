/** The OpenAPI 3.1 description of the relayer API, served at GET /openapi.json. */
import { z } from 'zod';
import { previewBodySchema } from '@omnichain-collateral/sdk/api/requests';

/** The preview body's JSON Schema, from the zod schema that validates it (what a client sends). */
const { $schema: _dialect, ...previewBodyJsonSchema } = z.toJSONSchema(previewBodySchema, { io: 'input' });
const address = { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' };
const error = { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] };
const badRequest = {
  description: 'Invalid input; `error` says what was wrong',
  content: { 'application/json': { schema: error } },
};

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Omnichain collateral relayer API',
    version: '0.1.0',
    description:
      'Unified margin health across chains. USD figures are exact decimal strings (18 decimals at most); token amounts are integer strings in token units. Health is maintenance equity / maintenance requirement; below 1 an account can be liquidated; "Infinity" when nothing is required.',
  },
  paths: {
    '/v1/accounts/{address}': {
      get: {
        summary:
          'Unified health of an owner’s accounts, computed now from on-chain state with the SDK risk model, with each underlying’s liquidation price',
        parameters: [
          { name: 'address', in: 'path', required: true, schema: address },
          {
            name: 'subAccount',
            in: 'query',
            required: false,
            schema: { type: 'integer', minimum: 0, maximum: 4294967295 },
          },
        ],
        responses: {
          '200': { description: 'The owner’s sub-accounts (cross pool 0 and any isolated ones)' },
          '400': badRequest,
        },
      },
    },
    '/v1/accounts/{address}/preview': {
      post: {
        summary:
          'What-if: the account’s figures now and after hypothetical actions (deposit, withdraw, trade, a price or a volatility), by the hub’s model, with each underlying’s liquidation price after them',
        parameters: [{ name: 'address', in: 'path', required: true, schema: address }],
        requestBody: { required: true, content: { 'application/json': { schema: previewBodyJsonSchema } } },
        responses: {
          '200': { description: '`before` and `after`, each shaped as an account of GET /v1/accounts/{address}' },
          '400': badRequest,
        },
      },
    },
    '/v1/accounts': {
      get: {
        summary: 'Accounts nearest liquidation, lowest health first',
        parameters: [
          { name: 'maxHealth', in: 'query', schema: { type: 'number', minimum: 0 }, description: 'default 1.1' },
          {
            name: 'limit',
            in: 'query',
            schema: { type: 'integer', minimum: 1, maximum: 500 },
            description: 'default 50',
          },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 }, description: 'default 0' },
        ],
        responses: { '200': { description: 'A page of accounts' }, '400': badRequest },
      },
    },
    '/v1/status': {
      get: {
        summary:
          'The relayer itself: book size and cold-start time, keeper pass time, RPC requests per pass and how long the hub node took to accept the keeper’s broadcasts (median, p95, max; from a hub block if given), parity checks, memory',
        parameters: [
          {
            name: 'fromBlock',
            in: 'query',
            schema: { type: 'integer', minimum: 0 },
            description: 'only keeper passes at or after this hub block',
          },
        ],
        responses: { '200': { description: 'Status' }, '400': badRequest },
      },
    },
    '/v1/events': {
      get: {
        summary:
          "Server-sent events for the dashboard: a `snapshot` each hub block (chains, prices, accounts nearest liquidation, health histogram, messages in flight, latest liquidations, and the `account` query parameter's cross account)",
        parameters: [{ name: 'account', in: 'query', schema: address }],
        responses: { '200': { description: 'text/event-stream' } },
      },
    },
    '/v1/chains': {
      get: {
        summary:
          "Head, checkpoint and lag per chain, and its HealthReader (where the hub's health is readable on-chain)",
        responses: { '200': { description: 'Chains' } },
      },
    },
    '/v1/fees': {
      get: {
        summary:
          'LayerZero fee (wei of the sending chain) of a deposit, a withdrawal and a liquidation, per listed asset, as the contracts quote it now',
        responses: { '200': { description: 'Fees per asset' } },
      },
    },
    '/v1/waterfall': {
      get: {
        summary:
          "The hub's default waterfall at its head: the insurance fund, the loss socialised on positive cash and the cash index it left, any loss unowned, and the settlement tokens covering cash",
        responses: { '200': { description: 'Waterfall figures, USD as decimal strings' } },
      },
    },
    '/v1/messages/{guid}': {
      get: {
        summary:
          'One cross-chain message by its LayerZero guid: status (sent, verified, delivered; cleared, skipped, burnt), stuck reason, attempts',
        parameters: [
          { name: 'guid', in: 'path', required: true, schema: { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' } },
        ],
        responses: {
          '200': { description: 'The message' },
          '400': badRequest,
          '404': { description: 'Not known to this relayer' },
        },
      },
    },
    '/v1/messages': {
      get: {
        summary: 'Cross-chain messages',
        parameters: [
          {
            name: 'status',
            in: 'query',
            schema: { enum: ['inflight', 'stuck', 'failed', 'delivered', 'dropped', 'all'] },
            description:
              "default inflight; stuck: not verified or not executed within stuckAfterBlocks, or an execution that failed; dropped: cleared, skipped or burnt by the receiving OApp's delegate",
          },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
        ],
        responses: { '200': { description: 'A page of messages' }, '400': badRequest },
      },
    },
    '/v1/liquidations': {
      get: {
        summary:
          'The keeper’s liquidations, newest first: planned, submitted (hub accepted), seized (SEIZE executed on the collateral chain), settled, dropped or failed with a reason; latency from the price change to the seize',
        parameters: [
          {
            name: 'status',
            in: 'query',
            schema: { enum: ['planned', 'submitted', 'seized', 'settled', 'dropped', 'failed', 'all'] },
            description: 'default all',
          },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
        ],
        responses: { '200': { description: 'A page of liquidations' }, '400': badRequest },
      },
    },
    '/v1/stress': {
      get: {
        summary:
          'The latest stress run (npm run stress) the relayer is pointed at: bad debt, liquidations, cost to users, worst health and calm-day margin per scenario and regime',
        responses: {
          '200': { description: 'The report' },
          '404': { description: 'No report configured, or none written yet' },
        },
      },
    },
    '/v1/custody': {
      get: {
        summary: 'The last reconciliation of hub ledger against vault custody',
        responses: { '200': { description: 'Per (chain, token)' } },
      },
    },
    '/v1/alerts': {
      get: {
        summary: 'Reorgs, custody breaches, parity mismatches and deliveries that kept failing',
        responses: { '200': { description: 'Alerts, newest last' } },
      },
    },
    '/healthz': { get: { summary: 'Liveness and per-chain lag', responses: { '200': { description: 'ok' } } } },
    '/metrics': { get: { summary: 'Prometheus metrics', responses: { '200': { description: 'text/plain' } } } },
  },
} as const;
