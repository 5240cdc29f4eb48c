// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarginMath} from "../../src/risk/MarginMath.sol";
import {PortfolioMargin} from "../../src/risk/PortfolioMargin.sol";
import {AccountId, AccountIdLib} from "../../src/libraries/AccountIdLib.sol";
import {IMarginHubBase} from "../../src/interfaces/IMarginHubBase.sol";
import {IOracleGuard} from "../../src/interfaces/IOracleGuard.sol";
import {IRiskConfig} from "../../src/interfaces/IRiskConfig.sol";
import {IRiskEngine} from "../../src/interfaces/IRiskEngine.sol";
import {ManualAggregator} from "../../src/devnet/ManualAggregator.sol";
import {AggregatorV3Interface} from "../../src/interfaces/AggregatorV3Interface.sol";
import {PhasedAggregatorProxy} from "../utils/PhasedAggregatorProxy.sol";
import {FlowHelpers} from "./FlowHelpers.sol";

/// @notice European options: listing, margin by the scenario model, settlement at expiry at the
/// first oracle round at or after it, and liquidation.
abstract contract OptionFlows is FlowHelpers {
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
        // The greeks: the engine's `risk` over the holdings the hub reports.
        AccountId[] memory one = new AccountId[](1);
        one[0] = _acct(alice, 0);
        IMarginHubBase.AccountHoldings memory held = hub.holdingsOf(one)[0];
        IRiskEngine.Risk memory r = engine.risk(held.cash, held.collateral, held.positions);
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
        vm.expectRevert(abi.encodeWithSelector(IMarginHubBase.TradePriceOutOfBand.selector, mark + 30e18 + 1, mark));
        vm.prank(venue);
        hub.trade(_acct(bob, 0), _acct(alice, 0), call, 1e18, mark + 30e18 + 1);
        vm.prank(venue);
        hub.trade(_acct(bob, 0), _acct(alice, 0), call, 1e18, mark + 30e18);
    }

    function test_option_settlesAtExpiryAgainstTheClearingAccount() public {
        uint16 call = _bobBuysCallsFromAlice(5e18);
        uint64 expiry = engine.market(call).expiry;
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.NotExpired.selector, call, expiry));
        hub.settleExpired(_acct(bob, 0), call);

        vm.warp(expiry);
        _setEthPrice(3500e8);
        _refreshFeeds();
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.MarketExpired.selector, call));
        vm.prank(venue);
        hub.trade(_acct(bob, 0), _acct(alice, 0), call, 1e18, 200e18);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.SettlementPriceNotFixed.selector, call));
        hub.settleExpired(_acct(bob, 0), call);
        _fixSettlement(call);

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
        vm.expectRevert(IMarginHubBase.NoPosition.selector);
        hub.settleExpired(_acct(alice, 0), call);
    }

    /// @dev Once the cash index is below WAD, the clearing account's cash is shares that round
    /// down: paid the short's 1,000 and then paying the long's, it ends a wei short with no
    /// position, and that wei is resolved as any bankrupt account's debt.
    function test_option_clearingAccountLeftAWeiShortIsResolved() public {
        uint16 call = _bobBuysCallsFromAlice(5e18);
        // A payment from an account with nothing lowers the index: alice's premium bears it.
        address carol = makeAddr("carol");
        vm.prank(carol);
        hub.setVenueAuthorization(venue, true);
        vm.prank(venue);
        hub.settleCash(_acct(carol, 0), _acct(alice, 0), 1e18);
        assertLt(hub.cashIndex(), 1e18, "a socialised loss");
        _fundInsurance(1e6);

        vm.warp(engine.market(call).expiry);
        _setEthPrice(3500e8);
        _refreshFeeds();
        _fixSettlement(call);
        AccountId clearing = AccountIdLib.toAccountId(address(hub), call);
        assertEq(hub.settleExpired(_acct(alice, 0), call), -1000e18, "the short pays the clearing account");
        vm.expectEmit(address(hub));
        emit IMarginHubBase.BadDebtResolved(clearing, 1, 1, 0);
        assertEq(hub.settleExpired(_acct(bob, 0), call), 1000e18, "which pays the long");
        assertEq(hub.positionOf(clearing, call), 0);
        assertEq(hub.accountState(clearing).cash, 0, "the wei is written off against the insurance fund");
        _assertCashBalances();
    }

    /// @dev The settlement price is ETH's first round at or after expiry, whoever fixes it and
    /// whenever: the round before expiry and a later, better one are refused by name, and a call
    /// once it is fixed returns the same price.
    function test_option_settlementPriceIsTheFirstRoundAtOrAfterExpiry() public {
        uint16 call = _bobBuysCallsFromAlice(5e18);
        uint64 expiry = engine.market(call).expiry;
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.NotAnOption.selector, ethPerp));
        engine.fixSettlementPrice(ethPerp, 1);
        vm.warp(expiry - 1);
        _setEthPrice(3400e8);
        uint80 beforeExpiry = ethFeed.roundId();
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.NotExpired.selector, call, expiry));
        engine.fixSettlementPrice(call, beforeExpiry);
        vm.warp(expiry + 30);
        _setEthPrice(3500e8);
        uint80 first = ethFeed.roundId();
        vm.warp(expiry + 1 hours);
        _setEthPrice(3900e8); // $400 more for the long, an hour late
        uint80 later = ethFeed.roundId();

        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleGuard.RoundBeforeExpiry.selector, ethRisk, beforeExpiry, uint256(expiry - 1), uint256(expiry)
            )
        );
        engine.fixSettlementPrice(call, beforeExpiry);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleGuard.NotFirstRoundAtExpiry.selector, ethRisk, later, uint256(expiry + 30))
        );
        engine.fixSettlementPrice(call, later);
        vm.expectEmit(address(engine));
        emit IRiskConfig.SettlementPriceFixed(call, 3500e18);
        assertEq(engine.fixSettlementPrice(call, first), 3500e18);
        assertEq(engine.fixSettlementPrice(call, later), 3500e18, "fixed once: a later call gets the same price");
        assertEq(hub.settleExpired(_acct(bob, 0), call), 1000e18, "5 calls x (3500 - 3300)");
    }

    /// @dev Finding 7a: the feed's aggregator is upgraded after expiry. The old phase answered
    /// at expiry + 30 s ($3,500); the new phase's first round, an hour later ($3,900), is not the
    /// first round at or after expiry, though no round of its own phase comes before it.
    function test_option_settlementAcrossAnAggregatorUpgradeIsTheOldPhasesFirstRound() public {
        vm.startPrank(admin);
        ManualAggregator oldPhase = new ManualAggregator(8, 3000e8);
        PhasedAggregatorProxy proxy = new PhasedAggregatorProxy(address(oldPhase));
        engine.setRiskAsset(ethRisk, AggregatorV3Interface(address(proxy)), 1 hours, 1e18, 1_000_000e18);
        vm.stopPrank();
        uint16 call = _bobBuysCallsFromAlice(5e18);
        uint64 expiry = engine.market(call).expiry;
        vm.warp(expiry + 30);
        vm.prank(admin);
        oldPhase.setAnswer(3500e8);
        uint80 oldPhasesFirst = (uint80(1) << 64) | oldPhase.roundId();
        vm.warp(expiry + 1 hours);
        vm.prank(admin);
        proxy.upgrade(address(new ManualAggregator(8, 3900e8)));
        uint80 newPhasesFirst = (uint80(2) << 64) | 1;

        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleGuard.NotFirstRoundAtExpiry.selector, ethRisk, newPhasesFirst, uint256(expiry + 30)
            )
        );
        engine.fixSettlementPrice(call, newPhasesFirst);
        assertEq(engine.fixSettlementPrice(call, oldPhasesFirst), 3500e18);
    }

    /// @dev Settling changes neither side's figures by a wei: the hub rounds a long's payoff down
    /// and a short's liability up, as the model counts a settled option (5 calls and a wei, at a
    /// settlement of $3,500.50: 1,002.5 USD and 200.5 wei).
    function test_option_settlementRoundsAsTheModelInTheProtocolsFavour() public {
        uint16 call = _bobBuysCallsFromAlice(5e18 + 1);
        vm.warp(engine.market(call).expiry);
        _setEthPrice(3500.5e8);
        _refreshFeeds();
        _fixSettlement(call);
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
}
