// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarginHub} from "../../src/MarginHub.sol";
import {MessageCodec} from "../../src/libraries/MessageCodec.sol";
import {AccountId, AccountIdLib} from "../../src/libraries/AccountIdLib.sol";
import {TestToken} from "../../src/devnet/TestToken.sol";
import {ManualAggregator} from "../../src/devnet/ManualAggregator.sol";
import {IPacketCourier} from "./IPacketCourier.sol";
import {IMarginHubBase} from "../../src/interfaces/IMarginHubBase.sol";
import {IRiskConfig} from "../../src/interfaces/IRiskConfig.sol";
import {IRiskEngine} from "../../src/interfaces/IRiskEngine.sol";
import {FeedRounds} from "../utils/FeedRounds.sol";
import {MarginMath} from "../../src/risk/MarginMath.sol";

import {IBackstopVault} from "../../src/interfaces/IBackstopVault.sol";
import {HandlerBase} from "./HandlerBase.sol";
import {SecurityActions} from "./SecurityActions.sol";
import {FaultActions} from "./FaultActions.sol";
import {FaultActions} from "./FaultActions.sol";

/// @notice Random traffic across the hub and both spokes: deposits and withdrawals on every chain;
/// packets delivered late, a few at a time, to one chain while the others wait; borrowing and
/// repaying cash; perp and option trades; price and volatility moves; time passing, options
/// expiring and settling; collateral and position liquidations; the backstop vault taking accounts
/// over; insurance top-ups; and the security review's actions (SecurityActions) and faults
/// (FaultActions). It keeps ghost
/// ledgers (what is in flight, what entered and left the insurance fund) for the invariants.
contract CrossChainHandler is SecurityActions, FaultActions {
    using AccountIdLib for AccountId;

    constructor(
        IPacketCourier courier_,
        MarginHub hub_,
        TestToken usdc_,
        address venue_,
        address oracleOwner_,
        uint16[] memory markets_,
        ManualAggregator[] memory feeds_,
        uint256 volatileFeeds_,
        ManualAggregator volFeed_,
        Collateral[] memory collateral_,
        IBackstopVault backstopVault_
    )
        HandlerBase(
            courier_, hub_, usdc_, venue_, oracleOwner_, markets_, feeds_, volatileFeeds_, volFeed_, collateral_
        )
    {
        backstopVault = backstopVault_;
    }

    /// @dev Takes any liquidatable account with equity left, within its margin.
    IBackstopVault public immutable backstopVault;

    // ------------------------------------------------------------ actions

    function deposit(uint256 actorSeed, uint256 collateralSeed, uint32 sub, uint256 amountSeed) external {
        address actor = _actor(actorSeed);
        uint256 ci = collateralSeed % collateral.length;
        Collateral memory c = collateral[ci];
        uint256 amount = bound(amountSeed, 1, 1_000 * c.unit);
        sub = sub % 2;
        c.token.mint(actor, amount);
        vm.deal(actor, 10 ether);
        vm.startPrank(actor);
        c.token.approve(address(c.vault), amount);
        uint256 fee = c.vault.quoteDeposit(actor, sub, address(c.token), amount, "");
        (, uint256 credited) = c.vault.deposit{value: fee}(actor, sub, address(c.token), amount, "");
        vm.stopPrank();
        if (c.eid != hub.localEid()) sent[0].push(Packet({collateralIndex: ci, amount: credited}));
        calls["deposit"]++;
        // A fee-on-transfer token: credited with what arrived, never with what was sent.
        assertLe(credited, amount);
        if (credited < amount) calls["deposit credited short"]++;
    }

    /// @notice Delivers the oldest 1 to `countSeed` packets waiting for one destination (the hub or
    /// a spoke's vault): chains deliver late and independently, so CREDITs, RELEASEs and SEIZEs
    /// land in any order across chains.
    function deliver(uint256 destinationSeed, uint256 countSeed) external {
        uint256 d = destinationSeed % destinations.length;
        uint256 waiting = sent[d].length - delivered[d];
        if (waiting == 0) return;
        uint256 count = bound(countSeed, 1, waiting);
        Destination memory to = destinations[d];
        try courier.deliverSome(to.eid, to.receiver, count) {
            delivered[d] += count;
            calls["deliver"]++;
        } catch {
            refusedDeliveries++;
        }
    }

    function withdraw(uint256 actorSeed, uint256 collateralSeed, uint32 sub, uint256 amountSeed) external {
        address actor = _actor(actorSeed);
        uint256 ci = collateralSeed % collateral.length;
        Collateral memory c = collateral[ci];
        sub = sub % 2;
        uint256 held = hub.collateralOf(AccountIdLib.toAccountId(actor, sub), c.assetId);
        if (held == 0) return;
        uint256 amount = bound(amountSeed, 1, held);
        uint256 fee = hub.quoteOrder(c.assetId, MessageCodec.RELEASE, "");
        vm.deal(actor, fee);
        vm.prank(actor);
        try hub.withdraw{value: fee}(sub, c.assetId, amount, actor, "") {
            _orderSent(ci, amount);
            calls["withdraw"]++;
        } catch {
            calls["withdraw (refused)"]++;
        }
    }

    function lend(uint256 amountSeed) external {
        // Up to $10M, against deposits of up to 1,000 WETH ($3M) a time: enough that borrowers can
        // borrow to their limit, and a price fall can then make them liquidatable.
        uint256 tokens = bound(amountSeed, 1, 10_000_000e6);
        usdc.mint(address(this), tokens);
        usdc.approve(address(hub), tokens);
        hub.depositCash(address(this), 0, tokens);
        calls["lend"]++;
    }

    function borrow(uint256 actorSeed, uint32 sub, uint256 amountSeed) external {
        address actor = _actor(actorSeed);
        sub = sub % 2;
        uint256 spare = _spareInitialMargin(AccountIdLib.toAccountId(actor, sub));
        // 60% to 120% of the spare margin: a book borrowed close to its limit, which a price fall
        // makes liquidatable (the spare of an account without debt overstates what it may borrow:
        // the debt itself brings a requirement, so the top of the range is refused).
        uint256 tokens = bound(amountSeed, spare * 6 / 10 / 1e12 + 1, spare * 12 / 10 / 1e12 + 1);
        if (tokens > hub.settlementHeld()) return;
        vm.prank(actor);
        try hub.withdrawCash(sub, tokens, actor) {
            calls["borrow"]++;
        } catch {
            calls["borrow (refused)"]++;
        }
    }

    /// @notice Repays part or all of an account's debt (nothing when it has none): cash paid in
    /// beyond the debt would leave the book with no borrowers for a crash to test.
    function repay(uint256 actorSeed, uint32 sub, uint256 amountSeed) external {
        address actor = _actor(actorSeed);
        sub = sub % 2;
        int256 cash = hub.accountState(AccountIdLib.toAccountId(actor, sub)).cash;
        // forge-lint: disable-next-line(unsafe-typecast) cash < 0 here
        uint256 debtTokens = cash < 0 ? uint256(-cash) / hub.settlementScale() : 0;
        if (debtTokens == 0) return;
        uint256 tokens = bound(amountSeed, 1, debtTokens);
        usdc.mint(actor, tokens);
        vm.startPrank(actor);
        usdc.approve(address(hub), tokens);
        hub.depositCash(actor, sub, tokens);
        vm.stopPrank();
        calls["repay"]++;
    }

    /// @notice A venue trade between two trader accounts that have spare initial margin (from a
    /// random start), in a random market, sized up to about what their margin allows and a little
    /// beyond (refused), at up to 3% off the mark.
    function trade(uint256 accountSeed, uint256 marketSeed, uint256 sizeSeed, int256 offsetSeed) external {
        uint16 market = _liveMarket(marketSeed);
        (AccountId buyer, AccountId seller, uint256 spare) = _twoWithSpareMargin(accountSeed);
        if (spare == 0) return;
        uint256 mark;
        uint256 spot;
        try hub.riskEngine().markPrice(market) returns (uint256 m) {
            (mark, spot) = (m, hub.riskEngine().markPrice(markets[0]));
        } catch {
            return;
        }
        if (mark == 0) return;
        // Perps: notional up to 12x the smaller spare margin (the 10% initial factor allows 10x);
        // options: up to 3x, a short's scenario loss being a fraction of its notional.
        uint256 size = bound(sizeSeed, 1e15, spare * (market == markets[0] ? 12 : 3) / spot + 1e15);
        int256 offsetBps = bound(offsetSeed, -300, 300);
        // forge-lint: disable-next-line(unsafe-typecast) mark < 2^128, offsetBps > -10,000
        uint256 price = uint256(int256(mark) * (10_000 + offsetBps) / 10_000);
        // Either side may be the buyer.
        if (sizeSeed % 2 == 1) (buyer, seller) = (seller, buyer);
        vm.prank(venue);
        try hub.trade(buyer, seller, market, size, price) {
            calls["trade"]++;
        } catch {
            calls["trade (refused)"]++;
        }
    }

    /// @notice Moves ETH or BTC (the first `volatileFeeds` feeds) to within 40% of its first
    /// price, a minute later. Prices wander around where they started rather than drifting to a
    /// floor, so borrowers keep borrowing against collateral worth something and a crash finds them.
    function movePrice(uint256 feedSeed, int256 bpsSeed) external {
        uint256 i = feedSeed % volatileFeeds;
        _report(feeds[i], firstAnswer[i] * (10_000 + bound(bpsSeed, -4_000, 4_000)) / 10_000, 60);
        calls["movePrice"]++;
    }

    /// @notice A crash: ETH and BTC fall together to 10%-70% of their first prices in one report,
    /// a minute later. Borrowers at the edge become liquidatable, the deepest bankrupt: what the
    /// liquidation paths and the insurance fund are for.
    function crash(uint256 depthSeed) external {
        // forge-lint: disable-next-line(unsafe-typecast) at most 7,000
        int256 keepBps = int256(bound(depthSeed, 1_000, 7_000));
        vm.warp(block.timestamp + 60);
        vm.startPrank(oracleOwner);
        for (uint256 i; i < feeds.length; ++i) {
            feeds[i].setAnswer(i < volatileFeeds ? firstAnswer[i] * keepBps / 10_000 : feeds[i].answer());
        }
        vm.stopPrank();
        calls["crash"]++;
    }

    /// @notice Moves ETH's implied volatility by -50% to +100%, kept between 10% and 300%.
    function moveVolatility(int256 bpsSeed) external {
        int256 next = volFeed.answer() * (10_000 + bound(bpsSeed, -5_000, 10_000)) / 10_000;
        _report(volFeed, next < 0.1e8 ? int256(0.1e8) : next > 3e8 ? int256(3e8) : next, 60);
        calls["moveVolatility"]++;
    }

    /// @notice An hour to two days pass (options expire); every feed reports again.
    function passTime(uint256 secondsSeed) external {
        _report(feeds[0], feeds[0].answer(), bound(secondsSeed, 1 hours, 2 days));
        calls["passTime"]++;
    }

    /// @notice Settles a position in an expired option (anyone may): the first account from a
    /// random start that holds an option position, which the hub refuses while it is live.
    function settle(uint256 accountSeed, uint256 marketSeed) external {
        // An expired position first, when there is one; else a live one, which the hub refuses.
        (AccountId account, uint16 market, bool found) = _optionPosition(accountSeed, marketSeed, true);
        if (!found) (account, market, found) = _optionPosition(accountSeed, marketSeed, false);
        if (!found) return;
        _fixSettlementIfExpired(market);
        vm.recordLogs();
        try hub.settleExpired(account, market) {
            calls["settle"]++;
        } catch {
            calls["settle (refused)"]++;
        }
        _readLiquidationLogs();
    }

    /// @dev A market still trading, from a random start (the perp always is): expired options
    /// would only be refused, and a run needs option positions open when they expire.
    function _liveMarket(uint256 seed) private view returns (uint16 market) {
        IRiskEngine engine = hub.riskEngine();
        for (uint256 k; k < markets.length; ++k) {
            market = markets[(seed % markets.length + k) % markets.length];
            if (market == markets[0] || block.timestamp < engine.market(market).expiry) return market;
        }
    }

    /// @dev The first account, from a random start, with a position in an option market (one that
    /// has expired, if `expired`).
    function _optionPosition(uint256 accountSeed, uint256 marketSeed, bool expired)
        private
        view
        returns (AccountId account, uint16 market, bool found)
    {
        // The traders and the backstop vault, which holds the options of the accounts it took over.
        AccountId[] memory traders = accounts();
        AccountId[] memory list = new AccountId[](traders.length + 1);
        for (uint256 i; i < traders.length; ++i) {
            list[i] = traders[i];
        }
        list[traders.length] = backstopVault.hubAccount();
        uint256 options = markets.length - 1; // markets[0] is the perp
        IRiskEngine engine = hub.riskEngine();
        for (uint256 k; k < list.length * options; ++k) {
            account = list[(accountSeed % list.length + k / options) % list.length];
            market = markets[1 + (marketSeed % options + k) % options];
            if (hub.positionOf(account, market) == 0) continue;
            if (expired && block.timestamp < engine.market(market).expiry) continue;
            return (account, market, true);
        }
    }

    /// @dev Fixes an expired option's settlement price at its underlying's first round at or after
    /// expiry, as the relayer's keeper does (refused while no round is that late yet).
    function _fixSettlementIfExpired(uint16 marketId) private {
        IRiskEngine engine = hub.riskEngine();
        IRiskConfig.Market memory m = engine.market(marketId);
        if (block.timestamp < m.expiry || m.settlementPrice != 0) return;
        ManualAggregator feed = ManualAggregator(address(engine.riskAsset(m.riskAsset).feed));
        try engine.fixSettlementPrice(marketId, FeedRounds.firstAtOrAfter(feed, m.expiry)) {
            calls["fix settlement price"]++;
        } catch {
            calls["fix settlement price (refused)"]++;
        }
    }

    function fundInsurance(uint256 amountSeed) external {
        uint256 tokens = bound(amountSeed, 1, 100_000e6);
        usdc.mint(address(this), tokens);
        usdc.approve(address(hub), tokens);
        hub.fundInsurance(tokens);
        insuranceIn += tokens * hub.settlementScale();
        calls["fundInsurance"]++;
    }

    function liquidate(uint256 accountSeed, uint256 collateralSeed) external {
        AccountId account = _unhealthyAccount(accountSeed);
        bytes memory refusal = _keeperLiquidates(account, _heldCollateral(account, collateralSeed));
        if (refusal.length == 0) calls["liquidate"]++;
        else calls["liquidate (refused)"]++;
    }

    /// @dev The backstop vault asked to take a trader over whole: one already between zero equity
    /// and its requirement, or else one a venue's payment (a fee, a funding charge: `settleCash`
    /// checks no margin) has just left at half health. A refusal (a stale price, beyond the
    /// vault's margin) leaves everything as it was.
    function backstop(uint256 accountSeed, uint256 payeeSeed) external {
        (AccountId account, bool inBand) = _unhealthyWithEquity(accountSeed);
        if (!inBand) account = _chargedToHalfHealth(accountSeed, payeeSeed);
        vm.recordLogs();
        try backstopVault.backstop(account) {
            calls["backstop"]++;
        } catch {
            calls["backstop (refused)"]++;
        }
        _readLiquidationLogs();
    }

    /// @dev A trader the backstop would take (unhealthy, equity left), if any.
    function _unhealthyWithEquity(uint256 seed) private view returns (AccountId, bool) {
        AccountId[] memory list = traders();
        for (uint256 k; k < list.length; ++k) {
            AccountId candidate = list[(seed % list.length + k) % list.length];
            try hub.accountFigures(candidate) returns (MarginMath.Figures memory f) {
                // forge-lint: disable-next-line(unsafe-typecast) requirements are int256 sums
                if (f.maintenanceEquity > 0 && f.maintenanceEquity < int256(f.maintenanceRequirement)) {
                    return (candidate, true);
                }
            } catch {}
        }
        return (list[seed % list.length], false);
    }

    /// @dev A healthy trader with something at risk pays another trader what leaves it at half
    /// its maintenance requirement; the first such from a random start (none: `seed`'s).
    function _chargedToHalfHealth(uint256 seed, uint256 payeeSeed) private returns (AccountId) {
        AccountId[] memory list = traders();
        for (uint256 k; k < list.length; ++k) {
            AccountId payer = list[(seed % list.length + k) % list.length];
            try hub.accountFigures(payer) returns (MarginMath.Figures memory f) {
                // forge-lint: disable-next-line(unsafe-typecast) requirements are int256 sums
                int256 half = int256(f.maintenanceRequirement / 2);
                if (half == 0 || f.maintenanceEquity <= half) continue;
                AccountId payee = list[(payeeSeed % list.length + k + 1) % list.length];
                if (AccountId.unwrap(payee) == AccountId.unwrap(payer)) continue;
                // forge-lint: disable-next-line(unsafe-typecast) equity > half > 0
                uint256 amount = uint256(f.maintenanceEquity - half);
                if (amount > uint256(uint128(type(int128).max))) continue;
                vm.prank(venue);
                hub.settleCash(payer, payee, amount);
                calls["backstop (payment first)"]++;
                return payer;
            } catch {}
        }
        return list[seed % list.length];
    }

    function liquidatePosition(uint256 accountSeed, uint256 marketSeed, uint256 sizeSeed) external {
        AccountId account = _unhealthyAccount(accountSeed);
        _keeperReadyToTakeOver();
        uint16 market = _heldMarket(account, marketSeed);
        AccountId[] memory one = new AccountId[](1);
        one[0] = account;
        (MarginMath.Figures[] memory before, bool[] memory valued) = _snapshot(one);
        try hub.liquidatePosition(account, market, bound(sizeSeed, 1, type(uint128).max), 0) {
            calls["liquidatePosition"]++;
        } catch {
            calls["liquidatePosition (refused)"]++;
        }
        vm.stopPrank();
        _checkLiquidationHelped(one, before, valued, true);
        _readLiquidationLogs();
    }

    /// @dev Every trader, from a random start, liquidated against one asset in one batch: one
    /// SEIZE for the sum, the healthy and the collateral-less passed over. The asset is one an
    /// unhealthy trader holds, if there is one.
    function liquidateBatch(uint256 collateralSeed, uint256 startSeed) external {
        uint256 ci = _heldCollateral(_unhealthyAccount(startSeed), collateralSeed);
        Collateral memory c = collateral[ci];
        AccountId[] memory batch = _rotated(traders(), startSeed);
        uint256 fee = _keeperReadyToRepay(c.assetId);
        (MarginMath.Figures[] memory before, bool[] memory valued) = _snapshot(batch);
        try hub.liquidateBatch{value: fee}(batch, c.assetId, 10_000_000e6, keeper, "") returns (
            uint256, uint256 seized, uint64
        ) {
            // A batch that takes nothing sends no SEIZE.
            if (seized > 0) {
                _orderSent(ci, seized);
                calls["liquidateBatch"]++;
            } else {
                calls["liquidateBatch (none taken)"]++;
            }
        } catch {
            calls["liquidateBatch (refused)"]++;
        }
        vm.stopPrank();
        _checkLiquidationHelped(batch, before, valued, false);
        _readLiquidationLogs();
    }

    /// @dev Every trader's position in one market, from a random start, taken over in one batch.
    function liquidatePositions(uint256 marketSeed, uint256 startSeed, uint256 sizeSeed) external {
        AccountId[] memory list = _rotated(traders(), startSeed);
        uint16 market = _heldMarket(_unhealthyAccount(startSeed), marketSeed);
        IMarginHubBase.PositionTakeover[] memory takeovers = new IMarginHubBase.PositionTakeover[](list.length);
        for (uint256 i; i < list.length; ++i) {
            takeovers[i] = IMarginHubBase.PositionTakeover({
                account: list[i], marketId: market, maxSize: bound(sizeSeed, 1, type(uint128).max)
            });
        }
        _keeperReadyToTakeOver();
        (MarginMath.Figures[] memory before, bool[] memory valued) = _snapshot(list);
        try hub.liquidatePositions(takeovers, 0) returns (uint256[] memory sizes) {
            uint256 taken;
            for (uint256 i; i < sizes.length; ++i) {
                taken += sizes[i];
            }
            if (taken > 0) calls["liquidatePositions"]++;
            else calls["liquidatePositions (none taken)"]++;
        } catch {
            calls["liquidatePositions (refused)"]++;
        }
        vm.stopPrank();
        _checkLiquidationHelped(list, before, valued, true);
        _readLiquidationLogs();
    }
}
