// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {StewardHandler} from "./handlers/StewardHandler.sol";
import {IRiskSteward} from "../src/interfaces/IRiskSteward.sol";

/// @notice Random proposals and executions at random times: the handler checks every outcome
/// against the steward's rules; here the scan range never leaves its bounds, and each run must
/// have seen every rule at work and both bounds reached.
contract RiskStewardInvariantsTest is Test {
    StewardHandler internal handler;

    function setUp() public {
        handler = StewardHandler(deployCode("StewardHandler.sol:StewardHandler"));
        targetContract(address(handler));
    }

    function invariant_scanRangeWithinBounds() public view {
        (uint64 min, uint64 max,,,,) = handler.bounds();
        assertGe(handler.scanRange(), min, "at least the lower bound");
        assertLe(handler.scanRange(), max, "at most the upper bound");
    }

    /// @dev A campaign in which the steward never raised, lowered or refused proves nothing about it.
    function afterInvariant() public view {
        bytes32[10] memory required = [
            // forge-lint: disable-next-line(unsafe-typecast) a short literal, as the handler counts it
            bytes32("raised"),
            "lowering queued",
            "lowered",
            bytes32(IRiskSteward.CoolingDown.selector),
            bytes32(IRiskSteward.OutOfBounds.selector),
            bytes32(IRiskSteward.StepTooLarge.selector),
            bytes32(IRiskSteward.LoweringNotReady.selector),
            bytes32(IRiskSteward.LoweringExpired.selector),
            "at the lower bound",
            "at the upper bound"
        ];
        for (uint256 i; i < required.length; ++i) {
            assertGt(handler.outcomes(required[i]), 0, string(abi.encodePacked("never happened: ", required[i])));
        }
    }
}
