// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {UnexpectedMessageType} from "../src/libraries/Errors.sol";
import {Origin} from "@layerzerolabs/oapp-evm/contracts/oapp/OApp.sol";
import {IOAppCore} from "@layerzerolabs/oapp-evm/contracts/oapp/interfaces/IOAppCore.sol";
import {
    ILayerZeroEndpointV2,
    MessagingParams
} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {DoubleEndedQueue} from "@openzeppelin/contracts/utils/structs/DoubleEndedQueue.sol";
import {PacketV1Codec} from "@layerzerolabs/lz-evm-protocol-v2/contracts/messagelib/libs/PacketV1Codec.sol";
import {Fixture} from "./utils/Fixture.sol";
import {FeeOnTransferToken} from "./utils/FeeOnTransferToken.sol";
import {HubSpokeOApp} from "../src/oapp/HubSpokeOApp.sol";
import {MessageCodec} from "../src/libraries/MessageCodec.sol";
import {AccountId} from "../src/libraries/AccountIdLib.sol";
import {MarginMath} from "../src/risk/MarginMath.sol";
import {PortfolioMargin} from "../src/risk/PortfolioMargin.sol";
import {AccountIdLib} from "../src/libraries/AccountIdLib.sol";
import {ManualAggregator} from "../src/devnet/ManualAggregator.sol";
import {AggregatorV3Interface} from "../src/interfaces/AggregatorV3Interface.sol";
import {ICollateralVault} from "../src/interfaces/ICollateralVault.sol";
import {IMarginHub} from "../src/interfaces/IMarginHub.sol";
import {Vm} from "forge-std/Vm.sol";
import {IOracleGuard} from "../src/interfaces/IOracleGuard.sol";
import {IRiskConfig} from "../src/interfaces/IRiskConfig.sol";
import {IRiskEngine} from "../src/interfaces/IRiskEngine.sol";

