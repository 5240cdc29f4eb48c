// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import { Origin } from "@layerzerolabs/oapp-evm/contracts/oapp/OApp.sol";
import { IOAppCore } from "@layerzerolabs/oapp-evm/contracts/oapp/interfaces/IOAppCore.sol";
import { Pausable } from "@openzeppelin/contracts/utils/Pausable.sol";
import { IAccessControl } from "@openzeppelin/contracts/access/IAccessControl.sol";
import { DoubleEndedQueue } from "@openzeppelin/contracts/utils/structs/DoubleEndedQueue.sol";
import { Fixture } from "./utils/Fixture.sol";
import { FeeOnTransferToken } from "./utils/FeeOnTransferToken.sol";
import { CollateralVault } from "../src/CollateralVault.sol";
import { MarginHub } from "../src/MarginHub.sol";
import { HubSpokeOApp } from "../src/libraries/HubSpokeOApp.sol";
import { MessageCodec } from "../src/libraries/MessageCodec.sol";
import { AccountId } from "../src/libraries/AccountIdLib.sol";
import { OracleGuard } from "../src/oracle/OracleGuard.sol";
import { MarginMath } from "../src/risk/MarginMath.sol";
import { ManualAggregator } from "../src/devnet/ManualAggregator.sol";
import { AggregatorV3Interface } from "../src/interfaces/AggregatorV3Interface.sol";

