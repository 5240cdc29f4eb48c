// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {OptionMath} from "../../src/risk/OptionMath.sol";

/// @notice Exposes OptionMath so it can be called from tests in other languages.
contract OptionMathHarness {
    function normCdf(int256 x) external pure returns (int256) {
        return OptionMath.normCdf(x);
    }

    function blackScholes(int256 spot, int256 strike, int256 vol, int256 timeYears, int256 rate, bool isCall)
        external
        pure
        returns (OptionMath.Greeks memory)
    {
        return OptionMath.blackScholes(spot, strike, vol, timeYears, rate, isCall);
    }
}
