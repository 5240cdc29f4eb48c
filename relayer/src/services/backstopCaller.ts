/**
 * Hands the backstop vault the accounts it takes (docs/risk-model.md section 8.3):
 * - at once, each account the book holds at or below the vault's `backstopHealth` with equity
 *   left. The keeper liquidates the rest piece by piece; an account that deep is past what a
 *   liquidation of a share of it can save, and a hedged one may have no piece the hub lets a keeper
 *   take (section 8.2). The backstop takes it whole, with its depositors' margin instead of the
 *   keeper's capital;
 * - after the vault's patience, an account still liquidatable `FLAG_AFTER_BLOCKS` hub blocks after
 *   the book first saw it so: it is flagged (`flag`), and once `patienceBlocks` have passed on the
 *   chain's flag, taken. An account healthy again with a flag standing has it cleared, so a later
 *   fall starts its patience afresh.
 *
 * Each takeover is simulated (eth_call) before it is sent, so only one the vault will make goes
 * out (whoever is first, the keeper or this, the other is refused by the hub without harm), and at
 * most one per account is in flight. It signs with its own key: the keeper's nonces stay the
 * keeper's.
 */
import { NonceManager, Wallet } from 'ethers';
import { WAD } from '@omnichain-collateral/sdk/risk/fixedPoint';
import { backstopVaultAbi } from '@omnichain-collateral/sdk/abi';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import type { Relayer, RelayerPlugin } from '../relayer.js';
import { every, Loop } from './loop.js';

/**
 * A look every second besides each hub head: the book's figures follow a price move after the
 * head that brought it, and a devnet mines no block without a transaction.
 */
const SAFETY_MS = 1_000;

/**
 * Hub blocks an account may stay liquidatable before it is flagged: the keeper settles most within
 * one or two, so a flag costs a transaction only for the accounts it cannot finish.
 */
export const FLAG_AFTER_BLOCKS = 3;

export class BackstopCaller implements RelayerPlugin {
  readonly name = 'backstop';
  private relayer?: Relayer;
  private vault?: TypedContract<typeof backstopVaultAbi>;
  private from = '';
  private backstopHealth?: bigint;
  private patienceBlocks?: bigint;
  /** the hub head at which the book first showed each account liquidatable */
  private readonly unhealthySince = new Map<string, number>();
  /** accounts flagged on the chain, as far as this process has seen */
  private readonly flagged = new Set<string>();
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

  /** One look at the book: every account deep enough for the vault, or liquidatable too long, handed to it. */
  async runOnce(): Promise<void> {
    const { book, chains, config } = this.relayer!;
    const vault = this.vault!;
    this.backstopHealth ??= await vault.read('backstopHealth', []);
    this.patienceBlocks ??= await vault.read('patienceBlocks', []);
    const head = chains.get(config.hubEid)!.heads.head;
    for (const risk of book.all()) {
      const id = risk.accountId;
      if (risk.health === undefined || this.inFlight.has(id)) continue;
      if (risk.health >= WAD) {
        this.unhealthySince.delete(id);
        if (!this.flagged.has(id)) continue;
        if (await this.accepts('flag', id))
          this.dispatch(id, 'flag', 'cleared a backstop flag', () => this.flagged.delete(id));
        else this.flagged.delete(id); // cleared by someone else, or taken
        continue;
      }
      const equity = risk.figures?.maintenanceEquity;
      if (equity === undefined || equity <= 0n) continue; // the vault takes no account underwater
      if (risk.health <= this.backstopHealth) {
        if (await this.accepts('backstop', id))
          this.dispatch(id, 'backstop', 'the backstop vault took an account over', () => this.taken(id));
        continue;
      }
      const since = this.unhealthySince.get(id) ?? head;
      this.unhealthySince.set(id, since);
      if (head - since < FLAG_AFTER_BLOCKS) continue;
      const flaggedAt = await vault.read('flaggedAt', [id]);
      if (flaggedAt === 0n) {
        if (await this.accepts('flag', id))
          this.dispatch(id, 'flag', 'flagged an account for the backstop vault', () => this.flagged.add(id));
      } else {
        this.flagged.add(id);
        if (BigInt(head) + 1n >= flaggedAt + this.patienceBlocks! && (await this.accepts('backstop', id)))
          this.dispatch(id, 'backstop', 'the backstop vault took an account over after its patience', () =>
            this.taken(id),
          );
      }
    }
  }

  /** Whether the vault would make this call now (eth_call), so only calls it will make go out. */
  private async accepts(call: 'flag' | 'backstop', id: string): Promise<boolean> {
    try {
      await this.vault!.simulate(call, [id], { from: this.from });
      return true;
    } catch {
      return false; // taken already, healthy again, or beyond the vault's margin: the keeper's, then the waterfall's
    }
  }

  /** Sends one call for an account, at most one in flight per account; `then` once it is mined. */
  private dispatch(id: string, call: 'flag' | 'backstop', done: string, then: () => void): void {
    const { log } = this.relayer!;
    this.inFlight.add(id);
    const sent = this.vault!.send(call, [id])
      .then(() => {
        then();
        log.info({ account: id }, done);
      })
      .catch((err: unknown) => log.warn({ account: id, call, err: String(err) }, 'backstop call failed'))
      .finally(() => this.inFlight.delete(id));
    this.sent.push(sent);
  }

  private taken(id: string): void {
    this.relayer!.metrics.backstopTakeovers.inc();
    this.flagged.delete(id);
    this.unhealthySince.delete(id);
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
