// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ICollateralVault} from "../../src/interfaces/ICollateralVault.sol";
import {IMarginHub} from "../../src/interfaces/IMarginHub.sol";
import {INativeSweep} from "../../src/interfaces/INativeSweep.sol";
import {UnrulyToken} from "../utils/UnrulyToken.sol";
import {FlowHelpers} from "./FlowHelpers.sol";

/// @notice Finding 5: funds that could be stranded are not. A deposit of a token the hub has not
/// listed is refunded to its owner; a RELEASE or SEIZE the token will not pay in full is kept for
/// its recipient to claim rather than failing after the hub debited; native value the vault or
/// hub was sent can be swept by the owner.
abstract contract StrandedFundsFlows is FlowHelpers {
    /// @dev Alice holds 5 UNR on chain A, listed like WETH, and no debt.
    function _aliceHoldsUnruly() private returns (UnrulyToken token, uint16 assetId) {
        token = new UnrulyToken();
        vm.startPrank(admin);
        assetId = _listAsset(A_EID, address(token), 18, ethRisk, 0.2e18, 0.15e18, 0.05e18);
        vaultA.configureToken(address(token), true, type(uint128).max);
        vm.stopPrank();
        token.mint(alice, 5e18);
        vm.startPrank(alice);
        token.approve(address(vaultA), 5e18);
        uint256 fee = vaultA.quoteDeposit(alice, 0, address(token), 5e18, "");
        vaultA.deposit{value: fee}(alice, 0, address(token), 5e18, "");
        vm.stopPrank();
        verifyPackets(HUB_EID, address(hub));
    }

    /// @dev The token blocklists alice between her withdrawal and its RELEASE: the RELEASE is still
    /// applied, the 2 UNR are kept for her, and she claims them to another address of hers.
    function test_stranded_aPayoutTheTokenRefusesIsKeptForTheRecipient() public {
        (UnrulyToken token, uint16 assetId) = _aliceHoldsUnruly();
        uint64 orderId = _withdraw(alice, 0, assetId, 2e18, alice);
        token.setBlocked(alice, true);
        vm.expectEmit(address(vaultA));
        emit ICollateralVault.PayoutDeferred(orderId, alice, address(token), 2e18);
        verifyPackets(A_EID, address(vaultA));
        assertTrue(vaultA.processed(orderId), "applied, not failed");
        assertEq(vaultA.owed(alice, address(token)), 2e18);
        assertEq(vaultA.custodied(address(token)), 3e18, "out of custody, as the hub debited");
        assertEq(token.balanceOf(address(vaultA)), 5e18, "still held, for alice");

        address other = makeAddr("alice's other address");
        vm.expectEmit(address(vaultA));
        emit ICollateralVault.PayoutClaimed(alice, address(token), 2e18, other);
        vm.prank(alice);
        assertEq(vaultA.claim(address(token), other), 2e18);
        assertEq(token.balanceOf(other), 2e18);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.NothingToClaim.selector, alice, address(token)));
        vm.prank(alice);
        vaultA.claim(address(token), other);
    }

    /// @dev A token that moves 1 UNR where 3 were asked: the other 2 are kept for the recipient.
    function test_stranded_aPayoutMovedShortKeepsTheRestForTheRecipient() public {
        (UnrulyToken token, uint16 assetId) = _aliceHoldsUnruly();
        token.setMaxMove(1e18);
        uint64 orderId = _withdraw(alice, 0, assetId, 3e18, alice);
        vm.expectEmit(address(vaultA));
        emit ICollateralVault.PayoutDeferred(orderId, alice, address(token), 2e18);
        verifyPackets(A_EID, address(vaultA));
        assertEq(token.balanceOf(alice), 1e18);
        assertEq(vaultA.owed(alice, address(token)), 2e18);
        token.setMaxMove(type(uint256).max);
        vm.prank(alice);
        vaultA.claim(address(token), alice);
        assertEq(token.balanceOf(alice), 3e18);
    }

    /// @dev Finding 5, the unlisted token: vault A takes UNR, which the hub never listed. The
    /// CREDIT is refused rather than failing for ever, and alice alone takes her 4 UNR back.
    function test_stranded_aDepositOfATokenTheHubHasNotListedIsRefunded() public {
        UnrulyToken token = new UnrulyToken();
        vm.prank(admin);
        vaultA.configureToken(address(token), true, type(uint128).max);
        token.mint(alice, 4e18);
        vm.startPrank(alice);
        token.approve(address(vaultA), 4e18);
        uint256 fee = vaultA.quoteDeposit(alice, 0, address(token), 4e18, "");
        (uint64 creditId,) = vaultA.deposit{value: fee}(alice, 0, address(token), 4e18, "");
        vm.stopPrank();
        vm.expectEmit(address(hub));
        emit IMarginHub.CreditRefused(_acct(alice, 0), A_EID, creditId, address(token), 4e18);
        verifyPackets(HUB_EID, address(hub));
        assertTrue(hub.creditProcessed(A_EID, creditId));
        assertEq(hub.refusedCredit(A_EID, creditId).amount, 4e18);

        uint256 refundFee = hub.quoteRefund(A_EID, creditId, "");
        vm.expectRevert(abi.encodeWithSelector(IMarginHub.NotTheDepositOwner.selector, _acct(alice, 0), bob));
        vm.prank(bob);
        hub.refundCredit{value: refundFee}(A_EID, creditId, "");
        vm.prank(alice);
        uint64 orderId = hub.refundCredit{value: refundFee}(A_EID, creditId, "");
        verifyPackets(A_EID, address(vaultA));
        assertTrue(vaultA.processed(orderId));
        assertEq(token.balanceOf(alice), 4e18, "back to its owner");
        assertEq(vaultA.custodied(address(token)), 0);
        vm.expectRevert(abi.encodeWithSelector(IMarginHub.NoRefusedCredit.selector, A_EID, creditId));
        vm.prank(alice);
        hub.refundCredit{value: refundFee}(A_EID, creditId, "");
    }

    /// @dev Native value sent to the vault or the hub is swept by the owner alone.
    function test_stranded_nativeValueIsSweptByTheOwnerOnly() public {
        address payable to = payable(makeAddr("treasury"));
        vm.deal(address(vaultA), 1 ether);
        vm.deal(address(hub), 2 ether);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vm.prank(alice);
        vaultA.sweepNative(to);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vm.prank(alice);
        hub.sweepNative(to);

        vm.expectEmit(address(vaultA));
        emit INativeSweep.NativeSwept(to, 1 ether);
        vm.prank(admin);
        vaultA.sweepNative(to);
        vm.expectEmit(address(hub));
        emit INativeSweep.NativeSwept(to, 2 ether);
        vm.prank(admin);
        hub.sweepNative(to);
        assertEq(to.balance, 3 ether);
    }
}
