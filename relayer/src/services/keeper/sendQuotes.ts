/**
 * What the keeper's transactions pay: the hub chain's fees and the LayerZero fee of a SEIZE per
 * asset. Read beside the passes, once per hub block, so a pass signs with the latest it has
 * instead of waiting on a node that is busy executing a crash's blocks, which answers these reads
 * only when it is done. A pass waits only for what it never had (the first quote of an asset).
 */
import { marginHubAbi } from '@omnichain-collateral/sdk/abi';
import type { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { MessageType } from '@omnichain-collateral/sdk/messageCodec';
import type { RpcProvider } from '../../chain/rpc.js';
import type { Logger } from '../../log.js';
import { Loop } from '../loop.js';

export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

export interface Quotes {
  fees: Fees;
  seizeFee: Map<number, bigint>;
}

export class SendQuotes {
  private readonly loop: Loop;
  private fees?: Fees;
  private readonly seizeFees = new Map<number, bigint>();

  constructor(
    private readonly provider: RpcProvider,
    private readonly hub: TypedContract<typeof marginHubAbi>,
    /** the most the keeper pays per gas, wei */
    private readonly maxFeePerGas: bigint,
    log: Logger,
  ) {
    this.loop = new Loop('keeper-quotes', () => this.refresh(), log);
  }

  /** A new hub block: read everything again, beside the passes. */
  trigger(): void {
    this.loop.trigger();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** The fees and SEIZE fees for `assets`, as last read; read now only what was never read. */
  async current(assets: readonly number[]): Promise<Quotes> {
    const missing = assets.filter((a) => !this.seizeFees.has(a));
    await Promise.all([this.fees ? undefined : this.readFees(), ...missing.map((a) => this.readSeizeFee(a))]);
    return this.known(assets)!;
  }

  /**
   * The same without waiting: undefined if any was never read. (Even an await that waits for
   * nothing lets every continuation already queued run first: in a crash, other services' work.)
   */
  known(assets: readonly number[]): Quotes | undefined {
    if (!this.fees || assets.some((a) => !this.seizeFees.has(a))) return undefined;
    return { fees: this.fees, seizeFee: new Map(assets.map((a) => [a, this.seizeFees.get(a)!])) };
  }

  private async refresh(): Promise<void> {
    await Promise.all([this.readFees(), ...[...this.seizeFees.keys()].map((a) => this.readSeizeFee(a))]);
  }

  private async readFees(): Promise<void> {
    const fees = await this.provider.getFeeData();
    const cap = this.maxFeePerGas;
    const maxFee = fees.maxFeePerGas === null ? cap : fees.maxFeePerGas < cap ? fees.maxFeePerGas : cap;
    const tip = fees.maxPriorityFeePerGas ?? 0n;
    this.fees = { maxFeePerGas: maxFee, maxPriorityFeePerGas: tip < maxFee ? tip : maxFee };
  }

  private async readSeizeFee(assetId: number): Promise<void> {
    this.seizeFees.set(assetId, await this.hub.read('quoteOrder', [assetId, MessageType.SEIZE, '0x']));
  }
}
