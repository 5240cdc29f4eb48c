// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MessageCodec} from "../../src/libraries/MessageCodec.sol";
import {IMarginHubBase} from "../../src/interfaces/IMarginHubBase.sol";
import {FlowHelpers} from "./FlowHelpers.sol";

/// @notice withdraw -> RELEASE: paid on the chain that holds the collateral once the margin
/// check passes, and how it fails.
abstract contract WithdrawFlows is FlowHelpers {
    function test_withdraw_releasesOnTheChainThatHoldsIt() public {
        _deposit(alice, vaultB, wethB, 5e18, 0);
        _withdraw(alice, 0, wethBAsset, 2e18, alice);
        assertEq(hub.collateralOf(_acct(alice, 0), wethBAsset), 3e18, "hub debits at once");
        assertEq(wethB.balanceOf(alice), 0, "paid only when the RELEASE arrives");

        verifyPackets(B_EID, address(vaultB));
        assertEq(wethB.balanceOf(alice), 2e18);
        assertEq(vaultB.custodied(address(wethB)), 3e18);
        assertTrue(vaultB.processed(1));
    }

    function test_withdraw_fromHubChainVaultPaysAtOnce() public {
        usdc.mint(alice, 500e6);
        vm.startPrank(alice);
        usdc.approve(address(hubVault), 500e6);
        hubVault.deposit(alice, 0, address(usdc), 500e6, "");
        hub.withdraw(0, usdcAsset, 200e6, bob, "");
        vm.stopPrank();
        assertEq(usdc.balanceOf(bob), 200e6);
        assertEq(hubVault.custodied(address(usdc)), 300e6);
    }

    function test_withdraw_revertsWhenMarginWouldBeShort() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _seedLiquidity(100_000e6);
        vm.prank(alice);
        hub.withdrawCash(0, 18_000e6, alice); // borrow against 10 WETH (initial value 24k)
        // 2 WETH out would leave 8 * 3000 * 0.8 = 19.2k, equity 1.2k, against an initial
        // requirement of 19.2k * 10% (the ETH collateral's loss in the initial grid's -10% move).
        uint256 fee = hub.quoteOrder(wethAAsset, MessageCodec.RELEASE, "");
        vm.expectRevert(
            abi.encodeWithSelector(IMarginHubBase.InsufficientMargin.selector, int256(1200e18), uint256(1920e18))
        );
        vm.prank(alice);
        hub.withdraw{value: fee}(0, wethAAsset, 2e18, alice, "");
        // 1 WETH is fine: 9 * 2400 = 21.6k, equity 3.6k against 2.16k.
        _withdraw(alice, 0, wethAAsset, 1e18, alice);
    }

    function test_withdraw_revertsMoreThanHeld() public {
        _deposit(alice, vaultA, wethA, 1e18, 0);
        vm.expectRevert(abi.encodeWithSelector(IMarginHubBase.InsufficientCollateral.selector, 1e18, 2e18));
        vm.prank(alice);
        hub.withdraw(0, wethAAsset, 2e18, alice, "");
    }

    /// @dev With its price stale the WETH counts for nothing, and the debt is uncovered.
    function test_withdraw_refusedWhileTheCollateralItNeedsIsUntrusted() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _seedLiquidity(10_000e6);
        vm.prank(alice);
        hub.withdrawCash(0, 1000e6, alice);
        vm.warp(block.timestamp + 2 hours);
        uint256 fee = hub.quoteOrder(wethAAsset, MessageCodec.RELEASE, "");
        vm.expectPartialRevert(IMarginHubBase.InsufficientMargin.selector);
        vm.prank(alice);
        hub.withdraw{value: fee}(0, wethAAsset, 1e18, alice, "");
    }

    function test_withdraw_withoutLiabilitiesNeedsNoPrice() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        vm.warp(block.timestamp + 2 hours); // every feed is stale now
        _withdraw(alice, 0, wethAAsset, 10e18, alice);
        verifyPackets(A_EID, address(vaultA));
        assertEq(wethA.balanceOf(alice), 10e18);
    }

    function test_withdraw_pausedVaultStillPaysApprovedRelease() public {
        _deposit(alice, vaultA, wethA, 3e18, 0);
        _withdraw(alice, 0, wethAAsset, 3e18, alice);
        vm.prank(admin);
        vaultA.pause();
        verifyPackets(A_EID, address(vaultA));
        assertEq(wethA.balanceOf(alice), 3e18);
    }

    function test_withdrawCash_revertsBeyondTheHubsLiquidity() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _seedLiquidity(1_000e6);
        vm.expectRevert(abi.encodeWithSelector(IMarginHubBase.InsufficientLiquidity.selector, 1_000e6, 1_001e6));
        vm.prank(alice);
        hub.withdrawCash(0, 1_001e6, alice);
    }

    function test_transferCollateral_betweenSubAccountsChecksMargin() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _seedLiquidity(100_000e6);
        vm.startPrank(alice);
        hub.transferCollateral(0, 1, wethAAsset, 4e18);
        assertEq(hub.collateralOf(_acct(alice, 1), wethAAsset), 4e18);
        hub.withdrawCash(0, 12_000e6, alice); // 6 WETH * 2400 = 14.4k of initial value left in sub 0, 1.44k required
        // One more WETH out: 12k of value against 12k of debt, and 1.2k required.
        vm.expectRevert(abi.encodeWithSelector(IMarginHubBase.InsufficientMargin.selector, int256(0), uint256(1200e18)));
        hub.transferCollateral(0, 1, wethAAsset, 1e18);
        vm.stopPrank();
    }
}
