// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {WAD} from "../libraries/FixedPoint.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @notice Fixed-point helpers the hub and the engine share: health from figures, token values,
/// and the figures struct the hub reports. The margin model itself is PortfolioMargin.
/// Units: USD amounts and prices in WAD (1e18 = $1). Rounding always favours the protocol.
library MarginMath {
    /// @notice Health of an account with nothing to maintain and no negative equity.
    uint256 internal constant MAX_HEALTH = type(uint256).max;

    struct Figures {
        int256 initialEquity;
        int256 maintenanceEquity;
        uint256 initialRequirement;
        uint256 maintenanceRequirement;
    }

    /// @notice equity / requirement in WAD; MAX_HEALTH when nothing is required and equity is not
    /// negative; 0 when equity is not positive. Below 1e18 the account can be liquidated.
    function health(int256 equity, uint256 requirement) internal pure returns (uint256) {
        if (equity <= 0) return requirement == 0 && equity == 0 ? MAX_HEALTH : 0;
        if (requirement == 0) return MAX_HEALTH;
        // forge-lint: disable-next-line(unsafe-typecast) equity > 0 here
        return Math.mulDiv(uint256(equity), WAD, requirement);
    }

    /// @notice The liquidation bonus at health `h` (docs/risk-model.md section 8.1): `minShare` of
    /// `maxBonus` at health 1, rising linearly as health falls, to all of it at `fullHealth` and
    /// below. Each step rounds down (a smaller bonus: the account pays less).
    /// `sdk/src/risk/liquidation.ts` performs the same integer operations in the same order.
    /// @param h health, WAD, below 1e18 for a liquidatable account (at or above 1e18: the floor)
    /// @param maxBonus the asset's liquidation bonus, WAD
    /// @param minShare share of it paid at health 1, WAD (1e18: a flat bonus)
    /// @param fullHealth health at and below which the whole bonus is paid, WAD, below 1e18
    /// Plain products: the operands are WAD fractions (a bonus is at most 25%), so none overflows
    /// and each equals `mulDiv` rounding down, without its 512-bit code in the engine.
    function urgencyBonus(uint256 h, uint256 maxBonus, uint256 minShare, uint256 fullHealth)
        internal
        pure
        returns (uint256)
    {
        if (h <= fullHealth) return maxBonus;
        if (h >= WAD) return maxBonus * minShare / WAD;
        uint256 urgency = (WAD - h) * WAD / (WAD - fullHealth);
        uint256 share = minShare + (WAD - minShare) * urgency / WAD;
        return maxBonus * share / WAD;
    }

    /// @notice USD WAD value of `amount` token units at `price` USD WAD per whole token (rounded down).
    function tokenValue(uint256 amount, uint8 decimals, uint256 price) internal pure returns (uint256) {
        return Math.mulDiv(amount, price, 10 ** decimals);
    }

    function abs(int256 x) internal pure returns (uint256) {
        // forge-lint: disable-next-line(unsafe-typecast) x >= 0 is checked, and -x reverts for type(int256).min
        return x >= 0 ? uint256(x) : uint256(-x);
    }
}
