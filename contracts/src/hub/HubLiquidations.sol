// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {WAD} from "../libraries/FixedPoint.sol";
import {AccountId} from "../libraries/AccountIdLib.sol";
import {MarginMath} from "../risk/MarginMath.sol";
import {IRiskConfig} from "../interfaces/IRiskConfig.sol";
import {IRiskEngine} from "../interfaces/IRiskEngine.sol";
import {HubLedger} from "./HubLedger.sol";

/// @title HubLiquidations
/// @notice What a liquidation does to the ledger, behind MarginHub's entry points: a seizure of
/// collateral against debt, a position takeover (a slice of the book for a hedge leg), and how a
/// liquidation the hub refuses is reported.
abstract contract HubLiquidations is HubLedger {
    /// @dev Repays up to `budgetTokens` of `account`'s debt against its `assetId` collateral (the
    /// effects only; the caller pulls the tokens and sends the SEIZE). A refusal reverts when
    /// `strict`, and otherwise passes the account over, returning zeros.
    function _seize(AccountId account, uint16 assetId, uint256 budgetTokens, bool strict)
        internal
        returns (uint256 repaidTokens, uint256 seized)
    {
        (int256 equity, uint256 requirement, bytes memory failure) = _liquidationFigures(account, strict);
        if (failure.length != 0) return _refuse(false, account, assetId, failure);
        uint256 h = MarginMath.health(equity, requirement);
        int256 cash = _accounts[account].cash;
        uint256 held = _collateral[account][assetId];
        if (h >= WAD) return _refuse(strict, account, assetId, abi.encodeWithSelector(AccountHealthy.selector, h));
        if (cash >= 0) return _refuse(strict, account, assetId, abi.encodeWithSelector(NoDebtToRepay.selector));
        if (held == 0) {
            return _refuse(strict, account, assetId, abi.encodeWithSelector(NoCollateral.selector, assetId));
        }
        // forge-lint: disable-next-line(unsafe-typecast) cash < 0 is checked above; -type(int256).min reverts
        uint256 debt = uint256(-cash);
        uint256 repay;
        (repay, seized) = riskEngine.liquidationAmounts(
            equity, requirement, debt, assetId, held, budgetTokens * settlementScale, settlementScale
        );
        repaidTokens = repay / settlementScale;
        if (repaidTokens == 0 || seized == 0) {
            return _refuse(strict, account, assetId, abi.encodeWithSelector(NothingToLiquidate.selector));
        }

        // forge-lint: disable-next-line(unsafe-typecast) at most the debt (-cash) plus one token unit
        _changeCash(account, int256(repaidTokens * settlementScale));
        settlementHeld += repaidTokens;
        _removeCollateral(account, assetId, seized);
        totalCollateral[assetId] -= seized;
        _resolveBadDebtIfBankrupt(account);
    }

    /// @dev Moves up to `maxSize` of `account`'s position in `marketId` to `keeper` at the mark,
    /// charging the penalty. A position that hedged another (taking it alone lowers health) is
    /// taken as the same fraction of every position instead. The caller checks the keeper's
    /// margin. A refusal reverts when `strict`, and otherwise passes the account over, returning 0.
    function _takeOver(
        AccountId keeper,
        AccountId account,
        uint16 marketId,
        uint256 maxSize,
        IRiskConfig.LiquidationParams memory lp,
        bool strict
    ) internal returns (uint256 sizeTaken) {
        if (AccountId.unwrap(keeper) == AccountId.unwrap(account)) {
            _refuse(strict, account, marketId, abi.encodeWithSelector(SameAccount.selector));
            return 0;
        }
        (int256 equity, uint256 requirement, bytes memory refusal) = _liquidationFigures(account, strict);
        uint256 h = MarginMath.health(equity, requirement);
        int256 position = _positions[account][marketId];
        if (refusal.length == 0) {
            // The engine valued the account: is there anything to take?
            if (h >= WAD) {
                refusal = abi.encodeWithSelector(AccountHealthy.selector, h);
            } else if (position == 0) {
                refusal = abi.encodeWithSelector(NoPosition.selector);
            } else {
                uint256 closeFactor = h < lp.fullCloseHealth ? WAD : lp.closeFactor;
                sizeTaken =
                    Math.min(maxSize, Math.mulDiv(MarginMath.abs(position), closeFactor, WAD, Math.Rounding.Ceil));
                if (sizeTaken == 0) refusal = abi.encodeWithSelector(NothingToLiquidate.selector);
            }
        }
        if (refusal.length != 0) {
            _refuse(strict, account, marketId, refusal);
            return 0;
        }
        uint256 mark = riskEngine.markPrice(marketId);
        // The account leaves the position at mark; the keeper steps into it at the same price.
        // forge-lint: disable-next-line(unsafe-typecast) sizeTaken <= |position| <= type(int256).max
        int256 delta = position > 0 ? -int256(sizeTaken) : int256(sizeTaken);
        uint256 notional = _move(keeper, account, marketId, delta, mark);

        // A penalty never lowers the health of an account that still has equity: it is capped at
        // what keeps (equity − penalty) / requirement at its level before the takeover, and a
        // takeover that lowers health by itself is refused (docs/risk-model.md section 8.2).
        uint256 penalty = Math.mulDiv(notional, lp.positionPenalty, WAD);
        if (equity > 0) {
            (int256 e, uint256 r) = _maintenanceFigures(account);
            if (MarginMath.health(e, r) < h) {
                _move(keeper, account, marketId, -delta, mark);
                // A hedge leg: the same fraction of the whole book keeps the hedge and frees
                // requirement, as Derive's auctions take a percentage of the whole portfolio.
                bool refused;
                (refused, notional) = _takeSlice(keeper, account, marketId, delta, h, strict);
                if (refused) return 0;
                penalty = Math.mulDiv(notional, lp.positionPenalty, WAD);
                (e, r) = _maintenanceFigures(account);
            }
            // (e − penalty) / r ≥ equity / requirement  ⟺  penalty ≤ e − equity × r / requirement
            // forge-lint: disable-next-line(unsafe-typecast) equity > 0
            int256 room = e - SafeCast.toInt256(Math.mulDiv(uint256(equity), r, requirement, Math.Rounding.Ceil));
            // forge-lint: disable-next-line(unsafe-typecast) room > 0 where it is cast
            penalty = room <= 0 ? 0 : Math.min(penalty, uint256(room));
            // Nor more than positive cash: debt gives collateral a requirement (its price risk)
            // that r, read without debt, does not hold, so turning cash into debt lowers health.
            int256 cash = _cashValue(_accounts[account].cash, cashIndex);
            // forge-lint: disable-next-line(unsafe-typecast) cash >= 0 where it is cast
            if (cash >= 0) penalty = Math.min(penalty, uint256(cash));
        }
        uint256 toInsurance = Math.mulDiv(penalty, lp.insuranceShare, WAD);
        // penalty <= notional / 10 (positionPenalty <= 10%), which fits int256 (marks < 2^128).
        // forge-lint: disable-next-line(unsafe-typecast) see above
        _changeCash(account, -int256(penalty));
        // forge-lint: disable-next-line(unsafe-typecast) see above
        _changeCash(keeper, int256(penalty - toInsurance));
        insuranceFund += toInsurance;

        emit PositionLiquidated(account, keeper, marketId, -delta, mark, penalty);
        _resolveBadDebtIfBankrupt(account);
    }

    /// @dev Moves `delta` of `account`'s position in `marketId` and the same fraction of each other
    /// position to `keeper` at the mark; if that too lowers health below `h`, moves it all back.
    /// @return refused whether it was refused; notional USD WAD moved.
    function _takeSlice(AccountId keeper, AccountId account, uint16 marketId, int256 delta, uint256 h, bool strict)
        internal
        returns (bool refused, uint256 notional)
    {
        uint256 fraction = Math.mulDiv(MarginMath.abs(delta), WAD, MarginMath.abs(_positions[account][marketId]));
        int256[64] memory deltas;
        uint256[64] memory marks;
        // The markets held before the moves: the second loop walks them again, not all 64 slots.
        uint64 held = _accounts[account].markets;
        uint64 bits = held;
        for (uint16 m; bits != 0; (++m, bits >>= 1)) {
            if (bits & 1 == 0) continue;
            // Rounds towards zero: the account never gives up more than the fraction of a leg.
            // forge-lint: disable-next-line(unsafe-typecast) fraction <= WAD
            deltas[m] = m == marketId ? delta : -_positions[account][m] * int256(fraction) / int256(WAD);
            marks[m] = riskEngine.markPrice(m);
            notional += _move(keeper, account, m, deltas[m], marks[m]);
        }
        (int256 e, uint256 r) = _maintenanceFigures(account);
        uint256 hAfter = MarginMath.health(e, r);
        refused = hAfter < h;
        bits = held;
        for (uint16 m; bits != 0; (++m, bits >>= 1)) {
            if (deltas[m] == 0) continue;
            if (refused) _move(keeper, account, m, -deltas[m], marks[m]);
            else if (m != marketId) emit PositionLiquidated(account, keeper, m, -deltas[m], marks[m], 0);
        }
        if (refused) {
            _refuse(strict, account, marketId, abi.encodeWithSelector(TakeoverLowersHealth.selector, h, hAfter));
        }
    }

    /// @dev Changes `account`'s position in `marketId` by `delta` at `mark`, and `keeper`'s by the
    /// opposite (`-delta` undoes it exactly: the proceeds round towards zero either way).
    /// @return notional |delta| × mark, USD WAD.
    function _move(AccountId keeper, AccountId account, uint16 marketId, int256 delta, uint256 mark)
        internal
        returns (uint256 notional)
    {
        // forge-lint: disable-next-line(unsafe-typecast) mark < 2^128 (maxPrice, strike are uint128)
        int256 proceeds = -delta * int256(mark) / int256(WAD);
        _changePosition(account, marketId, delta, proceeds);
        _changePosition(keeper, marketId, -delta, -proceeds);
        notional = MarginMath.abs(proceeds);
    }

    /// @dev The maintenance figures a liquidation checks. In a batch (not `strict`), an account
    /// the engine cannot value (a stale feed only it depends on, say) is passed over with the
    /// engine's error as `failure` rather than failing the whole batch.
    function _liquidationFigures(AccountId account, bool strict)
        internal
        view
        returns (int256 equity, uint256 requirement, bytes memory failure)
    {
        if (strict) {
            (equity, requirement) = _maintenanceFigures(account);
            return (equity, requirement, failure);
        }
        (int256 cash, IRiskEngine.Holding[] memory holdings, IRiskEngine.Position[] memory positions) =
            _holdings(account);
        try riskEngine.maintenanceFigures(cash, holdings, positions) returns (int256 e, uint256 r) {
            return (e, r, failure);
        } catch (bytes memory reason) {
            // No reason at all is what running out of gas looks like: fail the whole batch, as
            // the single call would, rather than pass the account over for want of gas.
            if (reason.length == 0) {
                assembly ("memory-safe") {
                    revert(0, 0)
                }
            }
            return (0, 0, reason);
        }
    }

    /// @dev A liquidation refused: reverts with `reason` when `strict` (a single liquidation),
    /// and otherwise records that the batch passed the account over.
    function _refuse(bool strict, AccountId account, uint16 id, bytes memory reason)
        internal
        returns (uint256, uint256)
    {
        if (strict) {
            assembly ("memory-safe") {
                revert(add(reason, 0x20), mload(reason))
            }
        }
        emit LiquidationSkipped(account, id, reason);
        return (0, 0);
    }
}