/// @notice The three flows across three real LayerZero endpoints (TestHelperOz5's ULN302 with its
/// DVN and executor): deposit -> CREDIT, withdraw -> RELEASE, liquidate -> SEIZE, and how each fails.
contract FlowsTest is Fixture {
    using DoubleEndedQueue for DoubleEndedQueue.Bytes32Deque;

    // ============================================================ deposit -> CREDIT

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
        (, uint256 credited) = vaultA.deposit{ value: fee }(alice, 0, address(fot), 100e18, "");
        vm.stopPrank();
        verifyPackets(HUB_EID, address(hub));

        assertEq(credited, 99e18);
        assertEq(vaultA.custodied(address(fot)), 99e18);
        assertEq(hub.collateralOf(_acct(alice, 0), fotAsset), 99e18);
    }

    function test_deposit_revertsForUnlistedToken() public {
        vm.expectRevert(abi.encodeWithSelector(CollateralVault.TokenNotAllowed.selector, address(wethB)));
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
        vm.expectRevert(abi.encodeWithSelector(CollateralVault.CapExceeded.selector, address(wethA), 6e18, 5e18));
        vaultA.deposit{ value: 1 ether }(alice, 0, address(wethA), 2e18, "");
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

    function test_credit_forUnlistedAssetRevertsOnTheHub() public {
        // A vault lists a token the hub does not know: the CREDIT cannot be applied (and stays
        // retryable in LayerZero) rather than being silently dropped.
        FeeOnTransferToken stray = new FeeOnTransferToken(0);
        vm.prank(admin);
        vaultA.configureToken(address(stray), true, type(uint128).max);
        bytes memory credit = _message(MessageCodec.CREDIT, 1, address(stray), 1e18, address(0));
        vm.expectRevert(abi.encodeWithSignature("UnknownAsset(uint32,address)", A_EID, address(stray)));
        _receiveAsEndpoint(address(hub), HUB_EID, A_EID, address(vaultA), 1, credit);
    }

    // ============================================================ withdraw -> RELEASE

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
        hub.withdrawCash(0, 20_000e6, alice); // borrow against 10 WETH (initial value 24k)
        // 2 WETH more out would leave 8 * 3000 * 0.8 = 19.2k against 20k of debt.
        uint256 fee = hub.quoteOrder(wethAAsset, MessageCodec.RELEASE, "");
        vm.expectRevert(abi.encodeWithSelector(MarginHub.InsufficientMargin.selector, int256(-800e18), uint256(0)));
        vm.prank(alice);
        hub.withdraw{ value: fee }(0, wethAAsset, 2e18, alice, "");
        // 1 WETH is fine: 9 * 2400 = 21.6k.
        _withdraw(alice, 0, wethAAsset, 1e18, alice);
    }

    function test_withdraw_revertsMoreThanHeld() public {
        _deposit(alice, vaultA, wethA, 1e18, 0);
        vm.expectRevert(abi.encodeWithSelector(MarginHub.InsufficientCollateral.selector, 1e18, 2e18));
        vm.prank(alice);
        hub.withdraw(0, wethAAsset, 2e18, alice, "");
    }

    function test_withdraw_revertsOnStalePriceWhenItDependsOnIt() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _seedLiquidity(10_000e6);
        vm.prank(alice);
        hub.withdrawCash(0, 1000e6, alice);
        vm.warp(block.timestamp + 2 hours);
        uint256 fee = hub.quoteOrder(wethAAsset, MessageCodec.RELEASE, "");
        vm.expectRevert(abi.encodeWithSelector(OracleGuard.StalePrice.selector, ethRisk, 1_700_000_000, 1 hours));
        vm.prank(alice);
        hub.withdraw{ value: fee }(0, wethAAsset, 1e18, alice, "");
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
        vm.expectRevert(abi.encodeWithSelector(MarginHub.InsufficientLiquidity.selector, 1_000e6, 1_001e6));
        vm.prank(alice);
        hub.withdrawCash(0, 1_001e6, alice);
    }

    function test_transferCollateral_betweenSubAccountsChecksMargin() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _seedLiquidity(100_000e6);
        vm.startPrank(alice);
        hub.transferCollateral(0, 1, wethAAsset, 4e18);
        assertEq(hub.collateralOf(_acct(alice, 1), wethAAsset), 4e18);
        hub.withdrawCash(0, 14_000e6, alice); // 6 WETH * 2400 = 14.4k of initial value left in sub 0
        vm.expectRevert(abi.encodeWithSelector(MarginHub.InsufficientMargin.selector, int256(-2000e18), uint256(0)));
        hub.transferCollateral(0, 1, wethAAsset, 1e18);
        vm.stopPrank();
    }

    // ============================================================ perps through a venue

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

        // Another 230 ETH (250 in all) would need 75k of initial margin against 24k.
        vm.expectRevert(abi.encodeWithSelector(MarginHub.InsufficientMargin.selector, int256(24_000e18), uint256(75_000e18)));
        vm.prank(venue);
        hub.trade(_acct(alice, 0), _acct(bob, 0), ethPerp, 230e18, 3000e18);
    }

    function test_trade_revertsOutsidePriceBandOrForStrangers() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _depositHubUsdc(bob, 100_000e6, 0);
        vm.expectRevert(abi.encodeWithSelector(MarginHub.TradePriceOutOfBand.selector, 3200e18, 3000e18));
        vm.prank(venue);
        hub.trade(_acct(alice, 0), _acct(bob, 0), ethPerp, 1e18, 3200e18);

        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, hub.VENUE_ROLE())
        );
        vm.prank(alice);
        hub.trade(_acct(alice, 0), _acct(bob, 0), ethPerp, 1e18, 3000e18);
    }

    // ============================================================ liquidate -> SEIZE

    function test_liquidate_seizesOnTheCollateralChainAndRestoresHealth() public {
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        _setEthPrice(2300e8); // maintenance equity: 10 * 2300 * 0.85 - 20000 = -450
        assertEq(_health(a), 0);

        (uint256 repaid, uint256 seized) = _liquidate(a, wethAAsset, 20_000e6);
        // Only what restores health: 450 / (1 - 1.05 * 0.85) = 4186.046511.. -> 4186.046512 USDC.
        assertEq(repaid, 4186_046512);
        assertEq(seized, repaid * 1e12 * 105 / 100 * 1e18 / 2300e18, "repay * (1 + bonus) at the oracle price");
        assertEq(hub.collateralOf(a, wethAAsset), 10e18 - seized);
        assertGe(_health(a), 1e18, "healthy again");
        assertEq(wethA.balanceOf(keeper), 0, "paid on chain A once the SEIZE arrives");

        verifyPackets(A_EID, address(vaultA));
        assertEq(wethA.balanceOf(keeper), seized);
        assertEq(vaultA.custodied(address(wethA)), 10e18 - seized);
    }

    function test_liquidate_partialWithCloseFactorAboveFullCloseHealth() public {
        // 100 WETH, 200k borrowed, long 10 ETH: health between 0.95 and 1 at $2433.70.
        AccountId a = _borrowedAgainstWeth(100e18, 200_000e6);
        _depositHubUsdc(bob, 1_000_000e6, 0);
        vm.prank(venue);
        hub.trade(a, _acct(bob, 0), ethPerp, 10e18, 3000e18);
        _setEthPrice(2433.7e8);
        uint256 h = _health(a);
        assertLt(h, 1e18);
        assertGt(h, 0.95e18);

        vm.prank(admin);
        engine.setAssetRisk(wethAAsset, 0.2e18, 0.15e18, 0.2e18); // 1.2 * 0.85 > 1: seizing cannot lift health
        (uint256 repaid,) = _liquidate(a, wethAAsset, 1_000_000e6);
        assertEq(repaid, 115_000e6, "half the 230k debt: the close factor");
    }

    function test_liquidate_revertsForAssetTheAccountDoesNotHold() public {
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        _setEthPrice(2000e8);
        vm.expectRevert(abi.encodeWithSelector(MarginHub.NoCollateral.selector, wethBAsset));
        vm.prank(keeper);
        hub.liquidate(a, wethBAsset, 1000e6, keeper, "");
    }

    function test_liquidate_revertsForHealthyAccount() public {
        AccountId a = _borrowedAgainstWeth(10e18, 10_000e6);
        uint256 h = _health(a);
        usdc.mint(keeper, 1000e6);
        vm.startPrank(keeper);
        usdc.approve(address(hub), 1000e6);
        vm.expectRevert(abi.encodeWithSelector(MarginHub.AccountHealthy.selector, h));
        hub.liquidate{ value: 1 ether }(a, wethAAsset, 1000e6, keeper, "");
        vm.stopPrank();
    }

    function test_liquidate_revertsOnStalePrice() public {
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        vm.prank(admin);
        ethFeed.setAnswerAt(2000e8, block.timestamp);
        vm.warp(block.timestamp + 1 hours + 1);
        vm.expectRevert(abi.encodeWithSelector(OracleGuard.StalePrice.selector, ethRisk, block.timestamp - 1 hours - 1, 1 hours));
        vm.prank(keeper);
        hub.liquidate(a, wethAAsset, 1000e6, keeper, "");
    }

    function test_liquidate_revertsOnOutOfBoundsOrNonPositivePrice() public {
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        _setEthPrice(0);
        vm.expectRevert(abi.encodeWithSelector(OracleGuard.NonPositivePrice.selector, ethRisk, int256(0)));
        vm.prank(keeper);
        hub.liquidate(a, wethAAsset, 1000e6, keeper, "");

        _setEthPrice(0.5e8); // $0.50: below the $1 floor configured for ETH
        vm.expectRevert(abi.encodeWithSelector(OracleGuard.PriceOutOfBounds.selector, ethRisk, 0.5e18, 1e18, 1_000_000e18));
        vm.prank(keeper);
        hub.liquidate(a, wethAAsset, 1000e6, keeper, "");
    }

    function test_liquidate_waitsForSequencerGracePeriod() public {
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        _setEthPrice(2000e8);
        vm.startPrank(admin);
        ManualAggregator sequencer = new ManualAggregator(0, 1); // 1 = down
        engine.setSequencerFeed(AggregatorV3Interface(address(sequencer)), 1 hours);
        vm.stopPrank();
        vm.expectRevert(OracleGuard.SequencerDown.selector);
        vm.prank(keeper);
        hub.liquidate(a, wethAAsset, 1000e6, keeper, "");

        vm.prank(admin);
        sequencer.setAnswer(0); // back up just now
        vm.expectRevert(abi.encodeWithSelector(OracleGuard.SequencerGracePeriodNotOver.selector, block.timestamp, 1 hours));
        vm.prank(keeper);
        hub.liquidate(a, wethAAsset, 1000e6, keeper, "");

        vm.warp(block.timestamp + 1 hours);
        _refreshFeeds();
        (uint256 repaid,) = _liquidate(a, wethAAsset, 1000e6);
        assertEq(repaid, 1000e6);
    }

    function test_liquidate_isolatedSubAccountLeavesTheOthersAlone() public {
        _deposit(alice, vaultA, wethA, 10e18, 0); // cross pool, no debt
        AccountId isolated = _acct(alice, 1);
        _deposit(alice, vaultB, wethB, 10e18, 1);
        _seedLiquidity(100_000e6);
        vm.prank(alice);
        hub.withdrawCash(1, 20_000e6, alice);
        _setEthPrice(2000e8);

        _liquidate(isolated, wethBAsset, 100_000e6);
        assertEq(hub.collateralOf(_acct(alice, 0), wethAAsset), 10e18, "cross pool untouched");
        assertEq(hub.accountState(_acct(alice, 0)).cash, 0);
        vm.expectRevert(abi.encodeWithSelector(MarginHub.AccountHealthy.selector, type(uint256).max));
        vm.prank(keeper);
        hub.liquidate(_acct(alice, 0), wethAAsset, 1, keeper, "");
    }

    function test_liquidatePosition_thenCollateral_badDebtHitsInsuranceFirst() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _depositHubUsdc(bob, 1_000_000e6, 0);
        _depositHubUsdc(keeper, 1_000_000e6, 0);
        _fundInsurance(1000e6);
        vm.prank(venue);
        hub.trade(_acct(alice, 0), _acct(bob, 0), ethPerp, 20e18, 3000e18);
        _setEthPrice(2000e8); // alice: 17k of collateral against a 20k loss

        vm.prank(keeper);
        uint256 taken = hub.liquidatePosition(_acct(alice, 0), ethPerp, type(uint256).max, 0);
        assertEq(taken, 20e18, "health 0 is below fullCloseHealth: all of it");
        assertEq(hub.positionOf(_acct(keeper, 0), ethPerp), 20e18, "the keeper holds it now");
        // penalty 2% of 40k = 800: 400 to the keeper, 400 to the insurance fund.
        assertEq(hub.accountState(_acct(alice, 0)).cash, -20_800e18);
        assertEq(hub.insuranceFund(), 1400e18);

        (uint256 repaid, uint256 seized) = _liquidate(_acct(alice, 0), wethAAsset, 1_000_000e6);
        assertEq(seized, 10e18, "all of it");
        assertEq(repaid, 19_047_619048, "20k of WETH / 1.05, rounded up");
        // Shortfall 20800 - 19047.619048 = 1752.380952: insurance covers 1400, the rest is socialised.
        assertEq(hub.accountState(_acct(alice, 0)).cash, 0);
        assertEq(hub.insuranceFund(), 0);
        assertEq(hub.badDebt(), 352.380952e18);
        _assertCashBalances();
    }

    function test_liquidatePosition_revertsForHealthyAccountOrSelf() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _depositHubUsdc(bob, 1_000_000e6, 0);
        vm.prank(venue);
        hub.trade(_acct(alice, 0), _acct(bob, 0), ethPerp, 1e18, 3000e18);
        vm.expectRevert(MarginHub.SameAccount.selector);
        vm.prank(alice);
        hub.liquidatePosition(_acct(alice, 0), ethPerp, 1e18, 0);
        uint256 h = _health(_acct(alice, 0));
        vm.expectRevert(abi.encodeWithSelector(MarginHub.AccountHealthy.selector, h));
        vm.prank(keeper);
        hub.liquidatePosition(_acct(alice, 0), ethPerp, 1e18, 0);
    }

    // ============================================================ messages and peers

    function test_nonPeerSenderIsRefused() public {
        bytes memory release = _message(MessageCodec.RELEASE, 1, address(wethA), 1e18, alice);
        vm.expectRevert(abi.encodeWithSelector(IOAppCore.OnlyPeer.selector, HUB_EID, addressToBytes32(alice)));
        _receiveAsEndpoint(address(vaultA), A_EID, HUB_EID, alice, 1, release);

        vm.expectRevert(abi.encodeWithSelector(HubSpokeOApp.NotLocalPeer.selector, admin));
        vm.prank(admin);
        hubVault.receiveLocal(release);
    }

    function test_replayedMessageIsRefused() public {
        _deposit(alice, vaultA, wethA, 5e18, 0);
        // The same CREDIT id again, as a second LayerZero packet from the real peer.
        bytes memory credit = _message(MessageCodec.CREDIT, 1, address(wethA), 5e18, address(0));
        vm.expectRevert(abi.encodeWithSelector(MarginHub.CreditAlreadyProcessed.selector, A_EID, 1));
        _receiveAsEndpoint(address(hub), HUB_EID, A_EID, address(vaultA), 2, credit);

        _withdraw(alice, 0, wethAAsset, 1e18, alice);
        verifyPackets(A_EID, address(vaultA));
        bytes memory release = _message(MessageCodec.RELEASE, 1, address(wethA), 1e18, alice);
        vm.expectRevert(abi.encodeWithSelector(CollateralVault.MessageAlreadyProcessed.selector, 1));
        _receiveAsEndpoint(address(vaultA), A_EID, HUB_EID, address(hub), 2, release);
    }

    function test_unknownOrMisdirectedMessageIsRefused() public {
        bytes memory bad = _message(MessageCodec.CREDIT, 1, address(wethA), 1e18, address(0));
        bad[1] = bytes1(uint8(9));
        vm.expectRevert(abi.encodeWithSelector(MessageCodec.UnknownMessageType.selector, 9));
        _receiveAsEndpoint(address(hub), HUB_EID, A_EID, address(vaultA), 1, bad);

        bytes memory releaseToHub = _message(MessageCodec.RELEASE, 1, address(wethA), 1e18, alice);
        vm.expectRevert(abi.encodeWithSelector(MarginHub.UnexpectedMessageType.selector, MessageCodec.RELEASE));
        _receiveAsEndpoint(address(hub), HUB_EID, A_EID, address(vaultA), 1, releaseToHub);

        bytes memory creditToVault = _message(MessageCodec.CREDIT, 1, address(wethA), 1e18, address(0));
        vm.expectRevert(abi.encodeWithSelector(CollateralVault.UnexpectedMessageType.selector, MessageCodec.CREDIT));
        _receiveAsEndpoint(address(vaultA), A_EID, HUB_EID, address(hub), 1, creditToVault);

        bytes memory v2 = _message(MessageCodec.CREDIT, 1, address(wethA), 1e18, address(0));
        v2[0] = bytes1(uint8(2));
        vm.expectRevert(abi.encodeWithSelector(MessageCodec.UnsupportedVersion.selector, 2));
        _receiveAsEndpoint(address(hub), HUB_EID, A_EID, address(vaultA), 1, v2);
    }

    function test_peersAreSetOnceAndVaultsOnlyHearTheHub() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(HubSpokeOApp.PeerAlreadySet.selector, A_EID));
        hub.setPeer(A_EID, addressToBytes32(alice));
        vm.expectRevert(abi.encodeWithSelector(HubSpokeOApp.PeerAlreadySet.selector, HUB_EID));
        vaultA.setPeer(HUB_EID, addressToBytes32(alice));
        vm.expectRevert(abi.encodeWithSelector(CollateralVault.NotHubEid.selector, B_EID));
        vaultA.setPeer(B_EID, addressToBytes32(alice));
        vm.stopPrank();
    }

    function test_vaultRefusesOrderThatExceedsCustody() public {
        _deposit(alice, vaultA, wethA, 1e18, 0);
        bytes memory release = _message(MessageCodec.RELEASE, 99, address(wethA), 2e18, alice);
        vm.expectRevert(abi.encodeWithSelector(CollateralVault.InsufficientCustody.selector, address(wethA), 1e18, 2e18));
        _receiveAsEndpoint(address(vaultA), A_EID, HUB_EID, address(hub), 1, release);
    }

    // ============================================================ gas (recorded in snapshots/)

    function test_gas_flows() public {
        wethA.mint(alice, 20e18);
        vm.startPrank(alice);
        wethA.approve(address(vaultA), 20e18);
        uint256 fee = vaultA.quoteDeposit(alice, 0, address(wethA), 10e18, "");
        vaultA.deposit{ value: fee }(alice, 0, address(wethA), 10e18, "");
        vm.snapshotGasLastCall("flows", "deposit (spoke, sends CREDIT)");
        vm.stopPrank();
        _deliverWithGas(HUB_EID, address(hub), "credit delivery (hub lzReceive)");

        _seedLiquidity(100_000e6);
        vm.prank(alice);
        hub.withdrawCash(0, 20_000e6, alice);
        fee = hub.quoteOrder(wethAAsset, MessageCodec.RELEASE, "");
        vm.prank(alice);
        hub.withdraw{ value: fee }(0, wethAAsset, 0.1e18, alice, "");
        vm.snapshotGasLastCall("flows", "withdraw request (hub, sends RELEASE)");
        _deliverWithGas(A_EID, address(vaultA), "release delivery (vault lzReceive)");

        _setEthPrice(2300e8);
        usdc.mint(keeper, 100_000e6);
        vm.startPrank(keeper);
        usdc.approve(address(hub), 100_000e6);
        fee = hub.quoteOrder(wethAAsset, MessageCodec.SEIZE, "");
        hub.liquidate{ value: fee }(_acct(alice, 0), wethAAsset, 100_000e6, keeper, "");
        vm.snapshotGasLastCall("flows", "liquidate (hub, sends SEIZE)");
        vm.stopPrank();
        _deliverWithGas(A_EID, address(vaultA), "seize delivery (vault lzReceive)");
        assertGt(wethA.balanceOf(keeper), 0);
    }

    // ============================================================ helpers

    /// @dev Delivers the oldest packet for `receiver` the way `verifyPackets` does, but records the
    /// gas of the destination `lzReceive` alone (the DVN and executor mocks' own work excluded).
    function _deliverWithGas(uint32 eid, address receiver, string memory name) internal {
        bytes32 guid = packetsQueue[eid][addressToBytes32(receiver)].popBack();
        bytes memory packet = packets[guid];
        this.validatePacket(packet, "");
        this.lzReceive(packet, optionsLookup[guid]);
        vm.snapshotGasLastCall("flows", name);
    }

    function _borrowedAgainstWeth(uint256 weth, uint256 borrowTokens) internal returns (AccountId) {
        _deposit(alice, vaultA, wethA, weth, 0);
        _seedLiquidity(1_000_000e6);
        vm.prank(alice);
        hub.withdrawCash(0, borrowTokens, alice);
        return _acct(alice, 0);
    }

    function _depositHubUsdc(address user, uint256 amount, uint32 sub) internal {
        usdc.mint(user, amount);
        vm.startPrank(user);
        usdc.approve(address(hubVault), amount);
        hubVault.deposit(user, sub, address(usdc), amount, "");
        vm.stopPrank();
    }

    function _fundInsurance(uint256 tokens) internal {
        usdc.mint(admin, tokens);
        vm.startPrank(admin);
        usdc.approve(address(hub), tokens);
        hub.fundInsurance(tokens);
        vm.stopPrank();
    }

    function _assertCashBalances() internal view {
        assertEq(
            hub.totalCash() + int256(hub.insuranceFund()) - int256(hub.badDebt()),
            int256(hub.settlementHeld() * hub.settlementScale())
        );
        assertLe(hub.settlementHeld(), usdc.balanceOf(address(hub)));
    }

    function _message(uint8 msgType, uint64 id, address token, uint256 amount, address recipient)
        internal
        view
        returns (bytes memory)
    {
        return MessageCodec.encode(
            MessageCodec.Message({
                msgType: msgType, id: id, account: alice, subAccount: 0, token: token, amount: amount, recipient: recipient
            })
        );
    }

    /// @dev Calls `oapp.lzReceive` as its endpoint would, with any sender and nonce: how a forged or
    /// replayed packet would arrive if a DVN were compromised.
    function _receiveAsEndpoint(address oapp, uint32 dstEid, uint32 srcEid, address sender, uint64 nonce, bytes memory message)
        internal
    {
        vm.prank(endpoints[dstEid]);
        HubSpokeOApp(oapp).lzReceive(Origin(srcEid, addressToBytes32(sender), nonce), bytes32(uint256(nonce)), message, address(0), "");
    }
}

