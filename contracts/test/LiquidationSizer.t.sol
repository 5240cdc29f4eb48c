// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {LiquidationSizer} from "../src/risk/LiquidationSizer.sol";
import {MarginMath} from "../src/risk/MarginMath.sol";
import {IRiskConfig} from "../src/interfaces/IRiskConfig.sol";

contract LiquidationSizerTest is Test {
    uint256 internal constant WAD = 1e18;

    struct SizingVector {
        LiquidationSizer.Inputs inputs;
        uint256 repay;
        uint256 seized;
        uint256 bonus;
    }

    LiquidationSizer internal sizer = new LiquidationSizer();

    /// @dev LiquidationSizer.size equals the SDK's liquidationAmounts to the wei on every shared
    /// vector (written by sdk/vectors/liquidationVectors.ts).
    function test_size_sharedVectorsMatchTypeScriptExactly() public view {
        bytes memory data = vm.parseBytes(vm.trim(vm.readFile("contracts/test/vectors/liquidation-sizing.hex")));
        SizingVector[] memory v = abi.decode(data, (SizingVector[]));
        assertEq(v.length, 600);
        for (uint256 i; i < v.length; ++i) {
            (uint256 repay, uint256 seized, uint256 bonus) = sizer.size(v[i].inputs);
            string memory which = string.concat("vector ", vm.toString(i));
            assertEq(repay, v[i].repay, which);
            assertEq(seized, v[i].seized, which);
            assertEq(bonus, v[i].bonus, which);
        }
    }

    /// @dev The same account just under health 1 pays a fifth of the 5% bonus; sinking to 0.9
    /// and below, all of it.
    function test_size_bonusScalesWithUrgency() public view {
        LiquidationSizer.Inputs memory x = _account(9_900e18, 10_000e18);
        (,, uint256 mild) = sizer.size(x);
        assertEq(mild, MarginMath.urgencyBonus(0.99e18, 0.05e18, 0.2e18, 0.9e18));
        assertEq(mild, 0.014e18);
        x.equity = 8_000e18;
        (uint256 repay, uint256 seized, uint256 deep) = sizer.size(x);
        assertEq(deep, 0.05e18);
        assertEq(seized, repay * (WAD + deep) / WAD * 1e18 / 2000e18, "repay x (1 + bonus) at the price");
    }

    function _account(int256 equity, uint256 requirement) internal pure returns (LiquidationSizer.Inputs memory) {
        return LiquidationSizer.Inputs({
            equity: equity,
            requirement: requirement,
            debt: 50_000e18,
            held: 100e18,
            maxRepay: type(uint256).max,
            step: 1e12,
            price: 2000e18,
            decimals: 18,
            maintenanceHaircut: 0.15e18,
            maxBonus: 0.05e18,
            params: IRiskConfig.LiquidationParams({
                closeFactor: 0.5e18,
                fullCloseHealth: 0.95e18,
                targetHealth: 1.05e18,
                positionPenalty: 0.02e18,
                insuranceShare: 0.5e18,
                minBonusShare: 0.2e18,
                fullBonusHealth: 0.9e18
            })
        });
    }
}
