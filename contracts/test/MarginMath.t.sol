// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import { Test } from "forge-std/Test.sol";
import { MarginMath } from "../src/risk/MarginMath.sol";

contract MarginMathTest is Test {
    uint256 internal constant WAD = 1e18;

    function _collateral(uint256 amount, uint8 decimals, uint256 price, uint64 ih, uint64 mh)
        internal
        pure
        returns (MarginMath.CollateralLine[] memory c)
    {
        c = new MarginMath.CollateralLine[](1);
        c[0] = MarginMath.CollateralLine(amount, decimals, price, ih, mh);
    }

    function _perp(int256 size, uint256 price, uint64 im, uint64 mm) internal pure returns (MarginMath.PerpLine[] memory p) {
        p = new MarginMath.PerpLine[](1);
        p[0] = MarginMath.PerpLine(size, price, im, mm);
    }

    function testFuzz_collateralValueIsHaircutAndRoundedDown(uint96 amount, uint8 decSeed, uint128 price, uint64 cutSeed) public pure {
        uint8 decimals = uint8(bound(decSeed, 0, 24));
        uint64 cut = uint64(bound(cutSeed, 0, WAD));
        price = uint128(bound(price, 0, 1e24)); // keeps the exact product below 2^256
        MarginMath.Figures memory f = MarginMath.figures(0, _collateral(amount, decimals, price, cut, cut), new MarginMath.PerpLine[](0));
        uint256 exact = uint256(amount) * price * (WAD - cut); // scaled by 10^decimals * WAD
        assertLe(uint256(f.maintenanceEquity) * 10 ** decimals * WAD, exact, "never more than the exact value");
        assertEq(f.initialRequirement, 0);
        assertEq(MarginMath.health(f.maintenanceEquity, 0), MarginMath.MAX_HEALTH);
    }

    function testFuzz_initialIsStricterThanMaintenance(
        uint96 amount,
        uint128 price,
        uint64 ihSeed,
        uint64 mhSeed,
        int96 size,
        uint64 imSeed,
        uint64 mmSeed,
        int128 cash
    ) public pure {
        uint64 ih = uint64(bound(ihSeed, 0, WAD));
        uint64 mh = uint64(bound(mhSeed, 0, ih));
        uint64 im = uint64(bound(imSeed, 1, WAD));
        uint64 mm = uint64(bound(mmSeed, 1, im));
        price = uint128(bound(price, 1, 1e30));
        MarginMath.Figures memory f = MarginMath.figures(cash, _collateral(amount, 18, price, ih, mh), _perp(size, price, im, mm));
        assertLe(f.initialEquity, f.maintenanceEquity);
        assertGe(f.initialRequirement, f.maintenanceRequirement);
    }

    function testFuzz_shortLiabilityRoundsAgainstTheAccount(uint128 sizeAbs, uint128 price) public pure {
        vm.assume(sizeAbs > 0);
        int256 shortValue = MarginMath.signedValueDown(-int256(uint256(sizeAbs)), price);
        int256 longValue = MarginMath.signedValueDown(int256(uint256(sizeAbs)), price);
        assertLe(shortValue + longValue, 0, "a long and a short of the same size never net positive");
        assertGe(shortValue + longValue, -1);
    }

    function testFuzz_tokenAmountUpCoversTheValue(uint128 usd, uint8 decSeed, uint128 price) public pure {
        uint8 decimals = uint8(bound(decSeed, 0, 24));
        price = uint128(bound(price, 1, type(uint128).max));
        uint256 amount = MarginMath.tokenAmountUp(usd, decimals, price);
        assertGe(MarginMath.tokenValue(amount, decimals, price), usd);
    }

    function testFuzz_healthBelowOneIffEquityBelowRequirement(int128 equity, uint128 requirement) public pure {
        uint256 h = MarginMath.health(equity, requirement);
        assertEq(h < WAD, equity < int256(uint256(requirement)));
    }
}
