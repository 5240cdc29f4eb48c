/**
 * The hub's liquidation events in a mined transaction, read straight from their topics and data
 * words (chain/rawLogs.ts). A batch liquidation's receipt holds a few hundred logs, and the ABI
 * coder checksums every address and hashes every topic again: work on the thread that also
 * confirms and sends the liquidations.
 * `test/unit/rawLogs.test.ts` checks each reader against the ABI coder's decoding.
 */
import { marginHubAbi } from '@omnichain-collateral/sdk/abi';
import type { ReceiptLog } from '../../chain/receipts.js';
import { topicOf, word, wordBytes } from '../../chain/rawLogs.js';

const LIQUIDATED = topicOf(marginHubAbi, 'Liquidated');
const POSITION_LIQUIDATED = topicOf(marginHubAbi, 'PositionLiquidated');
const LIQUIDATION_SKIPPED = topicOf(marginHubAbi, 'LiquidationSkipped');

/** `Liquidated(account indexed, keeper indexed, assetId indexed, repaidTokens, seized, receiver, orderId, guid)` */
export interface LiquidatedEvent {
  repaidTokens: bigint;
  seized: bigint;
  orderId: bigint;
  guid: string;
}

/** `PositionLiquidated(account indexed, keeper indexed, marketId indexed, sizeTaken, mark, penalty)` */
export interface PositionLiquidatedEvent {
  sizeTaken: bigint;
}

/** `LiquidationSkipped(account indexed, id indexed, reason)`: the error the single call would have given. */
export interface LiquidationSkippedEvent {
  reason: string;
}

/** A receipt's liquidation events, each by `account|asset or market id` (account lower case). */
export interface ReceiptEvents {
  liquidated: Map<string, LiquidatedEvent>;
  taken: Map<string, PositionLiquidatedEvent>;
  skipped: Map<string, LiquidationSkippedEvent>;
}

/** The key of an account's event about one asset or market, as `hubEvents` files them. */
export function eventKey(account: string, id: number): string {
  return `${account.toLowerCase()}|${id}`;
}

/** The liquidation events the hub at `hub` emitted in these logs. */
export function hubEvents(logs: readonly ReceiptLog[], hub: string): ReceiptEvents {
  const events: ReceiptEvents = { liquidated: new Map(), taken: new Map(), skipped: new Map() };
  const address = hub.toLowerCase();
  for (const log of logs) {
    if (log.address.toLowerCase() !== address) continue;
    const [topic, account, second, third] = log.topics;
    if (topic === LIQUIDATED)
      events.liquidated.set(eventKey(account!, Number(BigInt(third!))), {
        repaidTokens: BigInt(word(log.data, 0)),
        seized: BigInt(word(log.data, 1)),
        orderId: BigInt(word(log.data, 3)),
        guid: word(log.data, 4),
      });
    else if (topic === POSITION_LIQUIDATED)
      events.taken.set(eventKey(account!, Number(BigInt(third!))), {
        sizeTaken: BigInt.asIntN(256, BigInt(word(log.data, 0))),
      });
    else if (topic === LIQUIDATION_SKIPPED)
      events.skipped.set(eventKey(account!, Number(BigInt(second!))), { reason: wordBytes(log.data, 0) });
  }
  return events;
}
