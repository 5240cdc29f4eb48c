/** The keeper's recent passes and broadcasts, for `GET /v1/status`, the demo and the metrics. */
import type { RelayerMetrics } from '../../metrics.js';

/** How many of each are kept, newest last. */
const KEPT = 10_000;

/** One keeper pass, for the figures the demo prints. */
export interface PassStats {
  block: number;
  ms: number;
  /** JSON-RPC requests the pass sent */
  requests: number;
  screened: number;
  candidates: number;
  planned: number;
}

/** How long the node took to accept one broadcast (ms), with its pass's block. */
export interface BroadcastStats {
  block: number;
  ms: number;
}

export class KeeperStats {
  readonly passes: PassStats[] = [];
  readonly broadcasts: BroadcastStats[] = [];

  constructor(private readonly metrics: RelayerMetrics) {}

  recordPass(stats: PassStats): void {
    this.passes.push(stats);
    if (this.passes.length > KEPT) this.passes.shift();
    this.metrics.keeperPassMs.observe(stats.ms);
  }

  recordBroadcast(block: number, ms: number): void {
    this.broadcasts.push({ block, ms });
    if (this.broadcasts.length > KEPT) this.broadcasts.shift();
    this.metrics.keeperBroadcastMs.observe(ms);
  }
}
