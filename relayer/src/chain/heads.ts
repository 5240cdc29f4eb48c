/**
 * New blocks of one chain, as events: from an `eth_subscribe` newHeads subscription where the
 * chain config gives a WebSocket URL (the fastest way to hear of a block), and always by polling
 * `eth_blockNumber` too, so a subscription that goes quiet only slows things down. Every service that
 * works on a chain is driven by its heads; a chain that stops answering stops only them.
 */
import { WebSocketProvider } from 'ethers';
import type { Logger } from '../log.js';
import type { RpcProvider } from './rpc.js';

export type HeadListener = (block: number) => void;

export class HeadWatcher {
  /** the latest head seen, -1 before the first */
  head = -1;
  /** when (ms) the latest head was first seen */
  seenAt = 0;
  private readonly listeners: HeadListener[] = [];
  private timer?: NodeJS.Timeout;
  private ws?: WebSocketProvider;
  private running = false;

  constructor(
    private readonly name: string,
    private readonly provider: RpcProvider,
    private readonly options: { pollMs: number; wsUrl?: string | undefined },
    private readonly log: Logger,
  ) {}

  onHead(listener: HeadListener): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.running = true;
    if (this.options.wsUrl) this.subscribe(this.options.wsUrl);
    void this.poll();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    const ws = this.ws;
    delete this.ws;
    await ws?.destroy();
  }

  private subscribe(url: string): void {
    try {
      const ws = new WebSocketProvider(url, undefined, { staticNetwork: true });
      ws.websocket.onerror = () => this.dropSubscription('websocket error');
      void ws.on('block', (n: number) => this.saw(n)).catch((err: unknown) => this.dropSubscription(String(err)));
      this.ws = ws;
    } catch (err) {
      this.dropSubscription(err instanceof Error ? err.message : String(err));
    }
  }

  private dropSubscription(reason: string): void {
    if (!this.ws) return;
    this.log.warn({ chain: this.name, reason }, 'head subscription lost; polling instead');
    const ws = this.ws;
    delete this.ws;
    void ws.destroy();
  }

  private async poll(): Promise<void> {
    if (!this.running) return;
    try {
      this.saw(await this.provider.head());
    } catch (err) {
      this.log.debug({ chain: this.name, err: err instanceof Error ? err.message : String(err) }, 'head poll failed');
    }
    if (!this.running) return;
    // Polling goes on beside a subscription: a subscription can go quiet without an error (a node
    // paused and resumed keeps the socket open but may never send on it again).
    this.timer = setTimeout(() => void this.poll(), this.options.pollMs);
  }

  private saw(block: number): void {
    if (block <= this.head) return;
    this.head = block;
    this.seenAt = Date.now();
    for (const l of this.listeners) l(block);
  }
}