/// @notice The three flows across three real LayerZero endpoints (TestHelperOz5's ULN302 with its
/// DVN and executor): deposit -> CREDIT, withdraw -> RELEASE, liquidate -> SEIZE, and how each fails.
contract FlowsTest is Fixture {
    using DoubleEndedQueue for DoubleEndedQueue.Bytes32Deque;
    using PacketV1Codec for bytes;

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
        hub.withdrawCash(0, 18_000e6, alice); // borrow against 10 WETH (initial value 24k)
        // 2 WETH out would leave 8 * 3000 * 0.8 = 19.2k, equity 1.2k, against an initial
        // requirement of 19.2k * 10% (the ETH collateral's loss in the initial grid's -10% move).
        uint256 fee = hub.quoteOrder(wethAAsset, MessageCodec.RELEASE, "");
        vm.expectRevert(
            abi.encodeWithSelector(IMarginHub.InsufficientMargin.selector, int256(1200e18), uint256(1920e18))
        );
        vm.prank(alice);
        hub.withdraw{value: fee}(0, wethAAsset, 2e18, alice, "");
        // 1 WETH is fine: 9 * 2400 = 21.6k, equity 3.6k against 2.16k.
        _withdraw(alice, 0, wethAAsset, 1e18, alice);
    }

    function test_withdraw_revertsMoreThanHeld() public {
        _deposit(alice, vaultA, wethA, 1e18, 0);
        vm.expectRevert(abi.encodeWithSelector(IMarginHub.InsufficientCollateral.selector, 1e18, 2e18));
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
        vm.expectRevert(abi.encodeWithSelector(IOracleGuard.StalePrice.selector, ethRisk, 1_700_000_000, 1 hours));
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
        vm.expectRevert(abi.encodeWithSelector(IMarginHub.InsufficientLiquidity.selector, 1_000e6, 1_001e6));
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
        vm.expectRevert(abi.encodeWithSelector(IMarginHub.InsufficientMargin.selector, int256(0), uint256(1200e18)));
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

        // Another 230 ETH (250 in all): the -10% move loses 10% of 250 ETH of perps and of the 8
        // ETH the collateral counts for initially, 77.4k, against 24k of equity.
        vm.expectRevert(
            abi.encodeWithSelector(IMarginHub.InsufficientMargin.selector, int256(24_000e18), uint256(77_400e18))
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
        IMarginHub.AccountHoldings[] memory h = hub.holdingsOf(ids);
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
        vm.expectRevert(abi.encodeWithSelector(IMarginHub.TradePriceOutOfBand.selector, 3200e18, 3000e18));
        vm.prank(venue);
        hub.trade(_acct(alice, 0), _acct(bob, 0), ethPerp, 1e18, 3200e18);

        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, hub.VENUE_ROLE())
        );
        vm.prank(alice);
        hub.trade(_acct(alice, 0), _acct(bob, 0), ethPerp, 1e18, 3000e18);
    }

    // ============================================================ European options

    function _listEthCall(uint128 strike, uint64 expiresIn) internal returns (uint16 id) {
        vm.prank(admin);
        id = engine.listMarket(
            ethRisk, IRiskConfig.MarketKind.Call, strike, uint64(block.timestamp) + expiresIn, 0.01e18
        );
    }

    /// @dev Bob (USDC on the hub) buys `size` of a 30-day $3,300 ETH call that alice (10 WETH)
    /// writes, at the model mark.
    function _bobBuysCallsFromAlice(uint256 size) internal returns (uint16 call) {
        call = _listEthCall(3300e18, 30 days);
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _depositHubUsdc(bob, 100_000e6, 0);
        uint256 mark = engine.markPrice(call);
        vm.prank(venue);
        hub.trade(_acct(bob, 0), _acct(alice, 0), call, size, mark);
    }

    function test_option_listingNeedsAVolatilityFeedAndAFutureExpiry() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.NoVolatilityFeed.selector, btcRisk));
        engine.listMarket(btcRisk, IRiskConfig.MarketKind.Put, 50_000e18, uint64(block.timestamp + 1 days), 0.01e18);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRiskConfig.InvalidMarketTerms.selector, IRiskConfig.MarketKind.Call, 3000e18, uint64(block.timestamp)
            )
        );
        engine.listMarket(ethRisk, IRiskConfig.MarketKind.Call, 3000e18, uint64(block.timestamp), 0.01e18);
        vm.expectRevert(
            abi.encodeWithSelector(IRiskConfig.InvalidMarketTerms.selector, IRiskConfig.MarketKind.Perp, 3000e18, 0)
        );
        engine.listMarket(ethRisk, IRiskConfig.MarketKind.Perp, 3000e18, 0, 0.01e18);
        vm.stopPrank();
    }

    /// @dev The hub's figures for a covered call writer are PortfolioMargin's on the same inputs:
    /// the engine's only job is to gather them (prices, volatility, time to expiry) correctly.
    function test_option_coveredCallIsMarginedByTheScenarioModel() public {
        uint16 call = _listEthCall(3300e18, 30 days);
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _depositHubUsdc(bob, 100_000e6, 0);
        uint256 mark = engine.markPrice(call);
        assertGt(mark, 100e18);
        assertLt(mark, 300e18); // 30-day 10% OTM call at 80% vol: about $190
        vm.prank(venue);
        hub.trade(_acct(bob, 0), _acct(alice, 0), call, 5e18, mark);

        PortfolioMargin.Underlying[] memory u = new PortfolioMargin.Underlying[](1);
        u[0] = PortfolioMargin.Underlying(
            3000e18, 0.8e18, PortfolioMargin.RiskParams(0.05e18, 0.25e18, 2e18, 0.35e18, 2e18, 0.01e18)
        );
        PortfolioMargin.Collateral[] memory c = new PortfolioMargin.Collateral[](1);
        c[0] = PortfolioMargin.Collateral(0, 10e18, 18, 0.2e18, 0.15e18);
        PortfolioMargin.Position[] memory p = new PortfolioMargin.Position[](1);
        p[0] = PortfolioMargin.Position(
            0, PortfolioMargin.CALL, -5e18, 3300e18, int256(uint256(30 days) * 1e18 / 365 days)
        );
        // forge-lint: disable-next-line(unsafe-typecast) an option mark is far below 2^255
        int256 premium = int256(5e18 * mark / 1e18);
        PortfolioMargin.Result memory expected =
            PortfolioMargin.compute(premium, u, c, p, new PortfolioMargin.PairOffset[](0));

        MarginMath.Figures memory f = hub.accountFigures(_acct(alice, 0));
        assertEq(f.maintenanceEquity, expected.maintenanceEquity);
        assertEq(f.maintenanceRequirement, uint256(expected.maintenanceRequirement));
        assertEq(f.initialRequirement, uint256(expected.initialRequirement));
        IRiskEngine.Risk memory r = hub.accountRisk(_acct(alice, 0));
        assertEq(r.riskAssets.length, 1);
        assertEq(r.riskAssets[0], ethRisk);
        assertEq(r.delta[0], expected.delta[0]);
        assertLt(r.delta[0], 10e18, "the short calls offset part of the ETH held");
        assertLt(r.vega[0], 0, "short options: short volatility");
        // Covered: the calls lose in the up moves the collateral gains in, so the requirement is
        // below that of the collateral alone with the same debt-free premium.
        assertGt(_health(_acct(alice, 0)), 1e18);
    }

    function test_option_tradePriceBandIsAShareOfSpot() public {
        uint16 call = _listEthCall(3300e18, 30 days);
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _depositHubUsdc(bob, 100_000e6, 0);
        uint256 mark = engine.markPrice(call);
        // 1% of the $3000 spot either side of the model premium.
        vm.expectRevert(abi.encodeWithSelector(IMarginHub.TradePriceOutOfBand.selector, mark + 30e18 + 1, mark));
        vm.prank(venue);
        hub.trade(_acct(bob, 0), _acct(alice, 0), call, 1e18, mark + 30e18 + 1);
        vm.prank(venue);
        hub.trade(_acct(bob, 0), _acct(alice, 0), call, 1e18, mark + 30e18);
    }

    function test_option_settlesAtExpiryAgainstTheClearingAccount() public {
        uint16 call = _bobBuysCallsFromAlice(5e18);
        vm.expectRevert(
            abi.encodeWithSelector(IRiskConfig.NotExpired.selector, call, uint64(block.timestamp + 30 days))
        );
        hub.settleExpired(_acct(bob, 0), call);

        vm.warp(block.timestamp + 30 days);
        _refreshFeeds();
        _setEthPrice(3500e8);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.MarketExpired.selector, call));
        vm.prank(venue);
        hub.trade(_acct(bob, 0), _acct(alice, 0), call, 1e18, 200e18);

        int256 bobCash = hub.accountState(_acct(bob, 0)).cash;
        int256 totalBefore = hub.totalCash();
        assertEq(hub.settleExpired(_acct(bob, 0), call), 1000e18, "5 calls x (3500 - 3300)");
        _setEthPrice(3000e8); // later prices do not move the settlement
        assertEq(hub.settleExpired(_acct(alice, 0), call), -1000e18);
        assertEq(hub.accountState(_acct(bob, 0)).cash, bobCash + 1000e18);
        assertEq(hub.positionOf(_acct(bob, 0), call), 0);
        assertEq(hub.positionOf(AccountIdLib.toAccountId(address(hub), call), call), 0, "clearing account flat again");
        assertEq(hub.totalCash(), totalBefore, "settlement moves cash between accounts only");
        assertEq(engine.market(call).settlementPrice, 3500e18);
        vm.expectRevert(IMarginHub.NoPosition.selector);
        hub.settleExpired(_acct(alice, 0), call);
    }

    /// @dev Settling changes neither side's figures by a wei: the hub rounds a long's payoff down
    /// and a short's liability up, as the model counts a settled option (5 calls and a wei, at a
    /// settlement of $3,500.50: 1,002.5 USD and 200.5 wei).
    function test_option_settlementRoundsAsTheModelInTheProtocolsFavour() public {
        uint16 call = _bobBuysCallsFromAlice(5e18 + 1);
        vm.warp(block.timestamp + 30 days);
        _refreshFeeds();
        _setEthPrice(3500.5e8);
        engine.fixSettlementPrice(call);
        MarginMath.Figures memory longBefore = hub.accountFigures(_acct(bob, 0));
        MarginMath.Figures memory shortBefore = hub.accountFigures(_acct(alice, 0));
        int256 totalBefore = hub.totalCash();
        assertEq(hub.settleExpired(_acct(bob, 0), call), 1002.5e18 + 200, "the long's payoff rounds down");
        assertEq(hub.settleExpired(_acct(alice, 0), call), -1002.5e18 - 201, "the short's liability rounds up");
        assertEq(abi.encode(hub.accountFigures(_acct(bob, 0))), abi.encode(longBefore), "the long's figures unchanged");
        assertEq(
            abi.encode(hub.accountFigures(_acct(alice, 0))), abi.encode(shortBefore), "the short's figures unchanged"
        );
        assertEq(
            hub.accountState(AccountIdLib.toAccountId(address(hub), call)).cash, 1, "the clearing account keeps the wei"
        );
        assertEq(hub.totalCash(), totalBefore);
    }

    /// @dev A short call written against USDC becomes liquidatable when ETH and its volatility
    /// jump; the keeper takes the position over at the model premium.
    function test_option_shortCallIsLiquidatedAfterAJump() public {
        uint16 call = _listEthCall(3300e18, 30 days);
        _depositHubUsdc(alice, 3_000e6, 0);
        _depositHubUsdc(bob, 100_000e6, 0);
        _depositHubUsdc(keeper, 100_000e6, 0);
        uint256 mark = engine.markPrice(call);
        vm.prank(venue);
        hub.trade(_acct(bob, 0), _acct(alice, 0), call, 5e18, mark);
        assertGe(_health(_acct(alice, 0)), 1e18);

        _setEthPrice(4000e8);
        vm.prank(admin);
        ethVolFeed.setAnswer(1.5e8);
        assertLt(_health(_acct(alice, 0)), 1e18);
        vm.prank(keeper);
        uint256 taken = hub.liquidatePosition(_acct(alice, 0), call, 5e18, 0);
        assertGt(taken, 0);
        // forge-lint: disable-next-line(unsafe-typecast) taken is at most a 5-call position
        assertEq(hub.positionOf(_acct(keeper, 0), call), -int256(taken));
    }

    /// @dev Gas of the hub's margin checks (gather holdings, guarded prices and volatility, run the
    /// scenario model) for 1, 5 and 20 positions with 3 collateral lines on 2 chains: the full
    /// figures (both grids: what a withdrawal or a trade that adds risk checks) and health (the
    /// maintenance grid only: what a liquidation checks); recorded in snapshots/hub-margin.json.
    function test_gas_marginCheckByPortfolioSize() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _deposit(alice, vaultB, wethB, 5e18, 0);
        _deposit(alice, vaultB, wbtcB, 1e8, 0);
        _depositHubUsdc(bob, 1_000_000e6, 0);
        uint16[] memory markets = new uint16[](20);
        markets[0] = ethPerp;
        for (uint256 i = 1; i < 20; ++i) {
            vm.prank(admin);
            markets[i] = engine.listMarket(
                ethRisk,
                i % 2 == 0 ? IRiskConfig.MarketKind.Call : IRiskConfig.MarketKind.Put,
                // forge-lint: disable-next-line(unsafe-typecast) i < 20
                uint128(2400e18 + 100e18 * i),
                // forge-lint: disable-next-line(unsafe-typecast) i < 20
                uint64(block.timestamp + 7 days * i),
                0.05e18
            );
        }
        uint256 n;
        uint256[3] memory sizes = [uint256(1), 5, 20];
        for (uint256 s; s < sizes.length; ++s) {
            for (; n < sizes[s]; ++n) {
                uint256 mark = engine.markPrice(markets[n]);
                vm.prank(venue);
                hub.trade(_acct(alice, 0), _acct(bob, 0), markets[n], 0.1e18, mark);
            }
            MarginMath.Figures memory f = hub.accountFigures(_acct(alice, 0));
            vm.snapshotGasLastCall(
                "hub-margin", string.concat("figures, ", vm.toString(sizes[s]), " positions, 3 collateral")
            );
            uint256 h = hub.health(_acct(alice, 0));
            vm.snapshotGasLastCall(
                "hub-margin", string.concat("health, ", vm.toString(sizes[s]), " positions, 3 collateral")
            );
            assertEq(
                h,
                MarginMath.health(f.maintenanceEquity, f.maintenanceRequirement),
                "maintenance-only health equals the full figures'"
            );
        }
    }

    // ============================================================ liquidate -> SEIZE

    function test_liquidate_seizesOnTheCollateralChainAndRestoresHealth() public {
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        _setEthPrice(2300e8); // maintenance equity: 10 * 2300 * 0.85 - 20000 = -450
        assertEq(_health(a), 0);

        (uint256 repaid, uint256 seized) = _liquidate(a, wethAAsset, 20_000e6);
        // Enough to lift equity to 1.05 x the requirement (19,550 * 5% = 977.5) if the requirement
        // stayed put: (1026.375 + 450) / (1 - 1.05 * 0.85) = 13733.720930.. -> 13733.720931 USDC.
        // It falls as collateral leaves, so health ends above the target (section 8 of the spec).
        assertEq(repaid, 13_733_720931);
        assertEq(seized, repaid * 1e12 * 105 / 100 * 1e18 / 2300e18, "repay * (1 + bonus) at the oracle price");
        assertEq(hub.collateralOf(a, wethAAsset), 10e18 - seized);
        assertGe(_health(a), 1e18, "healthy again");
        assertEq(wethA.balanceOf(keeper), 0, "paid on chain A once the SEIZE arrives");

        verifyPackets(A_EID, address(vaultA));
        assertEq(wethA.balanceOf(keeper), seized);
        assertEq(vaultA.custodied(address(wethA)), 10e18 - seized);
    }

    /// @dev Just under health 1 the account pays part of the 5% bonus, by the urgency rule.
    function test_liquidate_paysTheUrgencyScaledBonus() public {
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        // ETH down in $10 steps until the account is just unhealthy.
        int256 price = 3000;
        uint256 h = 2e18;
        while (h >= 1e18) {
            price -= 10;
            _setEthPrice(price * 1e8);
            h = _health(a);
        }
        assertGt(h, 0.9e18);
        uint256 bonus = MarginMath.urgencyBonus(h, 0.05e18, 0.2e18, 0.9e18);
        assertLt(bonus, 0.05e18);
        (uint256 repaid, uint256 seized) = _liquidate(a, wethAAsset, 20_000e6);
        assertEq(
            seized,
            // forge-lint: disable-next-line(unsafe-typecast) a positive feed price
            repaid * 1e12 * (1e18 + bonus) / 1e18 * 1e18 / (uint256(price) * 1e18),
            "repay x (1 + the scaled bonus) at the oracle price"
        );
        assertGe(_health(a), 1e18, "healthy again");
    }

    function test_liquidate_partialWithCloseFactorAboveFullCloseHealth() public {
        // 100 WETH, 200k borrowed, long 10 ETH: equity 95p - 230k against 95 ETH * 5% * p, so
        // health is between 0.95 and 1 at $2545.
        AccountId a = _borrowedAgainstWeth(100e18, 200_000e6);
        _depositHubUsdc(bob, 1_000_000e6, 0);
        vm.prank(venue);
        hub.trade(a, _acct(bob, 0), ethPerp, 10e18, 3000e18);
        _setEthPrice(2545e8);
        uint256 h = _health(a);
        assertLt(h, 1e18);
        assertGt(h, 0.95e18);

        vm.startPrank(admin);
        engine.setAssetRisk(wethAAsset, 0.2e18, 0.15e18, 0.2e18); // 1.2 * 0.85 > 1: seizing cannot lift health
        IRiskConfig.LiquidationParams memory lp = engine.liquidationParams();
        lp.minBonusShare = 1e18; // the whole 20% at any health
        engine.setLiquidationParams(lp);
        vm.stopPrank();
        (uint256 repaid,) = _liquidate(a, wethAAsset, 1_000_000e6);
        assertEq(repaid, 115_000e6, "half the 230k debt: the close factor");
    }

    function test_liquidate_revertsForAssetTheAccountDoesNotHold() public {
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        _setEthPrice(2000e8);
        vm.expectRevert(abi.encodeWithSelector(IMarginHub.NoCollateral.selector, wethBAsset));
        vm.prank(keeper);
        hub.liquidate(a, wethBAsset, 1000e6, keeper, "");
    }

    function test_liquidate_revertsForHealthyAccount() public {
        AccountId a = _borrowedAgainstWeth(10e18, 10_000e6);
        uint256 h = _health(a);
        usdc.mint(keeper, 1000e6);
        vm.startPrank(keeper);
        usdc.approve(address(hub), 1000e6);
        vm.expectRevert(abi.encodeWithSelector(IMarginHub.AccountHealthy.selector, h));
        hub.liquidate{value: 1 ether}(a, wethAAsset, 1000e6, keeper, "");
        vm.stopPrank();
    }

    function test_liquidate_revertsOnStalePrice() public {
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        vm.prank(admin);
        ethFeed.setAnswerAt(2000e8, block.timestamp);
        vm.warp(block.timestamp + 1 hours + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleGuard.StalePrice.selector, ethRisk, block.timestamp - 1 hours - 1, 1 hours)
        );
        vm.prank(keeper);
        hub.liquidate(a, wethAAsset, 1000e6, keeper, "");
    }

    function test_liquidate_revertsOnOutOfBoundsOrNonPositivePrice() public {
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        _setEthPrice(0);
        vm.expectRevert(abi.encodeWithSelector(IOracleGuard.NonPositivePrice.selector, ethRisk, int256(0)));
        vm.prank(keeper);
        hub.liquidate(a, wethAAsset, 1000e6, keeper, "");

        _setEthPrice(0.5e8); // $0.50: below the $1 floor configured for ETH
        vm.expectRevert(
            abi.encodeWithSelector(IOracleGuard.PriceOutOfBounds.selector, ethRisk, 0.5e18, 1e18, 1_000_000e18)
        );
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
        vm.expectRevert(IOracleGuard.SequencerDown.selector);
        vm.prank(keeper);
        hub.liquidate(a, wethAAsset, 1000e6, keeper, "");

        vm.prank(admin);
        sequencer.setAnswer(0); // back up just now
        vm.expectRevert(
            abi.encodeWithSelector(IOracleGuard.SequencerGracePeriodNotOver.selector, block.timestamp, 1 hours)
        );
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
        vm.expectRevert(abi.encodeWithSelector(IMarginHub.AccountHealthy.selector, type(uint256).max));
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
        vm.expectRevert(IMarginHub.SameAccount.selector);
        vm.prank(alice);
        hub.liquidatePosition(_acct(alice, 0), ethPerp, 1e18, 0);
        uint256 h = _health(_acct(alice, 0));
        vm.expectRevert(abi.encodeWithSelector(IMarginHub.AccountHealthy.selector, h));
        vm.prank(keeper);
        hub.liquidatePosition(_acct(alice, 0), ethPerp, 1e18, 0);
    }

    // ============================================================ batch liquidations

    function test_liquidateBatch_oneSeizePaysWhatSingleLiquidationsWould() public {
        _seedLiquidity(1_000_000e6);
        AccountId[] memory accounts = new AccountId[](3);
        accounts[0] = _borrower(1, 10e18, 20_000e6);
        accounts[1] = _borrower(2, 10e18, 5_000e6); // healthy at $2300
        accounts[2] = _borrower(3, 8e18, 17_000e6);
        _setEthPrice(2300e8);
        uint256 healthy = _health(accounts[1]);
        assertGe(healthy, 1e18);

        // What two single liquidations take from this state.
        uint256 snapshot = vm.snapshotState();
        (uint256 r0, uint256 s0) = _liquidate(accounts[0], wethAAsset, 100_000e6);
        (uint256 r2, uint256 s2) = _liquidate(accounts[2], wethAAsset, 100_000e6);
        vm.revertToState(snapshot);

        uint64 nextOrder = hub.nextOrderId();
        vm.recordLogs();
        (uint256 repaid, uint256 seized, uint64 orderId) = _liquidateBatch(accounts, 100_000e6);
        assertEq(orderId, nextOrder);
        assertEq(hub.nextOrderId(), nextOrder + 1, "one order for the batch");
        assertEq(repaid, r0 + r2, "each account repays what a single liquidation repays");
        assertEq(seized, s0 + s2);
        assertEq(hub.collateralOf(accounts[0], wethAAsset), 10e18 - s0);
        assertEq(hub.collateralOf(accounts[1], wethAAsset), 10e18, "the healthy account is passed over");
        assertEq(hub.collateralOf(accounts[2], wethAAsset), 8e18 - s2);
        assertEq(usdc.balanceOf(keeper), 100_000e6 - repaid);

        (AccountId[] memory liquidated, uint64[] memory orders, bytes[] memory skipped) = _batchLogs();
        assertEq(liquidated.length, 2);
        assertEq(AccountId.unwrap(liquidated[0]), AccountId.unwrap(accounts[0]));
        assertEq(AccountId.unwrap(liquidated[1]), AccountId.unwrap(accounts[2]));
        assertEq(orders[0], orderId, "every Liquidated event names the batch's order");
        assertEq(orders[1], orderId);
        assertEq(skipped.length, 1);
        assertEq(skipped[0], abi.encodeWithSelector(IMarginHub.AccountHealthy.selector, healthy));

        assertEq(packetsQueue[A_EID][addressToBytes32(address(vaultA))].length(), 1, "one SEIZE for the batch");
        verifyPackets(A_EID, address(vaultA));
        assertEq(wethA.balanceOf(keeper), seized, "the vault pays the sum once");
        assertEq(vaultA.custodied(address(wethA)), 28e18 - seized);
        _assertCashBalances();
    }

    function test_liquidateBatch_sharesOneBudgetAndRefusesEmptyOrOversizedBatches() public {
        _seedLiquidity(1_000_000e6);
        AccountId[] memory accounts = new AccountId[](2);
        accounts[0] = _borrower(1, 10e18, 20_000e6);
        accounts[1] = _borrower(2, 10e18, 20_000e6);
        _setEthPrice(2300e8);
        uint256 snapshot = vm.snapshotState();
        (uint256 first,) = _liquidate(accounts[0], wethAAsset, 100_000e6);
        vm.revertToState(snapshot);

        // A budget the first account uses up: the second is passed over, not liquidated for nothing.
        vm.recordLogs();
        (uint256 repaid,,) = _liquidateBatch(accounts, first);
        assertEq(repaid, first);
        (AccountId[] memory liquidated,, bytes[] memory skipped) = _batchLogs();
        assertEq(liquidated.length, 1);
        assertEq(skipped[0], abi.encodeWithSelector(IMarginHub.NothingToLiquidate.selector));
        assertEq(hub.collateralOf(accounts[1], wethAAsset), 10e18);

        vm.startPrank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IMarginHub.InvalidBatchSize.selector, 0, 64));
        hub.liquidateBatch(new AccountId[](0), wethAAsset, 1, keeper, "");
        vm.expectRevert(abi.encodeWithSelector(IMarginHub.InvalidBatchSize.selector, 65, 64));
        hub.liquidateBatch(new AccountId[](65), wethAAsset, 1, keeper, "");
        // A batch that passes everyone over sends nothing, pulls nothing, and says why in its logs.
        AccountId[] memory second = new AccountId[](1);
        second[0] = accounts[1];
        uint64 nextOrder = hub.nextOrderId();
        vm.recordLogs();
        (uint256 none, uint256 seized, uint64 orderId) = hub.liquidateBatch(second, wethAAsset, 0, keeper, "");
        vm.stopPrank();
        assertEq(none + seized + orderId, 0);
        assertEq(hub.nextOrderId(), nextOrder, "no SEIZE");
        (liquidated,, skipped) = _batchLogs();
        assertEq(liquidated.length, 0);
        assertEq(skipped[0], abi.encodeWithSelector(IMarginHub.NothingToLiquidate.selector));
    }

    function test_liquidatePositions_takesWhatSingleTakeoversWouldAndChecksTheKeeperOnce() public {
        _depositHubUsdc(bob, 1_000_000e6, 0);
        IMarginHub.PositionTakeover[] memory takeovers = new IMarginHub.PositionTakeover[](3);
        for (uint32 sub = 1; sub <= 3; ++sub) {
            _deposit(alice, vaultA, wethA, 10e18, sub);
            vm.prank(venue);
            hub.trade(_acct(alice, sub), _acct(bob, 0), ethPerp, sub == 2 ? 1e18 : 20e18, 3000e18);
            takeovers[sub - 1] =
                IMarginHub.PositionTakeover({account: _acct(alice, sub), marketId: ethPerp, maxSize: 20e18});
        }
        _setEthPrice(2000e8); // 17k of collateral against a 20k loss; sub-account 2 lost 1k
        uint256 healthy = _health(_acct(alice, 2));
        assertGe(healthy, 1e18);

        // The keeper's sub-account 7 has no margin for 40 ETH: the batch checks it after all.
        vm.expectPartialRevert(IMarginHub.InsufficientMargin.selector);
        vm.prank(keeper);
        hub.liquidatePositions(takeovers, 7);

        _depositHubUsdc(keeper, 1_000_000e6, 0);
        uint256 snapshot = vm.snapshotState();
        vm.startPrank(keeper);
        uint256 t1 = hub.liquidatePosition(_acct(alice, 1), ethPerp, 20e18, 0);
        uint256 t3 = hub.liquidatePosition(_acct(alice, 3), ethPerp, 20e18, 0);
        vm.stopPrank();
        int256 cash1 = hub.accountState(_acct(alice, 1)).cash;
        uint256 insurance = hub.insuranceFund();
        vm.revertToState(snapshot);

        vm.recordLogs();
        vm.prank(keeper);
        uint256[] memory sizes = hub.liquidatePositions(takeovers, 0);
        assertEq(sizes[0], t1);
        assertEq(sizes[1], 0, "the healthy account is passed over");
        assertEq(sizes[2], t3);
        assertEq(t1 + t3, 40e18, "health 0 is below fullCloseHealth: all of both");
        assertEq(hub.positionOf(_acct(keeper, 0), ethPerp), 40e18);
        assertEq(hub.positionOf(_acct(alice, 2), ethPerp), 1e18);
        assertEq(hub.accountState(_acct(alice, 1)).cash, cash1);
        assertEq(hub.insuranceFund(), insurance);
        (,, bytes[] memory skipped) = _batchLogs();
        assertEq(skipped.length, 1);
        assertEq(skipped[0], abi.encodeWithSelector(IMarginHub.AccountHealthy.selector, healthy));

        // The keeper itself is passed over; taking nothing needs no margin from the keeper's sub-account 7.
        IMarginHub.PositionTakeover[] memory none = new IMarginHub.PositionTakeover[](1);
        none[0] = IMarginHub.PositionTakeover({account: _acct(keeper, 7), marketId: ethPerp, maxSize: 1e18});
        vm.recordLogs();
        vm.prank(keeper);
        sizes = hub.liquidatePositions(none, 7);
        assertEq(sizes[0], 0);
        (,, skipped) = _batchLogs();
        assertEq(skipped[0], abi.encodeWithSelector(IMarginHub.SameAccount.selector));
        vm.expectRevert(abi.encodeWithSelector(IMarginHub.InvalidBatchSize.selector, 0, 64));
        vm.prank(keeper);
        hub.liquidatePositions(new IMarginHub.PositionTakeover[](0), 0);
        _assertCashBalances();
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
        vm.expectRevert(abi.encodeWithSelector(IMarginHub.CreditAlreadyProcessed.selector, A_EID, 1));
        _receiveAsEndpoint(address(hub), HUB_EID, A_EID, address(vaultA), 2, credit);

        _withdraw(alice, 0, wethAAsset, 1e18, alice);
        verifyPackets(A_EID, address(vaultA));
        bytes memory release = _message(MessageCodec.RELEASE, 1, address(wethA), 1e18, alice);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.MessageAlreadyProcessed.selector, 1));
        _receiveAsEndpoint(address(vaultA), A_EID, HUB_EID, address(hub), 2, release);
    }

    function test_unknownOrMisdirectedMessageIsRefused() public {
        bytes memory bad = _message(MessageCodec.CREDIT, 1, address(wethA), 1e18, address(0));
        bad[1] = bytes1(uint8(9));
        vm.expectRevert(abi.encodeWithSelector(MessageCodec.UnknownMessageType.selector, 9));
        _receiveAsEndpoint(address(hub), HUB_EID, A_EID, address(vaultA), 1, bad);

        bytes memory releaseToHub = _message(MessageCodec.RELEASE, 1, address(wethA), 1e18, alice);
        vm.expectRevert(abi.encodeWithSelector(UnexpectedMessageType.selector, MessageCodec.RELEASE));
        _receiveAsEndpoint(address(hub), HUB_EID, A_EID, address(vaultA), 1, releaseToHub);

        bytes memory creditToVault = _message(MessageCodec.CREDIT, 1, address(wethA), 1e18, address(0));
        vm.expectRevert(abi.encodeWithSelector(UnexpectedMessageType.selector, MessageCodec.CREDIT));
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
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.NotHubEid.selector, B_EID));
        vaultA.setPeer(B_EID, addressToBytes32(alice));
        vm.stopPrank();
    }

    function test_vaultRefusesOrderThatExceedsCustody() public {
        _deposit(alice, vaultA, wethA, 1e18, 0);
        bytes memory release = _message(MessageCodec.RELEASE, 99, address(wethA), 2e18, alice);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.InsufficientCustody.selector, address(wethA), 1e18, 2e18)
        );
        _receiveAsEndpoint(address(vaultA), A_EID, HUB_EID, address(hub), 1, release);
    }

    // ============================================================ gas (recorded in snapshots/)

    /// @dev Gas of each flow's steps, recorded in snapshots/flows.json. A step that sends a
    /// packet is also split into LayerZero's send path and this project's part (`_recordSplit`).
    function test_gas_flows() public {
        wethA.mint(alice, 20e18);
        vm.startPrank(alice);
        wethA.approve(address(vaultA), 20e18);
        uint256 fee = vaultA.quoteDeposit(alice, 0, address(wethA), 10e18, "");
        uint256 before = vm.snapshotState();
        vaultA.deposit{value: fee}(alice, 0, address(wethA), 10e18, "");
        vm.stopPrank();
        _recordSplit("deposit (spoke, sends CREDIT)", before, address(vaultA), A_EID, HUB_EID, address(hub), fee);
        _deliverWithGas(HUB_EID, address(hub), "credit delivery (hub lzReceive)", creditGas);

        _seedLiquidity(100_000e6);
        vm.prank(alice);
        hub.withdrawCash(0, 20_000e6, alice);
        fee = hub.quoteOrder(wethAAsset, MessageCodec.RELEASE, "");
        before = vm.snapshotState();
        vm.prank(alice);
        hub.withdraw{value: fee}(0, wethAAsset, 0.1e18, alice, "");
        _recordSplit(
            "withdraw request (hub, sends RELEASE)", before, address(hub), HUB_EID, A_EID, address(vaultA), fee
        );
        _deliverWithGas(A_EID, address(vaultA), "release delivery (vault lzReceive)", releaseGas);

        _setEthPrice(2300e8);
        usdc.mint(keeper, 100_000e6);
        vm.startPrank(keeper);
        usdc.approve(address(hub), 100_000e6);
        fee = hub.quoteOrder(wethAAsset, MessageCodec.SEIZE, "");
        before = vm.snapshotState();
        hub.liquidate{value: fee}(_acct(alice, 0), wethAAsset, 100_000e6, keeper, "");
        vm.stopPrank();
        _recordSplit("liquidate (hub, sends SEIZE)", before, address(hub), HUB_EID, A_EID, address(vaultA), fee);
        _deliverWithGas(A_EID, address(vaultA), "seize delivery (vault lzReceive)", seizeGas);
        assertGt(wethA.balanceOf(keeper), 0);
    }

    /// @dev Ten accounts liquidated in one batch, one SEIZE: against `liquidate`'s figures above,
    /// what the batch saves per account (the LayerZero send, the token pull and the payout once).
    function test_gas_liquidationBatch() public {
        _seedLiquidity(1_000_000e6);
        AccountId[] memory accounts = new AccountId[](10);
        for (uint32 i; i < 10; ++i) {
            accounts[i] = _borrower(i + 1, 10e18, 20_000e6);
        }
        _setEthPrice(2300e8);
        usdc.mint(keeper, 1_000_000e6);
        uint256 fee = hub.quoteOrder(wethAAsset, MessageCodec.SEIZE, "");
        vm.prank(keeper);
        usdc.approve(address(hub), 1_000_000e6);
        uint256 before = vm.snapshotState();
        vm.prank(keeper);
        hub.liquidateBatch{value: fee}(accounts, wethAAsset, 1_000_000e6, keeper, "");
        uint256 perAccount = vm.lastCallGas().gasTotalUsed / 10;
        string memory name = "liquidate batch of 10 accounts (hub, one SEIZE)";
        _recordSplit(name, before, address(hub), HUB_EID, A_EID, address(vaultA), fee);
        vm.snapshotValue("flows", "liquidate batch of 10 accounts: per account", perAccount);
        _deliverWithGas(A_EID, address(vaultA), "batch seize delivery (vault lzReceive)", seizeGas);
        assertEq(wethA.balanceOf(keeper), 100e18 - vaultA.custodied(address(wethA)));
    }

    // ============================================================ helpers

    /// @dev Delivers the oldest packet for `receiver` the way `verifyPackets` does, but records the
    /// gas of the destination `lzReceive` alone (the DVN and executor mocks' own work excluded),
    /// and the gas its type's enforced options give it, which must exceed it by the stated margin
    /// (contracts/config/enforced-gas.json).
    function _deliverWithGas(uint32 eid, address receiver, string memory name, uint128 enforced) internal {
        bytes32 guid = packetsQueue[eid][addressToBytes32(receiver)].popBack();
        bytes memory packet = packets[guid];
        this.validatePacket(packet, "");
        this.lzReceive(packet, optionsLookup[guid]);
        uint256 used = vm.snapshotGasLastCall("flows", name);
        vm.snapshotValue("flows", string.concat(name, ", enforced gas"), enforced);
        assertLe(
            used * (100 + gasMarginPercent) / 100,
            enforced,
            string.concat(name, ": enforced gas below the measured gas plus the margin")
        );
    }

    /// @dev Records the gas of the call just made as `name`, and splits it in two: LayerZero's
    /// send path, the same packet sent through the endpoint by `oapp` from the state `before` the
    /// call (here TestHelperOz5's ULN302 mocks, which also queue the packet in storage), and this
    /// project's part, the rest. Then carries on from the state after the call.
    function _recordSplit(
        string memory name,
        uint256 before,
        address oapp,
        uint32 srcEid,
        uint32 dstEid,
        address receiver,
        uint256 fee
    ) internal {
        uint256 total = vm.snapshotGasLastCall("flows", name);
        bytes32 guid = packetsQueue[dstEid][addressToBytes32(receiver)].front();
        (bytes memory message, bytes memory options) = (this.packetMessage(packets[guid]), optionsLookup[guid]);
        uint256 afterCall = vm.snapshotState();
        vm.revertToState(before);
        vm.deal(oapp, fee);
        vm.prank(oapp);
        ILayerZeroEndpointV2(endpoints[srcEid]).send{value: fee}(
            MessagingParams({
                dstEid: dstEid,
                receiver: addressToBytes32(receiver),
                message: message,
                options: options,
                payInLzToken: false
            }),
            oapp
        );
        uint256 sendPath = vm.snapshotGasLastCall("flows", string.concat(name, ": LayerZero send path"));
        vm.snapshotValue("flows", string.concat(name, ": this project's part"), total - sendPath);
        vm.revertToState(afterCall);
    }

    /// @notice The message of an encoded LayerZero packet (external: PacketV1Codec reads calldata).
    function packetMessage(bytes calldata packet) external pure returns (bytes memory) {
        return packet.message();
    }

    /// @dev Alice's isolated sub-account `sub` holds `weth` on chain A and borrowed `borrowTokens`.
    function _borrower(uint32 sub, uint256 weth, uint256 borrowTokens) internal returns (AccountId) {
        _deposit(alice, vaultA, wethA, weth, sub);
        vm.prank(alice);
        hub.withdrawCash(sub, borrowTokens, alice);
        return _acct(alice, sub);
    }

    function _liquidateBatch(AccountId[] memory accounts, uint256 maxRepayTokens)
        internal
        returns (uint256 repaid, uint256 seized, uint64 orderId)
    {
        usdc.mint(keeper, maxRepayTokens);
        uint256 fee = hub.quoteOrder(wethAAsset, MessageCodec.SEIZE, "");
        vm.startPrank(keeper);
        usdc.approve(address(hub), maxRepayTokens);
        (repaid, seized, orderId) = hub.liquidateBatch{value: fee}(accounts, wethAAsset, maxRepayTokens, keeper, "");
        vm.stopPrank();
    }

    /// @dev The hub's Liquidated accounts and order ids, and LiquidationSkipped reasons, since vm.recordLogs().
    function _batchLogs()
        internal
        returns (AccountId[] memory liquidated, uint64[] memory orders, bytes[] memory skipped)
    {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        liquidated = new AccountId[](logs.length);
        orders = new uint64[](logs.length);
        skipped = new bytes[](logs.length);
        (uint256 l, uint256 k) = (0, 0);
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(hub)) continue;
            if (logs[i].topics[0] == IMarginHub.Liquidated.selector) {
                liquidated[l] = AccountId.wrap(logs[i].topics[1]);
                (,,, orders[l++],) = abi.decode(logs[i].data, (uint256, uint256, address, uint64, bytes32));
            } else if (logs[i].topics[0] == IMarginHub.LiquidationSkipped.selector) {
                skipped[k++] = abi.decode(logs[i].data, (bytes));
            }
        }
        assembly ("memory-safe") {
            mstore(liquidated, l)
            mstore(orders, l)
            mstore(skipped, k)
        }
    }

    function _fundInsurance(uint256 tokens) internal {
        usdc.mint(admin, tokens);
        vm.startPrank(admin);
        usdc.approve(address(hub), tokens);
        hub.fundInsurance(tokens);
        vm.stopPrank();
    }

    function _message(uint8 msgType, uint64 id, address token, uint256 amount, address recipient)
        internal
        view
        returns (bytes memory)
    {
        return MessageCodec.encode(
            MessageCodec.Message({
                msgType: msgType,
                id: id,
                account: alice,
                subAccount: 0,
                token: token,
                amount: amount,
                recipient: recipient
            })
        );
    }

    /// @dev Calls `oapp.lzReceive` as its endpoint would, with any sender and nonce: how a forged or
    /// replayed packet would arrive if a DVN were compromised.
    function _receiveAsEndpoint(
        address oapp,
        uint32 dstEid,
        uint32 srcEid,
        address sender,
        uint64 nonce,
        bytes memory message
    ) internal {
        vm.prank(endpoints[dstEid]);
        HubSpokeOApp(oapp)
            .lzReceive(
                Origin({srcEid: srcEid, sender: addressToBytes32(sender), nonce: nonce}),
                bytes32(uint256(nonce)),
                message,
                address(0),
                ""
            );
    }
}

