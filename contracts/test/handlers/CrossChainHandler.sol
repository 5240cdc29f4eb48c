// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, Vm} from "forge-std/Test.sol";
import {CollateralVault} from "../../src/CollateralVault.sol";
import {MarginHub} from "../../src/MarginHub.sol";
import {MessageCodec} from "../../src/libraries/MessageCodec.sol";
import {AccountId, AccountIdLib} from "../../src/libraries/AccountIdLib.sol";
import {TestToken} from "../../src/devnet/TestToken.sol";
import {MarginMath} from "../../src/risk/MarginMath.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ManualAggregator} from "../../src/devnet/ManualAggregator.sol";
import {IPacketCourier} from "./IPacketCourier.sol";
import {IMarginHub} from "../../src/interfaces/IMarginHub.sol";
import {IRiskConfig} from "../../src/interfaces/IRiskConfig.sol";
import {IRiskEngine} from "../../src/interfaces/IRiskEngine.sol";
import {FeedRounds} from "../utils/FeedRounds.sol";

/// @notice Random traffic across the hub and both spokes: deposits and withdrawals on every chain;
/// packets delivered late, a few at a time, to one chain while the others wait; borrowing and
/// repaying cash; perp and option trades; price and volatility moves; time passing, options
/// expiring and settling; collateral and position liquidations; insurance top-ups. It keeps ghost
/// ledgers (what is in flight, what entered and left the insurance fund) for the invariants.
contract CrossChainHandler is Test {
    using AccountIdLib for AccountId;

    struct Collateral {
        CollateralVault vault;
        TestToken token;
        uint16 assetId;
        uint32 eid;
        uint256 unit; // one whole token
    }

    /// @dev A packet sent and not yet delivered: the collateral it moves and how much.
    struct Packet {
        uint256 collateralIndex;
        uint256 amount;
    }

    /// @dev Where packets go: the hub (CREDITs from the spokes) or a spoke's vault (RELEASE, SEIZE).
    struct Destination {
        uint32 eid;
        address receiver;
    }

    IPacketCourier internal immutable courier;
    MarginHub internal immutable hub;
    TestToken internal immutable usdc;
    address internal immutable venue;
    address internal immutable oracleOwner;
    /// @dev The perp first, then options.
    uint16[] internal markets;
    /// @dev The volatile feeds first (moved by `movePrice`), then the others; `volFeed` among them.
    ManualAggregator[] internal feeds;
    uint256 internal immutable volatileFeeds;
    ManualAggregator internal immutable volFeed;
    Collateral[] internal collateral;
    Destination[] internal destinations;
    /// @dev Per destination, the packets in the order they were sent; `delivered` of them arrived.
    mapping(uint256 => Packet[]) internal sent;
    mapping(uint256 => uint256) internal delivered;
    address[] public actors;
    address public keeper = makeAddr("handler-keeper");

    /// @notice Times bad debt was recorded against an account that still held collateral or positions.
    uint256 public badDebtWithHoldings;
    /// @notice Deliveries the destination refused (a vault paying more than it holds, a bad CREDIT).
    uint256 public refusedDeliveries;
    /// @notice Ghost ledger of the insurance fund: what came in (top-ups, the fund's share of
    /// position penalties) and what bankrupt accounts took out; and the bad debt socialised.
    uint256 public insuranceIn;
    uint256 public insuranceOut;
    uint256 public socialised;
    mapping(bytes32 => uint256) public calls;

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
        Collateral[] memory collateral_
    ) {
        volatileFeeds = volatileFeeds_;
        volFeed = volFeed_;
        courier = courier_;
        hub = hub_;
        usdc = usdc_;
        venue = venue_;
        oracleOwner = oracleOwner_;
        markets = markets_;
        feeds = feeds_;
        destinations.push(Destination({eid: hub_.localEid(), receiver: address(hub_)}));
        for (uint256 i; i < collateral_.length; ++i) {
            collateral.push(collateral_[i]);
            if (collateral_[i].eid != hub_.localEid()) {
                _destinationOf(collateral_[i].eid, address(collateral_[i].vault));
            }
        }
        actors.push(makeAddr("actor-0"));
        actors.push(makeAddr("actor-1"));
        actors.push(makeAddr("actor-2"));
    }

    // ------------------------------------------------------------ views for the invariants

    function collateralCount() external view returns (uint256) {
        return collateral.length;
    }

    function collateralAt(uint256 i) external view returns (Collateral memory) {
        return collateral[i];
    }

    /// @notice CREDITs for collateral `ci` sent and not yet applied by the hub.
    function creditsInFlight(uint256 ci) external view returns (uint256) {
        return _inFlight(0, ci);
    }

    /// @notice RELEASE and SEIZE amounts of collateral `ci` the hub debited and its vault has not paid.
    function ordersInFlight(uint256 ci) external view returns (uint256 total) {
        for (uint256 d = 1; d < destinations.length; ++d) {
            total += _inFlight(d, ci);
        }
    }

    function _inFlight(uint256 d, uint256 ci) private view returns (uint256 total) {
        Packet[] storage queue = sent[d];
        for (uint256 i = delivered[d]; i < queue.length; ++i) {
            if (queue[i].collateralIndex == ci) total += queue[i].amount;
        }
    }

    /// @notice The traders' accounts: each actor's sub-accounts 0 and 1.
    function traders() public view returns (AccountId[] memory list) {
        list = new AccountId[](actors.length * 2);
        for (uint256 i; i < actors.length; ++i) {
            list[2 * i] = AccountIdLib.toAccountId(actors[i], 0);
            list[2 * i + 1] = AccountIdLib.toAccountId(actors[i], 1);
        }
    }

    /// @notice Every account the handler ever touches: the traders', the keeper's and the lender's.
    function accounts() public view returns (AccountId[] memory list) {
        AccountId[] memory t = traders();
        list = new AccountId[](t.length + 2);
        for (uint256 i; i < t.length; ++i) {
            list[i] = t[i];
        }
        list[t.length] = AccountIdLib.toAccountId(keeper, 0);
        list[t.length + 1] = AccountIdLib.toAccountId(address(this), 0); // the lender
    }

    /// @notice The hub's clearing account of each option market: the counterparty of every
    /// settlement, so its cash belongs in every sum of account cash.
    function clearingAccounts() external view returns (AccountId[] memory list) {
        list = new AccountId[](markets.length - 1);
        for (uint256 i = 1; i < markets.length; ++i) {
            list[i - 1] = AccountIdLib.toAccountId(address(hub), markets[i]);
        }
    }

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

    function repay(uint256 actorSeed, uint32 sub, uint256 amountSeed) external {
        address actor = _actor(actorSeed);
        uint256 tokens = bound(amountSeed, 1, 100_000e6);
        usdc.mint(actor, tokens);
        vm.startPrank(actor);
        usdc.approve(address(hub), tokens);
        hub.depositCash(actor, sub % 2, tokens);
        vm.stopPrank();
        calls["repay"]++;
    }

    /// @notice A venue trade between two trader accounts that have spare initial margin (from a
    /// random start), in a random market, sized up to about what their margin allows and a little
    /// beyond (refused), at up to 3% off the mark.
    function trade(uint256 accountSeed, uint256 marketSeed, uint256 sizeSeed, int256 offsetSeed) external {
        uint16 market = markets[marketSeed % markets.length];
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

    /// @dev The first two trader accounts from `seed` with spare initial margin, and the smaller
    /// spare (0 when there are not two).
    function _twoWithSpareMargin(uint256 seed) private view returns (AccountId a, AccountId b, uint256 spare) {
        AccountId[] memory list = traders();
        uint256 n = list.length;
        uint256 found;
        for (uint256 k; k < n && found < 2; ++k) {
            AccountId candidate = list[(seed % n + k) % n];
            uint256 s = _spareInitialMargin(candidate);
            if (s == 0) continue;
            if (found++ == 0) (a, spare) = (candidate, s);
            else (b, spare) = (candidate, Math.min(spare, s));
        }
        if (found < 2) spare = 0;
    }

    /// @notice Moves ETH or BTC (the first `volatileFeeds` feeds) by up to 40%, a minute later.
    function movePrice(uint256 feedSeed, int256 bpsSeed) external {
        ManualAggregator feed = feeds[feedSeed % volatileFeeds];
        int256 next = feed.answer() * (10_000 + bound(bpsSeed, -4_000, 4_000)) / 10_000;
        _report(feed, next < 100e8 ? int256(100e8) : next, 60);
        calls["movePrice"]++;
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
        AccountId[] memory list = accounts();
        uint256 options = markets.length - 1; // markets[0] is the perp
        for (uint256 k; k < list.length * options; ++k) {
            AccountId account = list[(accountSeed % list.length + k / options) % list.length];
            uint16 market = markets[1 + (marketSeed % options + k) % options];
            if (hub.positionOf(account, market) == 0) continue;
            _fixSettlementIfExpired(market);
            vm.recordLogs();
            try hub.settleExpired(account, market) {
                calls["settle"]++;
            } catch {
                calls["settle (refused)"]++;
            }
            _readLiquidationLogs();
            return;
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

    /// @dev `elapsed` seconds later, `feed` reports `answer` and every other feed its last answer
    /// again, so none goes stale (the USD feed stays at $1).
    function _report(ManualAggregator feed, int256 answer, uint256 elapsed) private {
        vm.warp(block.timestamp + elapsed);
        vm.startPrank(oracleOwner);
        for (uint256 i; i < feeds.length; ++i) {
            feeds[i].setAnswer(feeds[i] == feed ? answer : feeds[i].answer());
        }
        vm.stopPrank();
    }

    function liquidate(uint256 accountSeed, uint256 collateralSeed) external {
        AccountId account = _unhealthyAccount(accountSeed);
        uint256 ci = _heldCollateral(account, collateralSeed);
        Collateral memory c = collateral[ci];
        uint256 fee = _keeperReadyToRepay(c.assetId);
        try hub.liquidate{value: fee}(account, c.assetId, 10_000_000e6, keeper, "") returns (
            uint256, uint256 seized, uint64
        ) {
            _orderSent(ci, seized);
            calls["liquidate"]++;
        } catch {
            calls["liquidate (refused)"]++;
        }
        vm.stopPrank();
        _readLiquidationLogs();
    }

    function liquidatePosition(uint256 accountSeed, uint256 marketSeed, uint256 sizeSeed) external {
        AccountId account = _unhealthyAccount(accountSeed);
        _keeperReadyToTakeOver();
        uint16 market = markets[marketSeed % markets.length];
        try hub.liquidatePosition(account, market, bound(sizeSeed, 1, type(uint128).max), 0) {
            calls["liquidatePosition"]++;
        } catch {
            calls["liquidatePosition (refused)"]++;
        }
        vm.stopPrank();
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
        _readLiquidationLogs();
    }

    /// @dev Every trader's position in one market, from a random start, taken over in one batch.
    function liquidatePositions(uint256 marketSeed, uint256 startSeed, uint256 sizeSeed) external {
        AccountId[] memory list = _rotated(traders(), startSeed);
        uint16 market = markets[marketSeed % markets.length];
        IMarginHub.PositionTakeover[] memory takeovers = new IMarginHub.PositionTakeover[](list.length);
        for (uint256 i; i < list.length; ++i) {
            takeovers[i] = IMarginHub.PositionTakeover({
                account: list[i], marketId: market, maxSize: bound(sizeSeed, 1, type(uint128).max)
            });
        }
        _keeperReadyToTakeOver();
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
        _readLiquidationLogs();
    }

    /// @dev Collateral `account` holds, from a random start (the start itself if it holds none).
    function _heldCollateral(AccountId account, uint256 seed) private view returns (uint256 ci) {
        ci = seed % collateral.length;
        for (uint256 k; k < collateral.length && hub.collateralOf(account, collateral[ci].assetId) == 0; ++k) {
            ci = (ci + 1) % collateral.length;
        }
    }

    /// @dev The keeper, pranked and recording logs, with plenty of settlement tokens approved to
    /// the hub and `assetId`'s SEIZE fee; returns the fee.
    function _keeperReadyToRepay(uint16 assetId) private returns (uint256 fee) {
        fee = hub.quoteOrder(assetId, MessageCodec.SEIZE, "");
        usdc.mint(keeper, 10_000_000e6);
        vm.deal(keeper, fee);
        vm.startPrank(keeper);
        usdc.approve(address(hub), 10_000_000e6);
        vm.recordLogs();
    }

    /// @dev The keeper, pranked and recording logs, with plenty of margin on the hub chain to take positions over.
    function _keeperReadyToTakeOver() private {
        Collateral memory local = collateral[0];
        local.token.mint(keeper, 10_000_000e6);
        vm.startPrank(keeper);
        local.token.approve(address(local.vault), 10_000_000e6);
        local.vault.deposit(keeper, 0, address(local.token), 10_000_000e6, "");
        vm.recordLogs();
    }

    function _rotated(AccountId[] memory list, uint256 seed) private pure returns (AccountId[] memory out) {
        out = new AccountId[](list.length);
        for (uint256 i; i < list.length; ++i) {
            out[i] = list[(seed % list.length + i) % list.length];
        }
    }

    /// @dev Reads the logs recorded since `vm.recordLogs()`. A BadDebtResolved for an account that
    /// still holds collateral or positions would mean debt was written off while it could be paid;
    /// it and the fund's share of a position penalty go into the insurance ghost ledger.
    function _readLiquidationLogs() private {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(hub)) continue;
            if (logs[i].topics[0] == IMarginHub.BadDebtResolved.selector) {
                calls["badDebtResolved"]++;
                (, uint256 covered, uint256 socialisedPart) = abi.decode(logs[i].data, (uint256, uint256, uint256));
                insuranceOut += covered;
                socialised += socialisedPart;
                IMarginHub.AccountState memory st = hub.accountState(AccountId.wrap(logs[i].topics[1]));
                if (st.assets != 0 || st.markets != 0) badDebtWithHoldings++;
            } else if (logs[i].topics[0] == IMarginHub.PositionLiquidated.selector) {
                (,, uint256 penalty) = abi.decode(logs[i].data, (int256, uint256, uint256));
                insuranceIn += Math.mulDiv(penalty, hub.riskEngine().liquidationParams().insuranceShare, 1e18);
            }
        }
    }

    /// @dev The index of the destination (`eid`, `receiver`), added on first sight.
    function _destinationOf(uint32 eid, address receiver) private returns (uint256 d) {
        for (; d < destinations.length; ++d) {
            if (destinations[d].eid == eid && destinations[d].receiver == receiver) return d;
        }
        destinations.push(Destination({eid: eid, receiver: receiver}));
    }

    /// @dev A RELEASE or SEIZE of `amount` of collateral `ci` left the hub (a hub-chain vault pays at once).
    function _orderSent(uint256 ci, uint256 amount) private {
        Collateral memory c = collateral[ci];
        if (c.eid == hub.localEid()) return;
        sent[_destinationOf(c.eid, address(c.vault))].push(Packet({collateralIndex: ci, amount: amount}));
    }

    /// @dev The first liquidatable trader account from a random start, else a random one (which the
    /// hub must then refuse).
    function _unhealthyAccount(uint256 seed) private view returns (AccountId) {
        AccountId[] memory list = traders();
        uint256 n = list.length;
        for (uint256 k; k < n; ++k) {
            AccountId candidate = list[(seed % n + k) % n];
            try hub.health(candidate) returns (uint256 h) {
                if (h < 1e18) return candidate;
            } catch {}
        }
        return list[seed % n];
    }

    function _spareInitialMargin(AccountId account) private view returns (uint256) {
        try hub.accountFigures(account) returns (MarginMath.Figures memory f) {
            int256 spare = f.initialEquity - int256(f.initialRequirement);
            // forge-lint: disable-next-line(unsafe-typecast) spare > 0
            return spare > 0 ? uint256(spare) : 0;
        } catch {
            return 0;
        }
    }

    function _actor(uint256 seed) private view returns (address) {
        return actors[seed % actors.length];
    }
}
