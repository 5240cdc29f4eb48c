/**
 * JSON-RPC connections. Every request has a deadline, so a chain whose node stops answering
 * fails that chain's reads (which its service retries) instead of hanging them; and every
 * request is counted, for the figures the demo prints (RPC requests per keeper pass).
 */
import { FetchRequest, JsonRpcProvider, type JsonRpcPayload, type JsonRpcResult } from 'ethers';

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
    const request = new FetchRequest(url);
    request.timeout = options.timeoutMs ?? 10_000;
    // batchStallTime: concurrent calls still share one HTTP request, without waiting 10 ms for company.
    super(request, options.chainId, { staticNetwork: true, pollingInterval: options.pollingIntervalMs ?? 250, batchStallTime: 1 });
    this.timeoutMs = request.timeout;
  }

  /** Every request settles within its deadline, whatever the connection does (a paused node keeps it open). */
  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    this.requests += Array.isArray(payload) ? payload.length : 1;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`${this.url} did not answer within ${this.timeoutMs} ms`), { code: 'TIMEOUT' })), this.timeoutMs + 1_000);
    });
    try {
      return await Promise.race([super._send(payload), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The node's current block, asked directly (ethers caches getBlockNumber for a polling interval). */
  async head(): Promise<number> {
    return Number(await this.send('eth_blockNumber', []));
  }
}
