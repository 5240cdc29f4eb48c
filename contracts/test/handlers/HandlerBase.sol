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
import {IMarginHubBase} from "../../src/interfaces/IMarginHubBase.sol";

/// @notice The state of the cross-chain handler and what its actions share: the chains'
/// collateral and the packets in flight to each destination, the ghost ledgers the invariants
/// read, the counts of what each action did, and the helpers that pick accounts, ready the keeper
/// and read the hub's liquidation events.
abstract contract HandlerBase is Test {
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
    /// @dev Each volatile feed's price when the run began: `movePrice` and `crash` move around it.
    int256[] internal firstAnswer;
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
    /// @notice Liquidations that left an account further from solvency (docs/risk-model.md
    /// section 8.2): a collateral liquidation that lowered its maintenance equity, or a takeover
    /// that lowered the health of an account that had equity.
    uint256 public liquidationsAwayFromSolvency;
    /// @dev The hub's cash index when the liquidation being checked started.
    uint256 internal _cashIndexBefore;
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
        for (uint256 i; i < volatileFeeds_; ++i) {
            firstAnswer.push(feeds_[i].answer());
        }
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
        // The traders and the handler's lender trade and pay through the venue they authorised.
        for (uint256 i; i < actors.length; ++i) {
            vm.prank(actors[i]);
            hub_.setVenueAuthorization(venue_, true);
        }
        hub_.setVenueAuthorization(venue_, true);
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

    // ------------------------------------------------------------ helpers

    function _inFlight(uint256 d, uint256 ci) internal view returns (uint256 total) {
        Packet[] storage queue = sent[d];
        for (uint256 i = delivered[d]; i < queue.length; ++i) {
            if (queue[i].collateralIndex == ci) total += queue[i].amount;
        }
    }

    /// @dev The first two trader accounts from `seed` with spare initial margin, and the smaller
    /// spare (0 when there are not two).
    function _twoWithSpareMargin(uint256 seed) internal view returns (AccountId a, AccountId b, uint256 spare) {
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

    /// @dev `elapsed` seconds later, `feed` reports `answer` and every other feed its last answer
    /// again, so none goes stale (the USD feed stays at $1).
    function _report(ManualAggregator feed, int256 answer, uint256 elapsed) internal {
        vm.warp(block.timestamp + elapsed);
        vm.startPrank(oracleOwner);
        for (uint256 i; i < feeds.length; ++i) {
            feeds[i].setAnswer(feeds[i] == feed ? answer : feeds[i].answer());
        }
        vm.stopPrank();
    }

    /// @dev A market `account` has a position in, from a random start (the start itself if none).
    function _heldMarket(AccountId account, uint256 seed) internal view returns (uint16 market) {
        uint256 m = seed % markets.length;
        for (uint256 k; k < markets.length && hub.positionOf(account, markets[m]) == 0; ++k) {
            m = (m + 1) % markets.length;
        }
        market = markets[m];
    }

    /// @dev Collateral `account` holds, from a random start (the start itself if it holds none).
    function _heldCollateral(AccountId account, uint256 seed) internal view returns (uint256 ci) {
        ci = seed % collateral.length;
        for (uint256 k; k < collateral.length && hub.collateralOf(account, collateral[ci].assetId) == 0; ++k) {
            ci = (ci + 1) % collateral.length;
        }
    }

    /// @dev The keeper, pranked and recording logs, with plenty of settlement tokens approved to
    /// the hub and `assetId`'s SEIZE fee; returns the fee.
    function _keeperReadyToRepay(uint16 assetId) internal returns (uint256 fee) {
        fee = hub.quoteOrder(assetId, MessageCodec.SEIZE, "");
        usdc.mint(keeper, 10_000_000e6);
        vm.deal(keeper, fee);
        vm.startPrank(keeper);
        usdc.approve(address(hub), 10_000_000e6);
        vm.recordLogs();
    }

    /// @dev The keeper, pranked and recording logs, with plenty of margin on the hub chain to take positions over.
    function _keeperReadyToTakeOver() internal {
        Collateral memory local = collateral[0];
        local.token.mint(keeper, 10_000_000e6);
        vm.startPrank(keeper);
        local.token.approve(address(local.vault), 10_000_000e6);
        local.vault.deposit(keeper, 0, address(local.token), 10_000_000e6, "");
        vm.recordLogs();
    }

    function _rotated(AccountId[] memory list, uint256 seed) internal pure returns (AccountId[] memory out) {
        out = new AccountId[](list.length);
        for (uint256 i; i < list.length; ++i) {
            out[i] = list[(seed % list.length + i) % list.length];
        }
    }

    /// @dev Reads the logs recorded since `vm.recordLogs()`. A BadDebtResolved for an account that
    /// still holds collateral or positions would mean debt was written off while it could be paid;
    /// it and the fund's share of a position penalty go into the insurance ghost ledger.
    function _readLiquidationLogs() internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(hub)) continue;
            if (logs[i].topics[0] == IMarginHubBase.BadDebtResolved.selector) {
                calls["badDebtResolved"]++;
                (, uint256 covered, uint256 socialisedPart) = abi.decode(logs[i].data, (uint256, uint256, uint256));
                insuranceOut += covered;
                socialised += socialisedPart;
                IMarginHubBase.AccountState memory st = hub.accountState(AccountId.wrap(logs[i].topics[1]));
                if (st.assets != 0 || st.markets != 0) badDebtWithHoldings++;
            } else if (logs[i].topics[0] == IMarginHubBase.CashIndexLowered.selector) {
                calls["lossSocialised"]++;
            } else if (logs[i].topics[0] == IMarginHubBase.PositionLiquidated.selector) {
                (,, uint256 penalty) = abi.decode(logs[i].data, (int256, uint256, uint256));
                insuranceIn += Math.mulDiv(penalty, hub.riskEngine().liquidationParams().insuranceShare, 1e18);
            }
        }
    }

    /// @dev The maintenance figures of `list` before a liquidation; `valued[i]` is false where the
    /// engine could not value the account (a stale feed), which the hub then passes over.
    function _maintenanceOf(AccountId[] memory list)
        internal
        view
        returns (MarginMath.Figures[] memory figures, bool[] memory valued)
    {
        figures = new MarginMath.Figures[](list.length);
        valued = new bool[](list.length);
        for (uint256 i; i < list.length; ++i) {
            try hub.accountFigures(list[i]) returns (MarginMath.Figures memory f) {
                (figures[i], valued[i]) = (f, true);
            } catch {}
        }
    }

    /// @dev The maintenance figures of `list` before a liquidation, and the cash index then.
    function _snapshot(AccountId[] memory list) internal returns (MarginMath.Figures[] memory, bool[] memory) {
        _cashIndexBefore = hub.cashIndex();
        return _maintenanceOf(list);
    }

    /// @dev Counts each account of `list` a liquidation left further from solvency than `before`:
    /// lower maintenance equity after a collateral liquidation; after a takeover, lower health
    /// where it had equity (an account already underwater has health 0 either way). A loss
    /// socialised in the same call (another account of a batch went bankrupt) lowers positive
    /// cash whatever the liquidation did: it is added back, with the index's rounding (a wei or
    /// two per cash move once the index is below WAD).
    function _checkLiquidationHelped(
        AccountId[] memory list,
        MarginMath.Figures[] memory before,
        bool[] memory valued,
        bool takeover
    ) internal {
        (MarginMath.Figures[] memory later, bool[] memory valuedLater) = _maintenanceOf(list);
        uint256 index = hub.cashIndex();
        for (uint256 i; i < list.length; ++i) {
            if (!valued[i] || !valuedLater[i]) continue;
            (MarginMath.Figures memory b, MarginMath.Figures memory a) = (before[i], later[i]);
            int256 cash = hub.accountState(list[i]).cash;
            if (index < 1e18) a.maintenanceEquity += 2;
            if (index < _cashIndexBefore && cash > 0) {
                // forge-lint: disable-next-line(unsafe-typecast) cash > 0; the result is below cash
                a.maintenanceEquity += int256(Math.mulDiv(uint256(cash), _cashIndexBefore - index, index)) + 1;
            }
            bool worse = takeover
                ? b.maintenanceEquity > 0
                    && MarginMath.health(a.maintenanceEquity, a.maintenanceRequirement)
                        < MarginMath.health(b.maintenanceEquity, b.maintenanceRequirement)
                : a.maintenanceEquity < b.maintenanceEquity;
            if (worse) liquidationsAwayFromSolvency++;
        }
    }

    /// @dev The keeper liquidates `account` through collateral `ci` for up to 10M: the SEIZE is put
    /// in flight, and whether the liquidation helped is counted. Returns the hub's refusal, empty
    /// when the liquidation went through.
    function _keeperLiquidates(AccountId account, uint256 ci) internal returns (bytes memory refusal) {
        Collateral memory c = collateral[ci];
        uint256 fee = _keeperReadyToRepay(c.assetId);
        AccountId[] memory one = new AccountId[](1);
        one[0] = account;
        (MarginMath.Figures[] memory before, bool[] memory valued) = _snapshot(one);
        try hub.liquidate{value: fee}(account, c.assetId, 10_000_000e6, keeper, "") returns (
            uint256, uint256 seized, uint64
        ) {
            _orderSent(ci, seized);
        } catch (bytes memory reason) {
            // Never empty: an out-of-gas revert would have failed the run.
            refusal = reason.length == 0 ? bytes("refused") : reason;
        }
        vm.stopPrank();
        _checkLiquidationHelped(one, before, valued, false);
        _readLiquidationLogs();
    }

    /// @dev The index of the destination (`eid`, `receiver`), added on first sight.
    function _destinationOf(uint32 eid, address receiver) internal returns (uint256 d) {
        for (; d < destinations.length; ++d) {
            if (destinations[d].eid == eid && destinations[d].receiver == receiver) return d;
        }
        destinations.push(Destination({eid: eid, receiver: receiver}));
    }

    /// @dev A RELEASE or SEIZE of `amount` of collateral `ci` left the hub (a hub-chain vault pays at once).
    function _orderSent(uint256 ci, uint256 amount) internal {
        Collateral memory c = collateral[ci];
        if (c.eid == hub.localEid()) return;
        sent[_destinationOf(c.eid, address(c.vault))].push(Packet({collateralIndex: ci, amount: amount}));
    }

    /// @dev The first liquidatable trader account from a random start, else a random one (which the
    /// hub must then refuse).
    function _unhealthyAccount(uint256 seed) internal view returns (AccountId) {
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

    function _spareInitialMargin(AccountId account) internal view returns (uint256) {
        try hub.accountFigures(account) returns (MarginMath.Figures memory f) {
            int256 spare = f.initialEquity - int256(f.initialRequirement);
            // forge-lint: disable-next-line(unsafe-typecast) spare > 0
            return spare > 0 ? uint256(spare) : 0;
        } catch {
            return 0;
        }
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }
}
