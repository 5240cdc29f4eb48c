/**
 * Hands the backstop vault the accounts it takes at once (docs/risk-model.md section 8.3): each
 * account the book holds at or below the vault's `backstopHealth` with equity left. The keeper
 * liquidates the rest piece by piece; an account that deep is past what a liquidation of a share
 * of it can save, and a hedged one may have no piece the hub lets a keeper take (section 8.2).
 * The backstop takes it whole, with its depositors' margin instead of the keeper's capital.
 *
 * Each takeover is simulated (eth_call) before it is sent, so only one the vault will make goes
 * out (whoever is first, the keeper or this, the other is refused by the hub without harm), and at
 * most one per account is in flight. It signs with its own key: the keeper's nonces stay the
 * keeper's.
 */
import { NonceManager, Wallet } from 'ethers';
import { backstopVaultAbi } from '@omnichain-collateral/sdk/abi';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import type { Relayer, RelayerPlugin } from '../relayer.js';
import { every, Loop } from './loop.js';

/**
 * A look every second besides each hub head: the book's figures follow a price move after the
 * head that brought it, and a devnet mines no block without a transaction.
 */
const SAFETY_MS = 1_000;

export class BackstopCaller implements RelayerPlugin {
  readonly name = 'backstop';
  /** takeovers this process sent that the vault made */
  takeovers = 0;
  private relayer?: Relayer;
  private vault?: TypedContract<typeof backstopVaultAbi>;
  private from = '';
  private backstopHealth?: bigint;
  private readonly inFlight = new Set<string>();
  private readonly sent: Array<Promise<void>> = [];
  private loop?: Loop;
  private stopTimer?: () => void;

  constructor(
    private readonly address: string,
    private readonly key: string,
  ) {}

  attach(relayer: Relayer): void {
    this.relayer = relayer;
    const hub = relayer.chains.get(relayer.config.hubEid)!;
    const wallet = new Wallet(this.key, hub.provider);
    this.from = wallet.address;
    this.vault = new TypedContract(backstopVaultAbi, this.address, new NonceManager(wallet));
    this.loop = new Loop('backstop', () => this.runOnce(), relayer.log);
    hub.heads.onHead(() => this.loop!.trigger());
  }

  /** One look at the book: every account deep enough for the vault, handed to it. */
  async runOnce(): Promise<void> {
    const { book, log, metrics } = this.relayer!;
    const vault = this.vault!;
    this.backstopHealth ??= await vault.read('backstopHealth', []);
    for (const risk of book.all()) {
      const equity = risk.figures?.maintenanceEquity;
      if (risk.health === undefined || risk.health > this.backstopHealth || equity === undefined || equity <= 0n)
        continue;
      if (this.inFlight.has(risk.accountId)) continue;
      try {
        await vault.simulate('backstop', [risk.accountId], { from: this.from });
      } catch {
        continue; // taken already, healthy again, or beyond the vault's margin: the keeper's, then the waterfall's
      }
      this.inFlight.add(risk.accountId);
      const done = vault
        .send('backstop', [risk.accountId])
        .then(() => {
          this.takeovers++;
          metrics.backstopTakeovers.inc();
          log.info({ account: risk.accountId, equity: String(equity) }, 'the backstop vault took an account over');
        })
        .catch((err: unknown) => log.warn({ account: risk.accountId, err: String(err) }, 'backstop call failed'))
        .finally(() => this.inFlight.delete(risk.accountId));
      this.sent.push(done);
    }
  }

  start(): void {
    if (!this.loop) return;
    this.stopTimer = every(SAFETY_MS, this.loop);
    this.loop.trigger();
  }

  async idle(): Promise<void> {
    await this.loop?.idle();
    await Promise.all(this.sent.splice(0));
  }

  async stop(): Promise<void> {
    this.stopTimer?.();
    this.loop?.stop();
    await this.idle();
  }
}
