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

  constructor(
    readonly url: string,
    options: RpcOptions,
  ) {
    const request = new FetchRequest(url);
    request.timeout = options.timeoutMs ?? 10_000;
    // batchStallTime: concurrent calls still share one HTTP request, without waiting 10 ms for company.
    super(request, options.chainId, { staticNetwork: true, pollingInterval: options.pollingIntervalMs ?? 250, batchStallTime: 1 });
  }

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    this.requests += Array.isArray(payload) ? payload.length : 1;
    return super._send(payload);
  }

  /** The node's current block, asked directly (ethers caches getBlockNumber for a polling interval). */
  async head(): Promise<number> {
    return Number(await this.send('eth_blockNumber', []));
  }
}
