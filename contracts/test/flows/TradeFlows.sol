// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {AccountId} from "../../src/libraries/AccountIdLib.sol";
import {IMarginHubBase} from "../../src/interfaces/IMarginHubBase.sol";
import {FlowHelpers} from "./FlowHelpers.sol";

/// @notice Perps and cash payments through a venue: both sides booked, initial margin checked,
/// price bands, and a payer left with nothing resolved as bad debt.
abstract contract TradeFlows is FlowHelpers {
    function test_trade_booksBothSidesAndChecksInitialMargin() public {
        _deposit(alice, vaultA, wethA, 10e18, 0); // 24k initial value
        _depositHubUsdc(bob, 100_000e6, 0);
        vm.prank(venue);
        hub.trade(_acct(alice, 0), _acct(bob, 0), ethPerp, 20e18, 3000e18);
        assertEq(hub.positionOf(_acct(alice, 0), ethPerp), 20e18);
        assertEq(hub.positionOf(_acct(bob, 0), ethPerp), -20e18);
        assertEq(hub.accountState(_acct(alice, 0)).cash, -60_000e18);
        assertEq(hub.accountState(_acct(bob, 0)).cash, 60_000e18);
        assertEq(hub.totalCash(), 0, "trades are zero-sum");

        // Another 230 ETH (250 in all): the -10% move loses 10% of 250 ETH of perps and of the 8
        // ETH the collateral counts for initially, 77.4k, against 24k of equity.
        vm.expectRevert(
            abi.encodeWithSelector(IMarginHubBase.InsufficientMargin.selector, int256(24_000e18), uint256(77_400e18))
        );
        vm.prank(venue);
        hub.trade(_acct(alice, 0), _acct(bob, 0), ethPerp, 230e18, 3000e18);
    }

    function test_holdingsOf_returnsWhatTheMarginCheckReadsForManyAccounts() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _deposit(alice, vaultB, wethB, 2e18, 0);
        _depositHubUsdc(bob, 100_000e6, 0);
        vm.prank(venue);
        hub.trade(_acct(alice, 0), _acct(bob, 0), ethPerp, 5e18, 3000e18);

        AccountId[] memory ids = new AccountId[](3);
        (ids[0], ids[1], ids[2]) = (_acct(alice, 0), _acct(bob, 0), _acct(alice, 9));
        IMarginHubBase.AccountHoldings[] memory h = hub.holdingsOf(ids);
        assertEq(h.length, 3);
        assertEq(h[0].cash, -15_000e18);
        assertEq(h[0].collateral.length, 2, "both spokes' WETH, in asset id order");
        (uint16 first, uint16 second) = wethAAsset < wethBAsset ? (wethAAsset, wethBAsset) : (wethBAsset, wethAAsset);
        assertEq(h[0].collateral[0].assetId, first);
        assertEq(h[0].collateral[1].assetId, second);
        assertEq(h[0].collateral[0].amount, hub.collateralOf(ids[0], first));
        assertEq(h[0].collateral[1].amount, hub.collateralOf(ids[0], second));
        assertEq(h[0].positions.length, 1);
        assertEq(h[0].positions[0].marketId, ethPerp);
        assertEq(h[0].positions[0].size, 5e18);
        assertEq(h[1].cash, 15_000e18);
        assertEq(h[1].collateral[0].assetId, usdcAsset);
        assertEq(h[1].collateral[0].amount, 100_000e6);
        assertEq(h[1].positions[0].size, -5e18);
        assertEq(h[2].cash, 0, "an account never used is empty");
        assertEq(h[2].collateral.length + h[2].positions.length, 0);
    }

    function test_trade_revertsOutsidePriceBandOrForStrangers() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _depositHubUsdc(bob, 100_000e6, 0);
        vm.expectRevert(abi.encodeWithSelector(IMarginHubBase.TradePriceOutOfBand.selector, 3200e18, 3000e18));
        vm.prank(venue);
        hub.trade(_acct(alice, 0), _acct(bob, 0), ethPerp, 1e18, 3200e18);

        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, hub.VENUE_ROLE())
        );
        vm.prank(alice);
        hub.trade(_acct(alice, 0), _acct(bob, 0), ethPerp, 1e18, 3000e18);
    }

    /// @dev A venue's cash payment goes through whatever the payer's margin; one that leaves the
    /// payer with nothing (no collateral, no positions, negative cash) is bad debt at once:
    /// insurance first, the rest charged to positive cash (here bob's alone), and the tokens held
    /// still cover every claim.
    function test_settleCash_movesCashAndResolvesABankruptPayer() public {
        _depositHubUsdc(alice, 1_000e6, 0);
        _fundInsurance(30e6);
        address carolOwner = makeAddr("carol");
        vm.prank(carolOwner);
        hub.setVenueAuthorization(venue, true);
        AccountId carol = _acct(carolOwner, 0);
        vm.startPrank(venue);
        vm.expectEmit(address(hub));
        emit IMarginHubBase.CashSettled(_acct(alice, 0), _acct(bob, 0), 1_200e18, venue);
        hub.settleCash(_acct(alice, 0), _acct(bob, 0), 1_200e18);
        assertEq(hub.accountState(_acct(alice, 0)).cash, -1_200e18, "alice still holds collateral: liquidatable");
        assertEq(hub.socialisedLoss(), 0);

        uint256 index = uint256(1e18) * 1_230 / 1_300; // bob's 1,300 bears the 70
        vm.expectEmit(address(hub));
        emit IMarginHubBase.CashIndexLowered(70e18, index);
        vm.expectEmit(address(hub));
        emit IMarginHubBase.BadDebtResolved(carol, 100e18, 30e18, 70e18);
        hub.settleCash(carol, _acct(bob, 0), 100e18);
        vm.stopPrank();
        assertEq(hub.accountState(carol).cash, 0, "carol's shortfall is resolved");
        // forge-lint: disable-next-line(unsafe-typecast) 1,300 × index is below 2^255
        assertEq(hub.accountState(_acct(bob, 0)).cash, int256(1_300 * index), "1,300 shares at the new index");
        assertApproxEqAbs(hub.accountState(_acct(bob, 0)).cash, 1_230e18, 1e4);
        assertEq(hub.insuranceFund(), 0);
        assertEq(hub.socialisedLoss(), 70e18);
        _assertCashBalances();

        // Cash moves at the new index: bob pays 230 and is left 1,000, to rounding in the hub's favour.
        vm.prank(venue);
        hub.settleCash(_acct(bob, 0), _acct(alice, 0), 230e18);
        assertApproxEqAbs(hub.accountState(_acct(bob, 0)).cash, 1_000e18, 1e4);
        assertLe(hub.accountState(_acct(bob, 0)).cash, 1_000e18);
        _assertCashBalances();
    }

    function test_settleCash_revertsForOneAccountNothingOrStrangers() public {
        vm.startPrank(venue);
        vm.expectRevert(IMarginHubBase.SameAccount.selector);
        hub.settleCash(_acct(alice, 0), _acct(alice, 0), 1e18);
        vm.expectRevert(abi.encodeWithSelector(IMarginHubBase.InvalidCashAmount.selector, 0));
        hub.settleCash(_acct(alice, 0), _acct(bob, 0), 0);
        vm.stopPrank();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, hub.VENUE_ROLE())
        );
        vm.prank(alice);
        hub.settleCash(_acct(bob, 0), _acct(alice, 0), 1e18);
    }
}
