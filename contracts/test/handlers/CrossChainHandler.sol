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

/// @notice Random traffic across the hub and both spokes: deposits on any chain, late deliveries,
/// withdrawals, borrowing and repaying cash, perp trades, price moves and liquidations. It keeps
/// ghost totals of what is in flight so the invariants can compare ledgers to custody.
contract CrossChainHandler is Test {
    using AccountIdLib for AccountId;

    struct Collateral {
        CollateralVault vault;
        TestToken token;
        uint16 assetId;
        uint32 eid;
        uint256 unit; // one whole token
    }

    IPacketCourier internal immutable courier;
    MarginHub internal immutable hub;
    TestToken internal immutable usdc;
    address internal immutable venue;
    address internal immutable oracleOwner;
    uint16 internal immutable perp;
    ManualAggregator[] internal feeds;
    uint256 internal immutable volatileFeeds;
    Collateral[] internal collateral;
    address[] public actors;
    address public keeper = makeAddr("handler-keeper");

    /// @notice Per collateral index: CREDITs sent and not yet applied, and RELEASE/SEIZE amounts the
    /// hub debited and the vault has not yet paid.
    mapping(uint256 => uint256) public creditsInFlight;
    mapping(uint256 => uint256) public ordersInFlight;
    /// @notice Times bad debt was recorded against an account that still held collateral or positions.
    uint256 public badDebtWithHoldings;
    mapping(bytes32 => uint256) public calls;

    constructor(
        IPacketCourier courier_,
        MarginHub hub_,
        TestToken usdc_,
        address venue_,
        address oracleOwner_,
        uint16 perp_,
        ManualAggregator[] memory feeds_,
        uint256 volatileFeeds_,
        Collateral[] memory collateral_
    ) {
        volatileFeeds = volatileFeeds_;
        courier = courier_;
        hub = hub_;
        usdc = usdc_;
        venue = venue_;
        oracleOwner = oracleOwner_;
        perp = perp_;
        feeds = feeds_;
        for (uint256 i; i < collateral_.length; ++i) {
            collateral.push(collateral_[i]);
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

    /// @notice Every account the handler ever touches.
    function accounts() public view returns (AccountId[] memory list) {
        list = new AccountId[](actors.length * 2 + 2);
        for (uint256 i; i < actors.length; ++i) {
            list[2 * i] = AccountIdLib.toAccountId(actors[i], 0);
            list[2 * i + 1] = AccountIdLib.toAccountId(actors[i], 1);
        }
        list[actors.length * 2] = AccountIdLib.toAccountId(keeper, 0);
        list[actors.length * 2 + 1] = AccountIdLib.toAccountId(address(this), 0); // the lender
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
        if (c.eid != hub.localEid()) creditsInFlight[ci] += credited;
        calls["deposit"]++;
        if (amountSeed % 2 == 0) _deliverCredits();
    }

    function deliverCredits() external {
        _deliverCredits();
    }

    function _deliverCredits() private {
        courier.deliver(hub.localEid(), address(hub));
        for (uint256 i; i < collateral.length; ++i) {
            creditsInFlight[i] = 0;
        }
        calls["deliverCredits"]++;
    }

    function deliverOrders() external {
        for (uint256 i; i < collateral.length; ++i) {
            Collateral memory c = collateral[i];
            if (c.eid == hub.localEid()) continue;
            courier.deliver(c.eid, address(c.vault));
        }
        for (uint256 i; i < collateral.length; ++i) {
            if (collateral[i].eid != hub.localEid()) ordersInFlight[i] = 0;
        }
        calls["deliverOrders"]++;
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
            if (c.eid != hub.localEid()) ordersInFlight[ci] += amount;
            calls["withdraw"]++;
        } catch {
            calls["withdraw (refused)"]++;
        }
    }

    function lend(uint256 amountSeed) external {
        uint256 tokens = bound(amountSeed, 1, 1_000_000e6);
        usdc.mint(address(this), tokens);
        usdc.approve(address(hub), tokens);
        hub.depositCash(address(this), 0, tokens);
        calls["lend"]++;
    }

    function borrow(uint256 actorSeed, uint32 sub, uint256 amountSeed) external {
        address actor = _actor(actorSeed);
        sub = sub % 2;
        uint256 spare = _spareInitialMargin(AccountIdLib.toAccountId(actor, sub));
        // Mostly within the spare margin (succeeds), sometimes up to 20% beyond it (refused).
        uint256 tokens = bound(amountSeed, 1, spare * 12 / 10 / 1e12 + 1);
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

    function trade(uint256 buyerSeed, uint256 sellerSeed, uint256 sizeSeed, int256 offsetSeed) external {
        // forge-lint: disable-next-line(unsafe-typecast) truncating a random seed is intended
        AccountId buyer = AccountIdLib.toAccountId(_actor(buyerSeed), uint32(buyerSeed >> 128) % 2);
        // forge-lint: disable-next-line(unsafe-typecast) truncating a random seed is intended
        AccountId seller = AccountIdLib.toAccountId(_actor(sellerSeed), uint32(sellerSeed >> 128) % 2);
        if (AccountId.unwrap(buyer) == AccountId.unwrap(seller)) return;
        uint256 mark;
        try hub.riskEngine().markPrice(perp) returns (uint256 m) {
            mark = m;
        } catch {
            return;
        }
        uint256 spare = Math.min(_spareInitialMargin(buyer), _spareInitialMargin(seller));
        // Notional up to 12x the smaller spare margin: the 10% initial factor allows 10x.
        uint256 size = bound(sizeSeed, 1e15, spare * 12 / mark + 1e15);
        int256 offsetBps = bound(offsetSeed, -300, 300);
        // forge-lint: disable-next-line(unsafe-typecast) mark < 2^128, offsetBps > -10,000
        uint256 price = uint256(int256(mark) * (10_000 + offsetBps) / 10_000);
        vm.prank(venue);
        try hub.trade(buyer, seller, perp, size, price) {
            calls["trade"]++;
        } catch {
            calls["trade (refused)"]++;
        }
    }

    /// @notice Moves ETH or BTC (the first `volatileFeeds` feeds) by up to 40%, and refreshes every
    /// feed so none goes stale; the USD feed stays at $1.
    function movePrice(uint256 feedSeed, int256 bpsSeed) external {
        ManualAggregator feed = feeds[feedSeed % volatileFeeds];
        int256 bps = bound(bpsSeed, -4_000, 4_000);
        int256 next = feed.answer() * (10_000 + bps) / 10_000;
        if (next < 100e8) next = 100e8;
        vm.warp(block.timestamp + 60);
        vm.startPrank(oracleOwner);
        for (uint256 i; i < feeds.length; ++i) {
            feeds[i].setAnswer(feeds[i] == feed ? next : feeds[i].answer());
        }
        vm.stopPrank();
        calls["movePrice"]++;
    }

    function liquidate(uint256 accountSeed, uint256 collateralSeed) external {
        AccountId account = _unhealthyAccount(accountSeed);
        uint256 ci = collateralSeed % collateral.length;
        for (uint256 k; k < collateral.length && hub.collateralOf(account, collateral[ci].assetId) == 0; ++k) {
            ci = (ci + 1) % collateral.length;
        }
        Collateral memory c = collateral[ci];
        uint256 fee = hub.quoteOrder(c.assetId, MessageCodec.SEIZE, "");
        usdc.mint(keeper, 10_000_000e6);
        vm.deal(keeper, fee);
        vm.startPrank(keeper);
        usdc.approve(address(hub), 10_000_000e6);
        vm.recordLogs();
        try hub.liquidate{value: fee}(account, c.assetId, 10_000_000e6, keeper, "") returns (
            uint256, uint256 seized, uint64
        ) {
            if (c.eid != hub.localEid()) ordersInFlight[ci] += seized;
            calls["liquidate"]++;
        } catch {
            calls["liquidate (refused)"]++;
        }
        vm.stopPrank();
        _checkBadDebtOnlyWhenEmpty(account);
    }

    function liquidatePosition(uint256 accountSeed, uint256 sizeSeed) external {
        AccountId account = _unhealthyAccount(accountSeed);
        // The keeper stands ready with plenty of margin on the hub chain.
        Collateral memory local = collateral[0];
        local.token.mint(keeper, 10_000_000e6);
        vm.startPrank(keeper);
        local.token.approve(address(local.vault), 10_000_000e6);
        local.vault.deposit(keeper, 0, address(local.token), 10_000_000e6, "");
        vm.recordLogs();
        try hub.liquidatePosition(account, perp, bound(sizeSeed, 1, type(uint128).max), 0) {
            calls["liquidatePosition"]++;
        } catch {
            calls["liquidatePosition (refused)"]++;
        }
        vm.stopPrank();
        _checkBadDebtOnlyWhenEmpty(account);
    }

    /// @dev Reads the logs recorded since `vm.recordLogs()`: a BadDebtResolved for an account that
    /// still holds collateral or positions would mean debt was written off while it could be paid.
    function _checkBadDebtOnlyWhenEmpty(AccountId account) private {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(hub) || logs[i].topics[0] != IMarginHub.BadDebtResolved.selector) continue;
            calls["badDebtResolved"]++;
            IMarginHub.AccountState memory st = hub.accountState(account);
            if (st.assets != 0 || st.markets != 0) badDebtWithHoldings++;
        }
    }

    /// @dev The first liquidatable trader account from a random start, else a random one (which the
    /// hub must then refuse).
    function _unhealthyAccount(uint256 seed) private view returns (AccountId) {
        AccountId[] memory list = accounts();
        uint256 n = list.length - 2; // traders only, not the keeper or the lender
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
