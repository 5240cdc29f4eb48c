// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {WAD} from "../libraries/FixedPoint.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {MarginMath} from "./MarginMath.sol";
import {IRiskConfig} from "../interfaces/IRiskConfig.sol";

/// @title LiquidationSizer
/// @notice How much debt a collateral liquidation repays and how many tokens it pays the keeper
/// for it (docs/risk-model.md section 8), with the urgency-scaled bonus (section 8.1): a share of
/// the asset's bonus at health 1, all of it at `fullBonusHealth` and below. Pure; the twin of the
/// SDK's `liquidationAmounts` (sdk/src/risk/liquidation.ts), equal on shared vectors.
/// @dev Its own contract, created by the risk engine, because the engine is near the 24 KB limit
/// and the via-IR optimizer grows it by kilobytes for any change of this code inlined there.
contract LiquidationSizer {
    /// @notice One liquidation's inputs: the account's maintenance figures and debt, the asset's
    /// holding, price and terms, the keeper's offer, and the engine's liquidation parameters.
    struct Inputs {
        /// @dev maintenance equity and requirement (USD WAD)
        int256 equity;
        uint256 requirement;
        /// @dev the account's negative cash (USD WAD)
        uint256 debt;
        /// @dev the account's holding of the asset (token units)
        uint256 held;
        /// @dev the most the keeper repays (USD WAD), and the unit repayments are rounded up to
        uint256 maxRepay;
        uint256 step;
        /// @dev the asset's guarded price (USD WAD per whole token) and decimals
        uint256 price;
        uint8 decimals;
        uint64 maintenanceHaircut;
        /// @dev the asset's liquidation bonus, paid whole at and below `fullBonusHealth`
        uint64 maxBonus;
        IRiskConfig.LiquidationParams params;
    }

    /// @notice The debt repaid (USD WAD, whole steps), the tokens seized for it, and the bonus paid (WAD).
    function size(Inputs calldata x) external pure returns (uint256 repay, uint256 seized, uint256 bonus) {
        IRiskConfig.LiquidationParams calldata lp = x.params;
        uint256 h = MarginMath.health(x.equity, x.requirement);
        bonus = MarginMath.urgencyBonus(h, x.maxBonus, lp.minBonusShare, lp.fullBonusHealth);
        uint256 limit = Math.mulDiv(x.debt, h < lp.fullCloseHealth ? WAD : lp.closeFactor, WAD);
        // Each unit repaid raises equity by 1 - keep: the debt goes, (1 + bonus) of haircut collateral with it.
        uint256 keep = Math.mulDiv(WAD + bonus, WAD - x.maintenanceHaircut, WAD);
        if (keep < WAD) {
            int256 gap = int256(Math.mulDiv(x.requirement, lp.targetHealth, WAD, Math.Rounding.Ceil)) - x.equity;
            // forge-lint: disable-next-line(unsafe-typecast) gap > 0
            if (gap > 0) limit = Math.min(limit, Math.mulDiv(uint256(gap), WAD, WAD - keep, Math.Rounding.Ceil));
        }
        repay = Math.min(x.maxRepay, Math.ceilDiv(limit, x.step) * x.step);
        seized = Math.mulDiv(Math.mulDiv(repay, WAD + bonus, WAD), 10 ** x.decimals, x.price);
        if (seized > x.held) {
            // Not enough collateral for the full reward: seize all of it, repay only what it is worth.
            seized = x.held;
            uint256 worth =
                Math.mulDiv(MarginMath.tokenValue(x.held, x.decimals, x.price), WAD, WAD + bonus, Math.Rounding.Ceil);
            repay = Math.min(x.maxRepay, Math.ceilDiv(worth, x.step) * x.step);
        }
    }
}
