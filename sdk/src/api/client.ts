/**
 * A typed client of the relayer's HTTP API. Requests are typed by the schemas the relayer
 * validates them with (requests.ts) and every answer is checked against the schema of its JSON
 * (schemas.ts) before it is returned, so a relayer of another version fails loudly here instead
 * of handing back the wrong shape. A 4xx or 5xx is a RelayerApiError carrying the API's message.
 */
import type { z } from 'zod';
import type { PreviewBody } from './requests.js';
import {
  accountsPageSchema,
  chainsSchema,
  custodySchema,
  feesSchema,
  waterfallSchema,
  liquidationsPageSchema,
  messageJsonSchema,
  messagesPageSchema,
  ownerAccountsSchema,
  previewResponseSchema,
} from './schemas.js';

export class RelayerApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'RelayerApiError';
  }
}

type Query = Record<string, string | number | undefined>;

export class RelayerClient {
  private readonly base: string;

  /** `baseUrl`: where the relayer's API is, e.g. http://127.0.0.1:8787 */
  constructor(
    baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  /** Every sub-account of `owner` (or one), with liquidation prices and deposits in flight. */
  account(owner: string, subAccount?: number) {
    return this.get(`/v1/accounts/${owner}`, ownerAccountsSchema, { subAccount });
  }

  /** Accounts at or below `maxHealth` (a decimal string, default "1.1"), lowest first. */
  accounts(query: { maxHealth?: string; limit?: number; offset?: number } = {}) {
    return this.get('/v1/accounts', accountsPageSchema, query);
  }

  /** The figures before and after hypothetical actions, by the hub's model. */
  preview(owner: string, body: PreviewBody) {
    return this.request(`/v1/accounts/${owner}/preview`, previewResponseSchema, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  messages(
    query: {
      status?: 'inflight' | 'stuck' | 'failed' | 'delivered' | 'dropped' | 'all';
      limit?: number;
      offset?: number;
    } = {},
  ) {
    return this.get('/v1/messages', messagesPageSchema, query);
  }

  /** One message by its guid (a 404 when the relayer has not indexed its send yet). */
  message(guid: string) {
    return this.get(`/v1/messages/${guid}`, messageJsonSchema);
  }

  liquidations(
    query: {
      status?: 'planned' | 'submitted' | 'seized' | 'settled' | 'dropped' | 'failed' | 'all';
      limit?: number;
      offset?: number;
    } = {},
  ) {
    return this.get('/v1/liquidations', liquidationsPageSchema, query);
  }

  chains() {
    return this.get('/v1/chains', chainsSchema);
  }

  /** The LayerZero fee of a deposit, a withdrawal and a liquidation per asset, in wei. */
  fees() {
    return this.get('/v1/fees', feesSchema);
  }

  /** The hub's default waterfall now: insurance fund, loss socialised on positive cash, the cash index. */
  waterfall() {
    return this.get('/v1/waterfall', waterfallSchema);
  }

  /** The last reconciliation of hub ledger against vault custody. */
  custody() {
    return this.get('/v1/custody', custodySchema);
  }

  private get<S extends z.ZodType>(path: string, schema: S, query: Query = {}): Promise<z.infer<S>> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return this.request(qs ? `${path}?${qs}` : path, schema, { method: 'GET' });
  }

  private async request<S extends z.ZodType>(path: string, schema: S, init: RequestInit): Promise<z.infer<S>> {
    const res = await fetch(`${this.base}${path}`, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new RelayerApiError(
        res.status,
        `${path} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`,
        path,
      );
    }
    if (!res.ok) {
      const message =
        typeof json === 'object' && json !== null && 'error' in json
          ? String((json as { error: unknown }).error)
          : `HTTP ${res.status}`;
      throw new RelayerApiError(res.status, message, path);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new RelayerApiError(
        res.status,
        `${path} answered a shape this SDK does not know: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
        path,
      );
    return parsed.data;
  }
}
