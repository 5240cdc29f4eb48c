// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccountId} from "../../src/libraries/AccountIdLib.sol";
import {FlowHelpers} from "./FlowHelpers.sol";

/// @notice The hub's cash index equals the SDK's twin (`sdk/src/risk/cashIndex.ts`) to the wei:
/// the shared steps (written by sdk/vectors/cashIndexVectors.ts) are replayed on a real MarginHub,
/// and after each one every account's cash, the index, the socialised and unowned loss, the
/// insurance fund and the total cash are the figures the TypeScript gave.
abstract contract CashIndexFlows is FlowHelpers {
    uint8 private constant CASH_DEPOSIT = 0;
    uint8 private constant CASH_SETTLE = 1;

    struct CashStep {
        uint8 kind;
        uint8 from;
        uint8 to;
        uint256 amount;
        int256[5] cash;
        uint256 cashIndex;
        uint256 socialisedLoss;
        uint256 unownedLoss;
        uint256 insuranceFund;
        int256 totalCash;
    }

    function test_cashIndex_hubFollowsTheTypeScriptTwinOnSharedVectors() public {
        CashStep[] memory steps =
            abi.decode(vm.parseBytes(vm.trim(vm.readFile("contracts/test/vectors/cash-index.hex"))), (CashStep[]));
        assertEq(steps.length, 400);
        address[5] memory owners;
        for (uint256 k; k < 5; ++k) {
            owners[k] = makeAddr(string.concat("cash holder ", vm.toString(k)));
            vm.prank(owners[k]);
            hub.setVenueAuthorization(venue, true);
        }
        uint256 socialisations;
        for (uint256 i; i < steps.length; ++i) {
            CashStep memory s = steps[i];
            uint256 indexBefore = hub.cashIndex();
            _applyCashStep(s, owners);
            if (hub.cashIndex() < indexBefore) ++socialisations;
            string memory at = string.concat("step ", vm.toString(i));
            for (uint256 k; k < 5; ++k) {
                assertEq(hub.accountState(_acct(owners[k], 0)).cash, s.cash[k], at);
            }
            assertEq(hub.cashIndex(), s.cashIndex, at);
            assertEq(hub.socialisedLoss(), s.socialisedLoss, at);
            assertEq(hub.unownedLoss(), s.unownedLoss, at);
            assertEq(hub.insuranceFund(), s.insuranceFund, at);
            assertEq(hub.totalCash(), s.totalCash, at);
        }
        assertGt(socialisations, 10, "the steps lower the index many times");
    }

    function _applyCashStep(CashStep memory s, address[5] memory owners) private {
        if (s.kind == CASH_SETTLE) {
            AccountId payer = _acct(owners[s.from], 0);
            vm.prank(venue);
            hub.settleCash(payer, _acct(owners[s.to], 0), s.amount);
            return;
        }
        // A deposit or an insurance top-up (kind 2): settlement tokens paid in by this contract.
        usdc.mint(address(this), s.amount);
        usdc.approve(address(hub), s.amount);
        if (s.kind == CASH_DEPOSIT) hub.depositCash(owners[s.to], 0, s.amount);
        else hub.fundInsurance(s.amount);
    }
}
