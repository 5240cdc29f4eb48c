// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import { Math } from "@openzeppelin/contracts/utils/math/Math.sol";

/// @notice The margin figures of one account from a snapshot of its holdings and prices. Pure, so
/// the hub, tests and the TypeScript model can feed it the same inputs and compare outputs.
///
/// Units: USD amounts and prices in WAD (1e18 = $1); perp sizes in WAD of the underlying;
/// haircuts and margin factors in WAD (0.1e18 = 10%). Rounding always favours the protocol:
/// what counts for the account rounds down, what it owes or must hold rounds up.
///
///   collateral value_x = amount * price / 10^decimals * (1 - haircut_x)
///   equity_x           = sum(collateral value_x) + cash + sum(size * price)
///   requirement_x      = sum(|size| * price * factor_x)
///   x = initial (opening risk, withdrawing) or maintenance (liquidation)
///
/// A perp is booked as its size plus the cash paid for it, so `size * price` is its mark value and
/// the PnL is already in `equity`.
library MarginMath {
    uint256 internal constant WAD = 1e18;
    /// @notice Health of an account with nothing to maintain and no negative equity.
    uint256 internal constant MAX_HEALTH = type(uint256).max;

    struct CollateralLine {
        uint256 amount;
        uint8 decimals;
        uint256 price;
        uint64 initialHaircut;
        uint64 maintenanceHaircut;
    }

    struct PerpLine {
        int256 size;
        uint256 price;
        uint64 initialFactor;
        uint64 maintenanceFactor;
    }

    struct Figures {
        int256 initialEquity;
        int256 maintenanceEquity;
        uint256 initialRequirement;
        uint256 maintenanceRequirement;
    }

    function figures(int256 cash, CollateralLine[] memory collateral, PerpLine[] memory perps)
        internal
        pure
        returns (Figures memory f)
    {
        f.initialEquity = cash;
        f.maintenanceEquity = cash;
        for (uint256 i; i < collateral.length; ++i) {
            CollateralLine memory c = collateral[i];
            uint256 gross = tokenValue(c.amount, c.decimals, c.price);
            f.initialEquity += int256(haircut(gross, c.initialHaircut));
            f.maintenanceEquity += int256(haircut(gross, c.maintenanceHaircut));
        }
        for (uint256 i; i < perps.length; ++i) {
            PerpLine memory p = perps[i];
            int256 markValue = signedValueDown(p.size, p.price);
            f.initialEquity += markValue;
            f.maintenanceEquity += markValue;
            uint256 notional = Math.mulDiv(abs(p.size), p.price, WAD, Math.Rounding.Ceil);
            f.initialRequirement += Math.mulDiv(notional, p.initialFactor, WAD, Math.Rounding.Ceil);
            f.maintenanceRequirement += Math.mulDiv(notional, p.maintenanceFactor, WAD, Math.Rounding.Ceil);
        }
    }

    /// @notice equity / requirement in WAD; MAX_HEALTH when nothing is required and equity is not
    /// negative; 0 when equity is not positive. Below 1e18 the account can be liquidated.
    function health(int256 equity, uint256 requirement) internal pure returns (uint256) {
        if (equity <= 0) return requirement == 0 && equity == 0 ? MAX_HEALTH : 0;
        if (requirement == 0) return MAX_HEALTH;
        return Math.mulDiv(uint256(equity), WAD, requirement);
    }

    /// @notice USD WAD value of `amount` token units at `price` USD WAD per whole token (rounded down).
    function tokenValue(uint256 amount, uint8 decimals, uint256 price) internal pure returns (uint256) {
        return Math.mulDiv(amount, price, 10 ** decimals);
    }

    /// @notice Token units worth `usd` at `price` (rounded up: what an account gives up).
    function tokenAmountUp(uint256 usd, uint8 decimals, uint256 price) internal pure returns (uint256) {
        return Math.mulDiv(usd, 10 ** decimals, price, Math.Rounding.Ceil);
    }

    function haircut(uint256 value, uint64 cut) internal pure returns (uint256) {
        return Math.mulDiv(value, WAD - cut, WAD);
    }

    /// @dev size * price / WAD, rounded toward minus infinity so a short's liability rounds up.
    function signedValueDown(int256 size, uint256 price) internal pure returns (int256) {
        if (size >= 0) return int256(Math.mulDiv(uint256(size), price, WAD));
        return -int256(Math.mulDiv(uint256(-size), price, WAD, Math.Rounding.Ceil));
    }

    function abs(int256 x) internal pure returns (uint256) {
        return x >= 0 ? uint256(x) : uint256(-x);
    }
}
