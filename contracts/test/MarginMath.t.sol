// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {MarginMath} from "../src/risk/MarginMath.sol";
import {PortfolioMargin} from "../src/risk/PortfolioMargin.sol";

contract MarginMathTest is Test {
    uint256 internal constant WAD = 1e18;

    struct BonusVector {
        uint256 health;
        uint256 maxBonus;
        uint256 minShare;
        uint256 fullHealth;
        uint256 bonus;
    }

    /// @dev MarginMath.urgencyBonus equals the SDK's urgencyBonus to the wei on every shared vector
    /// (written by sdk/vectors/liquidationVectors.ts).
    function test_urgencyBonus_sharedVectorsMatchTypeScriptExactly() public view {
        bytes memory data = vm.parseBytes(vm.trim(vm.readFile("contracts/test/vectors/urgency-bonus.hex")));
        BonusVector[] memory v = abi.decode(data, (BonusVector[]));
        assertEq(v.length, 600);
        for (uint256 i; i < v.length; ++i) {
            assertEq(
                MarginMath.urgencyBonus(v[i].health, v[i].maxBonus, v[i].minShare, v[i].fullHealth),
                v[i].bonus,
                string.concat("vector ", vm.toString(i))
            );
        }
    }

    /// @dev A fifth of a 5% bonus at health 1, all of it at 0.9 and below, linear between.
    function test_urgencyBonus_risesAsHealthFalls() public pure {
        assertEq(MarginMath.urgencyBonus(WAD, 0.05e18, 0.2e18, 0.9e18), 0.01e18);
        assertEq(MarginMath.urgencyBonus(0.99e18, 0.05e18, 0.2e18, 0.9e18), 0.014e18);
        assertEq(MarginMath.urgencyBonus(0.95e18, 0.05e18, 0.2e18, 0.9e18), 0.03e18);
        assertEq(MarginMath.urgencyBonus(0.9e18, 0.05e18, 0.2e18, 0.9e18), 0.05e18);
        assertEq(MarginMath.urgencyBonus(0, 0.05e18, 0.2e18, 0.9e18), 0.05e18);
        assertEq(MarginMath.urgencyBonus(0.97e18, 0.05e18, WAD, 0.9e18), 0.05e18, "a share of 1: flat");
    }

    /// @dev Never above the asset's bonus, never below its floor share, and never smaller for a
    /// less healthy account.
    function testFuzz_urgencyBonus_boundedAndMonotone(
        uint64 h1,
        uint64 h2,
        uint64 maxBonus,
        uint64 minShare,
        uint64 fullHealth
    ) public pure {
        uint256 b = bound(maxBonus, 0, 0.25e18);
        uint256 s = bound(minShare, 0, WAD);
        uint256 f = bound(fullHealth, 0, WAD - 1);
        (uint256 lo, uint256 hi) = h1 < h2 ? (uint256(h1), uint256(h2)) : (uint256(h2), uint256(h1));
        uint256 atLo = MarginMath.urgencyBonus(lo, b, s, f);
        uint256 atHi = MarginMath.urgencyBonus(hi, b, s, f);
        assertLe(atLo, b);
        assertGe(atHi, b * s / WAD);
        assertGe(atLo, atHi, "lower health, no smaller bonus");
    }

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
        u[0] = PortfolioMargin.Underlying(
            spot, 0.7e18, PortfolioMargin.RiskParams(0.15e18, 0.3e18, 2e18, 0.35e18, 1.5e18, 0.02e18)
        );
        PortfolioMargin.Collateral[] memory c = new PortfolioMargin.Collateral[](1);
        int256 ih = int256(bound(ihSeed, 0, WAD));
        // forge-lint: disable-next-line(unsafe-typecast) amount is a uint128, ih in [0, WAD]
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
