// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import { Test } from "forge-std/Test.sol";
import { MarginMath } from "../src/risk/MarginMath.sol";
import { PortfolioMargin } from "../src/risk/PortfolioMargin.sol";

contract MarginMathTest is Test {
    uint256 internal constant WAD = 1e18;

    /// @dev One underlying, one collateral line, one position of any kind, any cash: opening risk
    /// (initial) is never easier than staying open (maintenance), so an account that passes the
    /// initial check is never liquidatable at the same prices.
    function testFuzz_initialIsStricterThanMaintenance(
        uint96 amount,
        uint128 spotSeed,
        uint64 ihSeed,
        uint64 mhSeed,
        int96 size,
        uint8 kindSeed,
        uint64 strikeSeed,
        uint64 tSeed,
        int128 cash
    ) public pure {
        int256 spot = int256(bound(spotSeed, 1e16, 1e25));
        PortfolioMargin.Underlying[] memory u = new PortfolioMargin.Underlying[](1);
        u[0] = PortfolioMargin.Underlying(spot, 0.7e18, PortfolioMargin.RiskParams(0.15e18, 0.3e18, 2e18, 0.35e18, 1.5e18, 0.02e18));
        PortfolioMargin.Collateral[] memory c = new PortfolioMargin.Collateral[](1);
        int256 ih = int256(bound(ihSeed, 0, WAD));
        c[0] = PortfolioMargin.Collateral(0, int256(uint256(amount)), 18, ih, int256(bound(mhSeed, 0, uint256(ih))));
        PortfolioMargin.Position[] memory p = new PortfolioMargin.Position[](1);
        uint8 kind = uint8(bound(kindSeed, 0, 2));
        int256 strike = kind == 0 ? int256(0) : spot * int256(bound(strikeSeed, 20, 500)) / 100;
        p[0] = PortfolioMargin.Position(0, kind, size, strike, kind == 0 ? int256(0) : int256(bound(tSeed, 0, 2e18)));
        PortfolioMargin.Result memory r = PortfolioMargin.compute(cash, u, c, p, new PortfolioMargin.PairOffset[](0));
        assertLe(r.initialEquity, r.maintenanceEquity);
        assertGe(r.initialRequirement, r.maintenanceRequirement);
        assertGe(r.maintenanceRequirement, 0);
    }

    function testFuzz_shortLiabilityRoundsAgainstTheAccount(uint96 sizeAbs, uint128 price) public pure {
        vm.assume(sizeAbs > 0);
        int256 shortValue = PortfolioMargin.mulWadDown(-int256(uint256(sizeAbs)), int256(uint256(price)));
        int256 longValue = PortfolioMargin.mulWadDown(int256(uint256(sizeAbs)), int256(uint256(price)));
        assertLe(shortValue + longValue, 0, "a long and a short of the same size never net positive");
        assertGe(shortValue + longValue, -1);
    }

    function testFuzz_healthBelowOneIffEquityBelowRequirement(int128 equity, uint128 requirement) public pure {
        uint256 h = MarginMath.health(equity, requirement);
        assertEq(h < WAD, equity < int256(uint256(requirement)));
    }
}
