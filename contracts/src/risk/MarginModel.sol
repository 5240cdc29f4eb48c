// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {OptionMath} from "./OptionMath.sol";
import {PortfolioMargin} from "./PortfolioMargin.sol";

/// @title MarginModel
/// @notice The portfolio margin model (`PortfolioMargin`, docs/risk-model.md section 6) and the
/// option premium (`OptionMath`) behind external functions: the risk engine gathers an account's
/// inputs (guarded prices, volatilities, grids, haircuts) and asks this contract for the figures.
/// @dev Its own contract, created by the risk engine, so the engine's configuration and input
/// gathering and the model each have the 24 KB code-size limit to themselves. Pure: the same
/// inputs give the same figures as `PortfolioMargin` called in place, to the wei.
contract MarginModel {
    /// @notice The model's figures, delta and vega; with `withInitial` false the initial grid is
    /// skipped (initial equity and requirement are 0), at about half the gas.
    function compute(
        int256 cash,
        PortfolioMargin.Underlying[] memory u,
        PortfolioMargin.Collateral[] memory c,
        PortfolioMargin.Position[] memory p,
        PortfolioMargin.PairOffset[] memory offsets,
        bool withInitial
    ) external pure returns (PortfolioMargin.Result memory) {
        return withInitial
            ? PortfolioMargin.compute(cash, u, c, p, offsets)
            : PortfolioMargin.computeMaintenance(cash, u, c, p, offsets);
    }

    /// @notice Black-Scholes premium of one unit of a European option at rate 0 (USD WAD).
    function optionPrice(int256 spot, int256 strike, int256 vol, int256 timeYears, bool isCall)
        external
        pure
        returns (int256)
    {
        return OptionMath.price(spot, strike, vol, timeYears, 0, isCall);
    }
}
