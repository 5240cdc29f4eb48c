/**
 * A position takeover as `MarginHub.liquidatePosition` makes it, for the stress simulator: the
 * position alone, or a slice of the whole book when the position hedged another
 * (docs/risk-model.md section 8.2).
 */
import type { BookAccount } from '@omnichain-collateral/sdk/risk/screening';
import { WAD } from '@omnichain-collateral/sdk/risk/fixedPoint';
import { health, type MarginFigures } from '@omnichain-collateral/sdk/risk/marginModel';
import { LIQUIDATION } from './market.js';

/** A position with its mark, and how much of it a takeover moves (`delta`, signed like the size). */
export type Marked = { p: { size: bigint }; mark: bigint };
type Move = Marked & { delta: bigint };

/** Moves each `delta` out of the account at its mark (MarginHub._move); `sign` -1n moves it back. */
function move(account: BookAccount, moves: readonly Move[], sign: 1n | -1n): bigint {
  let notional = 0n;
  for (const m of moves) {
    const proceeds = (-(sign * m.delta) * m.mark) / WAD;
    account.cash += proceeds;
    m.p.size += sign * m.delta;
    notional += abs(proceeds);
  }
  return notional;
}

/**
 * A takeover as `MarginHub.liquidatePosition` makes it: the position leaves at the mark, and an
 * account with equity pays a penalty capped where its health stays as it was. When the move
 * alone lowers its health (a hedge leg), the same fraction of every position leaves instead, and
 * nothing happens when that too lowers it (docs/risk-model.md section 8.2).
 * @returns the penalty paid, or undefined when the hub would refuse
 */
export function takeOver(
  account: BookAccount,
  position: Marked,
  open: readonly Marked[],
  before: MarginFigures,
  h: bigint,
  evaluate: (account: BookAccount) => MarginFigures,
): bigint | undefined {
  const closeFactor = h < LIQUIDATION.fullCloseHealth ? WAD : LIQUIDATION.closeFactor;
  const size = abs(position.p.size);
  const taken = min(size, (size * closeFactor + WAD - 1n) / WAD);
  const delta = position.p.size > 0n ? -taken : taken;
  let moves: Move[] = [{ ...position, delta }];
  let notional = move(account, moves, 1n);
  let penalty = (notional * LIQUIDATION.positionPenalty) / WAD;
  if (before.maintenanceEquity > 0n) {
    let after = evaluate(account);
    if (health(after.maintenanceEquity, after.maintenanceRequirement) < h) {
      move(account, moves, -1n);
      const fraction = (taken * WAD) / size;
      moves = open.map((o) => ({ ...o, delta: o.p === position.p ? delta : (-o.p.size * fraction) / WAD }));
      notional = move(account, moves, 1n);
      after = evaluate(account);
      if (health(after.maintenanceEquity, after.maintenanceRequirement) < h) {
        move(account, moves, -1n);
        return undefined;
      }
      penalty = (notional * LIQUIDATION.positionPenalty) / WAD;
    }
    const r = before.maintenanceRequirement;
    const room = after.maintenanceEquity - (before.maintenanceEquity * after.maintenanceRequirement + r - 1n) / r;
    penalty = room <= 0n ? 0n : min(penalty, room);
    // As the hub: nor more than positive cash, whose turning into debt would give collateral a requirement.
    if (account.cash >= 0n) penalty = min(penalty, account.cash);
  }
  account.cash -= penalty;
  return penalty;
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
const abs = (x: bigint) => (x < 0n ? -x : x);
