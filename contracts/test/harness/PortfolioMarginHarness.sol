// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import { PortfolioMargin } from "../../src/risk/PortfolioMargin.sol";

/// @notice Exposes PortfolioMargin as an external call, so its gas can be measured on its own.
contract PortfolioMarginHarness {
    function compute(
        int256 cash,
        PortfolioMargin.Underlying[] memory u,
        PortfolioMargin.Collateral[] memory c,
        PortfolioMargin.Position[] memory p,
        PortfolioMargin.PairOffset[] memory offsets
    ) external pure returns (PortfolioMargin.Result memory) {
        return PortfolioMargin.compute(cash, u, c, p, offsets);
    }

    function computeMaintenance(
        int256 cash,
        PortfolioMargin.Underlying[] memory u,
        PortfolioMargin.Collateral[] memory c,
        PortfolioMargin.Position[] memory p,
        PortfolioMargin.PairOffset[] memory offsets
    ) external pure returns (PortfolioMargin.Result memory) {
        return PortfolioMargin.computeMaintenance(cash, u, c, p, offsets);
    }
}
