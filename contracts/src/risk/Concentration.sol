// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {WAD} from "../libraries/FixedPoint.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {FixedPointMathLib} from "solady/utils/FixedPointMathLib.sol";

/// @notice The per-account concentration add-on (docs/dynamic-parameters.md section 5): selling a
/// holding worth `Q` into a market of depth `D` moves the price by about `impact × √(Q / D)`
/// (the square-root law of market impact), so an account's haircuts on that collateral rise by
/// that much, up to a cap. `sdk/src/risk/concentration.ts` performs the same integer operations.
/// @dev All WAD; every step rounds down.
library Concentration {
    /// @notice `min(cap, impact × √(valueUsd / depthUsd))`; 0 without depth, impact or value.
    function addOn(uint256 valueUsd, uint256 depthUsd, uint256 impact, uint256 cap) internal pure returns (uint256) {
        if (depthUsd == 0 || impact == 0 || valueUsd == 0) return 0;
        // A holding over 1e41 times the depth: √ exceeds 3e20, so any nonzero impact reaches the
        // cap. Below that the ratio stays within sqrtWad's exact range.
        if (valueUsd / depthUsd >= type(uint256).max / WAD / WAD) return cap;
        uint256 a = FixedPointMathLib.sqrtWad(Math.mulDiv(valueUsd, WAD, depthUsd)) * impact / WAD;
        return a < cap ? a : cap;
    }

    /// @notice A haircut raised by an add-on, at most 100%.
    function raise(uint256 haircut, uint256 extra) internal pure returns (uint256) {
        uint256 h = haircut + extra;
        return h < WAD ? h : WAD;
    }
}
