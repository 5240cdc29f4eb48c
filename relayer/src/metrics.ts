/** Prometheus metrics, served at GET /metrics. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class RelayerMetrics {
  readonly registry = new Registry();
  readonly chainHead = new Gauge({
    name: 'relayer_chain_head_block',
    help: 'Latest block seen per chain',
    labelNames: ['chain'],
    registers: [this.registry],
  });
  readonly chainCheckpoint = new Gauge({
    name: 'relayer_chain_checkpoint_block',
    help: 'Last block indexed per chain',
    labelNames: ['chain'],
    registers: [this.registry],
  });
  readonly chainLag = new Gauge({
    name: 'relayer_chain_lag_blocks',
    help: 'Head minus checkpoint per chain',
    labelNames: ['chain'],
    registers: [this.registry],
  });
  readonly messagesInFlight = new Gauge({
    name: 'relayer_messages_in_flight',
    help: 'Cross-chain messages sent and not yet delivered',
    registers: [this.registry],
  });
  readonly deliveries = new Counter({
    name: 'relayer_deliveries_total',
    help: 'Packets delivered by the devnet worker',
    registers: [this.registry],
  });
  readonly deliveryFailures = new Counter({
    name: 'relayer_delivery_failures_total',
    help: 'Delivery attempts that reverted',
    registers: [this.registry],
  });
  readonly messagesStuck = new Gauge({
    name: 'relayer_messages_stuck',
    help: 'Messages in flight that stopped moving, by reason (not-verified, not-executed, execution-failed)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly custodyBreaches = new Gauge({
    name: 'relayer_custody_breaches',
    help: 'Vault/token pairs where hub ledger + in-flight credits exceed custody',
    registers: [this.registry],
  });
  readonly accounts = new Gauge({
    name: 'relayer_accounts_tracked',
    help: 'Accounts in the book',
    registers: [this.registry],
  });
  readonly accountsLiquidatable = new Gauge({
    name: 'relayer_accounts_liquidatable',
    help: 'Accounts with health below 1',
    registers: [this.registry],
  });
  readonly liquidations = new Counter({
    name: 'relayer_liquidations_total',
    help: 'Keeper liquidations reaching each status',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly liquidationLatencyMs = new Histogram({
    name: 'relayer_liquidation_latency_ms',
    help: 'From the price change the keeper acted on to the SEIZE executed on the collateral chain',
    buckets: [250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000],
    registers: [this.registry],
  });
  readonly keeperPassMs = new Histogram({
    name: 'relayer_keeper_pass_ms',
    help: 'Duration of a keeper pass: prices, screen of the whole book, exact confirmation, signing and journaling its sends',
    buckets: [5, 10, 25, 50, 100, 250, 500, 1000, 2500],
    registers: [this.registry],
  });
  readonly keeperBroadcastMs = new Histogram({
    name: 'relayer_keeper_broadcast_ms',
    help: 'From a keeper broadcast to the hub node accepting its transactions (outside the pass)',
    buckets: [5, 10, 25, 50, 100, 250, 500, 1000, 2500],
    registers: [this.registry],
  });
  readonly parityChecks = new Counter({
    name: 'relayer_parity_checks_total',
    help: 'Accounts whose figures were compared with MarginHub.accountFigures',
    registers: [this.registry],
  });
  readonly parityMismatches = new Counter({
    name: 'relayer_parity_mismatches_total',
    help: 'Accounts whose relayer figures differed from the hub at the same block',
    registers: [this.registry],
  });
  readonly rpcRequests = new Gauge({
    name: 'relayer_rpc_requests',
    help: 'JSON-RPC requests sent per chain since start',
    labelNames: ['chain'],
    registers: [this.registry],
  });
  readonly socialisedLossUsd = new Gauge({
    name: 'relayer_hub_socialised_loss_usd',
    help: 'Shortfall beyond the insurance fund the hub charged to positive cash (cumulative)',
    registers: [this.registry],
  });
  readonly unownedLossUsd = new Gauge({
    name: 'relayer_hub_unowned_loss_usd',
    help: 'Shortfall no one bears (zero on a sound hub: it would mean custody was already broken)',
    registers: [this.registry],
  });
  readonly backstopTakeovers = new Counter({
    name: 'relayer_backstop_takeovers_total',
    help: 'Accounts this relayer handed to the backstop vault that it took over whole',
    registers: [this.registry],
  });
  readonly cashIndex = new Gauge({
    name: 'relayer_hub_cash_index',
    help: 'What one unit of positive cash is worth after socialised losses (1: none)',
    registers: [this.registry],
  });
  readonly stewardProposals = new Counter({
    name: 'relayer_steward_proposals_total',
    help: 'Risk parameter changes sent to the RiskSteward: raised, lowering queued, lowering executed',
    labelNames: ['parameter', 'action'],
    registers: [this.registry],
  });
  readonly insuranceFundUsd = new Gauge({
    name: 'relayer_hub_insurance_fund_usd',
    help: 'The hub insurance fund',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'relayer_' });
  }
}
