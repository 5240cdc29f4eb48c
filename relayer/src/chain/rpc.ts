/**
 * JSON-RPC connections. Every request has a deadline, so a chain whose node stops answering
 * fails that chain's reads (which its service retries) instead of hanging them; and every
 * request is counted, for the figures the demo prints (RPC requests per keeper pass).
 */
import { JsonRpcProvider, type JsonRpcPayload, type JsonRpcResult } from 'ethers';

export interface RpcOptions {
  chainId: number;
  /** how often ethers polls for receipts and events */
  pollingIntervalMs?: number;
  /** a request not answered in this long fails */
  timeoutMs?: number;
}

export class RpcProvider extends JsonRpcProvider {
  /** JSON-RPC calls sent (a batch of n counts n) */
  requests = 0;
  private readonly timeoutMs: number;

  constructor(
    readonly url: string,
    options: RpcOptions,
  ) {
    // batchStallTime: concurrent calls still share one HTTP request, without waiting 10 ms for company.
    super(url, options.chainId, {
      staticNetwork: true,
      pollingInterval: options.pollingIntervalMs ?? 250,
      batchStallTime: 1,
    });
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * One HTTP POST through Node's own fetch and JSON parser, aborted at the deadline (a paused
   * node keeps the connection open). Not ethers' transport: it grows a response body by copying
   * it whole for every chunk received and decodes UTF-8 in JavaScript, which makes a large
   * `eth_getLogs` answer (a big book's cold start) quadratic in its size.
   */
  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    this.requests += Array.isArray(payload) ? payload.length : 1;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: controller.signal,
      });
      if (!res.ok)
        throw Object.assign(new Error(`${this.url} answered HTTP ${res.status} ${res.statusText}`), {
          code: 'SERVER_ERROR',
        });
      const body = (await res.json()) as JsonRpcResult | JsonRpcResult[];
      return Array.isArray(body) ? body : [body];
    } catch (err) {
      if (controller.signal.aborted)
        throw Object.assign(new Error(`${this.url} did not answer within ${this.timeoutMs} ms`), { code: 'TIMEOUT' });
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The node's current block, asked directly (ethers caches getBlockNumber for a polling interval). */
  async head(): Promise<number> {
    return Number(await this.send('eth_blockNumber', []));
  }
}
