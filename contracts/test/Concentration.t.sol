// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Concentration} from "../src/risk/Concentration.sol";

contract ConcentrationTest is Test {
    struct Vector {
        uint256 amount;
        uint8 decimals;
        uint256 price;
        uint128 depthUsd;
        uint64 impact;
        uint64 cap;
        uint64 initialHaircut;
        uint64 maintenanceHaircut;
        uint256 addOn;
        uint256 raisedInitial;
        uint256 raisedMaintenance;
    }

    /// @dev The add-on and the raised haircuts, valued as RiskEngine._concentrationAddOn values a
    /// holding, equal the SDK's `concentratedHaircuts` to the wei on every shared vector (written
    /// by sdk/vectors/concentrationVectors.ts).
    function test_addOn_sharedVectorsMatchTypeScriptExactly() public view {
        bytes memory data = vm.parseBytes(vm.trim(vm.readFile("contracts/test/vectors/concentration.hex")));
        Vector[] memory v = abi.decode(data, (Vector[]));
        assertEq(v.length, 600);
        for (uint256 i; i < v.length; ++i) {
            Vector memory x = v[i];
            uint256 value = x.depthUsd == 0 ? 0 : Math.mulDiv(x.amount, x.price, 10 ** x.decimals);
            uint256 addOn = Concentration.addOn(value, x.depthUsd, x.impact, x.cap);
            string memory which = string.concat("vector ", vm.toString(i));
            assertEq(addOn, x.addOn, which);
            assertEq(Concentration.raise(x.initialHaircut, addOn), x.raisedInitial, which);
            assertEq(Concentration.raise(x.maintenanceHaircut, addOn), x.raisedMaintenance, which);
        }
    }

    /// @dev Square-root law: 100 times the holding costs 10 times the add-on, until the cap.
    function test_addOn_growsWithTheSquareRootOfTheHoldingUpToTheCap() public pure {
        assertEq(Concentration.addOn(10_000e18, 1_000_000e18, 0.05e18, 0.3e18), 0.005e18);
        assertEq(Concentration.addOn(1_000_000e18, 1_000_000e18, 0.05e18, 0.3e18), 0.05e18);
        assertEq(Concentration.addOn(100_000_000e18, 1_000_000e18, 0.05e18, 0.3e18), 0.3e18);
        assertEq(Concentration.addOn(type(uint256).max, 1, 1, 0.3e18), 0.3e18, "past sqrtWad's range: the cap");
        assertEq(Concentration.addOn(1_000_000e18, 0, 0.05e18, 0.3e18), 0, "no depth: off");
        assertEq(Concentration.raise(0.9e18, 0.3e18), 1e18, "a haircut stops at 100%");
    }
}
