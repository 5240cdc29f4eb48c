// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {FeeOnTransferToken} from "../utils/FeeOnTransferToken.sol";
import {MessageCodec} from "../../src/libraries/MessageCodec.sol";
import {MarginMath} from "../../src/risk/MarginMath.sol";
import {ICollateralVault} from "../../src/interfaces/ICollateralVault.sol";
import {IMarginHub} from "../../src/interfaces/IMarginHub.sol";
import {FlowHelpers} from "./FlowHelpers.sol";

/// @notice deposit -> CREDIT: a deposit counts once the hub has the credit, on any chain and
/// sub-account, and how it fails.
abstract contract DepositFlows is FlowHelpers {
    function test_deposit_countsOnlyOnceTheHubHasTheCredit() public {
        _depositNoDeliver(alice, vaultA, wethA, 10e18, 0);
        assertEq(wethA.balanceOf(address(vaultA)), 10e18, "vault holds the tokens");
        assertEq(vaultA.custodied(address(wethA)), 10e18);
        assertEq(hub.collateralOf(_acct(alice, 0), wethAAsset), 0, "not counted in flight");

        verifyPackets(HUB_EID, address(hub));
        assertEq(hub.collateralOf(_acct(alice, 0), wethAAsset), 10e18);
        assertEq(hub.totalCollateral(wethAAsset), 10e18);
        assertTrue(hub.creditProcessed(A_EID, 1));
    }

    function test_deposit_onBothSpokesIsOneAccount() public {
        _deposit(alice, vaultA, wethA, 1e18, 0);
        _deposit(alice, vaultB, wethB, 2e18, 0);
        MarginMath.Figures memory f = hub.accountFigures(_acct(alice, 0));
        // 3 WETH at $3000 less the 15% maintenance haircut, across both chains.
        assertEq(f.maintenanceEquity, 7650e18);
        assertEq(f.initialEquity, 7200e18);
    }

    function test_deposit_onHubChainIsCreditedAtOnce() public {
        usdc.mint(alice, 500e6);
        vm.startPrank(alice);
        usdc.approve(address(hubVault), 500e6);
        assertEq(hubVault.quoteDeposit(alice, 0, address(usdc), 500e6, ""), 0, "no LayerZero fee on the hub chain");
        hubVault.deposit(alice, 0, address(usdc), 500e6, "");
        vm.stopPrank();
        assertEq(hub.collateralOf(_acct(alice, 0), usdcAsset), 500e6);
    }

    function test_deposit_intoIsolatedSubAccount() public {
        _deposit(alice, vaultA, wethA, 1e18, 7);
        assertEq(hub.collateralOf(_acct(alice, 7), wethAAsset), 1e18);
        assertEq(hub.collateralOf(_acct(alice, 0), wethAAsset), 0);
    }

    function test_deposit_feeOnTransferTokenCreditsWhatArrived() public {
        FeeOnTransferToken fot = new FeeOnTransferToken(100); // 1% fee
        vm.prank(admin);
        vaultA.configureToken(address(fot), true, type(uint128).max);
        vm.prank(admin);
        uint16 fotAsset = engine.listAsset(A_EID, address(fot), 18, ethRisk);

        fot.mint(alice, 100e18);
        vm.startPrank(alice);
        fot.approve(address(vaultA), 100e18);
        uint256 fee = vaultA.quoteDeposit(alice, 0, address(fot), 100e18, "");
        (, uint256 credited) = vaultA.deposit{value: fee}(alice, 0, address(fot), 100e18, "");
        vm.stopPrank();
        verifyPackets(HUB_EID, address(hub));

        assertEq(credited, 99e18);
        assertEq(vaultA.custodied(address(fot)), 99e18);
        assertEq(hub.collateralOf(_acct(alice, 0), fotAsset), 99e18);
    }

    function test_deposit_revertsForUnlistedToken() public {
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.TokenNotAllowed.selector, address(wethB)));
        vm.prank(alice);
        vaultA.deposit(alice, 0, address(wethB), 1e18, "");
    }

    function test_deposit_revertsAboveCap() public {
        vm.prank(admin);
        vaultA.configureToken(address(wethA), true, 5e18);
        _deposit(alice, vaultA, wethA, 4e18, 0);
        wethA.mint(alice, 2e18);
        vm.startPrank(alice);
        wethA.approve(address(vaultA), 2e18);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.CapExceeded.selector, address(wethA), 6e18, 5e18));
        vaultA.deposit{value: 1 ether}(alice, 0, address(wethA), 2e18, "");
        vm.stopPrank();
    }

    function test_deposit_revertsWhilePaused() public {
        vm.prank(admin);
        vaultA.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        vm.prank(alice);
        vaultA.deposit(alice, 0, address(wethA), 1e18, "");
    }

    function test_deposit_revertsWithoutTheLayerZeroFee() public {
        wethA.mint(alice, 1e18);
        vm.startPrank(alice);
        wethA.approve(address(vaultA), 1e18);
        vm.expectRevert();
        vaultA.deposit(alice, 0, address(wethA), 1e18, "");
        vm.stopPrank();
    }

    function test_credit_forUnlistedAssetIsRefusedAndKeptForItsOwner() public {
        // A vault lists a token the hub does not know: the CREDIT counts for nothing and is kept
        // for its owner's refund (StrandedFundsFlows), rather than failing for ever.
        FeeOnTransferToken stray = new FeeOnTransferToken(0);
        vm.prank(admin);
        vaultA.configureToken(address(stray), true, type(uint128).max);
        bytes memory credit = _message(MessageCodec.CREDIT, 1, address(stray), 1e18, address(0));
        vm.expectEmit(address(hub));
        emit IMarginHub.CreditRefused(_acct(alice, 0), A_EID, 1, address(stray), 1e18);
        _receiveAsEndpoint(address(hub), HUB_EID, A_EID, address(vaultA), 1, credit);
        assertEq(hub.accountState(_acct(alice, 0)).assets, 0, "not counted");
        assertEq(hub.refusedCredit(A_EID, 1).amount, 1e18);
    }
}
