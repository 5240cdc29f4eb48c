// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccountId} from "../../src/libraries/AccountIdLib.sol";
import {MarginMath} from "../../src/risk/MarginMath.sol";
import {ManualAggregator} from "../../src/devnet/ManualAggregator.sol";
import {IMarginHubBase} from "../../src/interfaces/IMarginHubBase.sol";
import {IOracleGuard} from "../../src/interfaces/IOracleGuard.sol";
import {IRiskSteward} from "../../src/interfaces/IRiskSteward.sol";
import {IRiskEngine} from "../../src/interfaces/IRiskEngine.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {HandlerBase} from "./HandlerBase.sol";
import {UnrulyToken} from "../utils/UnrulyToken.sol";

/// @notice The handler's faults: a feed that answers zero or beyond its band while a keeper
/// liquidates through another asset, a sequencer outage while orders are in flight, a keeper
/// taking over the perp that hedges an account's collateral, the risk steward moving WETH's
/// maintenance haircut under the traders' feet, and a token that moves less than asked. Each asserts, where it happens, what
/// the fault must not break; the run's invariants read on after it.
abstract contract FaultActions is HandlerBase {
    IRiskSteward.Parameter internal constant MAINTENANCE = IRiskSteward.Parameter.MaintenanceHaircut;

    /// @notice The risk steward, deployed by the first `stewardMovesAHaircut`.
    IRiskSteward public steward;

    /// @notice BTC's feed answers zero, below its band or above it while a keeper liquidates an
    /// unhealthy account through WETH (finding 1): every trader's figures are still read (a
    /// holding whose price fails counts for nothing, it does not revert), and the liquidation is
    /// not refused for a price it does not need. BTC's feed answers well again afterwards.
    function liquidateWhileAFeedFails(uint256 accountSeed, uint256 wethSeed, uint256 faultSeed) external {
        ManualAggregator btc = feeds[1];
        int256 good = btc.answer();
        int256[3] memory faults = [int256(0), int256(1e8 - 1), int256(1e15 + 1)]; // $0, < $1, > $10M
        vm.prank(oracleOwner);
        btc.setAnswer(faults[faultSeed % 3]);

        AccountId[] memory list = traders();
        for (uint256 i; i < list.length; ++i) {
            hub.health(list[i]); // a revert here fails the run
        }
        AccountId account = _unhealthyAccount(accountSeed);
        if (hub.health(account) < 1e18) {
            uint256 ci = 1 + wethSeed % 2; // WETH on chain A or B
            Collateral memory c = collateral[ci];
            if (hub.collateralOf(account, c.assetId) != 0) _liquidateThrough(account, ci);
        }
        vm.prank(oracleOwner);
        btc.setAnswer(good);
    }

    /// @notice The sequencer goes down while orders are in flight: every margin figure is held
    /// (refused by name, as Aave's sentinel does), yet RELEASEs and SEIZEs already sent are paid,
    /// since custody never waits on a price. The sequencer is back up afterwards.
    function sequencerOutage(uint256 destinationSeed) external {
        ManualAggregator sequencer = ManualAggregator(address(hub.riskEngine().sequencerFeed()));
        vm.prank(oracleOwner);
        sequencer.setAnswer(1);

        AccountId[] memory list = traders();
        for (uint256 i; i < list.length; ++i) {
            IMarginHubBase.AccountState memory st = hub.accountState(list[i]);
            if (st.assets == 0 && st.markets == 0) continue;
            try hub.health(list[i]) returns (uint256) {
                revert("figures read while the sequencer is down");
            } catch (bytes memory reason) {
                // forge-lint: disable-next-line(unsafe-typecast) the selector: the first 4 bytes are meant
                assertEq(bytes4(reason), IOracleGuard.SequencerDown.selector);
            }
        }
        // A vault's orders: the hub is destination 0.
        uint256 d = 1 + destinationSeed % (destinations.length - 1);
        uint256 waiting = sent[d].length - delivered[d];
        if (waiting != 0) {
            Destination memory to = destinations[d];
            courier.deliverSome(to.eid, to.receiver, waiting); // a revert here fails the run
            delivered[d] += waiting;
            calls["deliver while sequencer down"]++;
        }
        vm.prank(oracleOwner);
        sequencer.setAnswer(0);
        calls["sequencerOutage"]++;
    }

    /// @notice A keeper takes over the perp of an unhealthy account that holds WETH (finding 2):
    /// when the perp is short it hedges the WETH, and taking it would raise the requirement, so
    /// the hub refuses by name any takeover that lowers the account's health.
    function takeOverHedgeLeg(uint256 accountSeed, uint256 sizeSeed) external {
        AccountId account = _unhealthyAccount(accountSeed);
        uint16 perp = markets[0];
        int256 position = hub.positionOf(account, perp);
        if (position == 0 || hub.health(account) >= 1e18) return;
        _keeperReadyToTakeOver();
        AccountId[] memory one = new AccountId[](1);
        one[0] = account;
        (MarginMath.Figures[] memory before, bool[] memory valued) = _snapshot(one);
        // Whether it lowered health is `_checkLiquidationHelped`'s to count (with the cash index's
        // rounding of a wei or two), and `checkEveryLiquidationHelped`'s to refuse.
        try hub.liquidatePosition(account, perp, bound(sizeSeed, 1, type(uint128).max), 0) {
            calls["takeOverHedgeLeg"]++;
        } catch (bytes memory reason) {
            // forge-lint: disable-next-line(unsafe-typecast) the selector: the first 4 bytes are meant
            if (bytes4(reason) == IMarginHubBase.TakeoverLowersHealth.selector) {
                calls["takeOverHedgeLeg"]++;
                calls["takeOverHedgeLeg (refused)"]++;
            }
        }
        vm.stopPrank();
        _checkLiquidationHelped(one, before, valued, true);
        _readLiquidationLogs();
    }

    function _liquidateThrough(AccountId account, uint256 ci) private {
        bytes memory refusal = _keeperLiquidates(account, ci);
        if (refusal.length == 0) {
            calls["liquidateWhileAFeedFails"]++;
            return;
        }
        // Refused for its own reasons (a close factor of dust, no gain left), never a price.
        // forge-lint: disable-next-line(unsafe-typecast) the selector: the first 4 bytes are meant
        bytes4 s = bytes4(refusal);
        assertTrue(
            s != IOracleGuard.PriceOutOfBounds.selector && s != IOracleGuard.NonPositivePrice.selector,
            "a liquidation refused for a price it does not need"
        );
        calls["feed fails: liquidate refused"]++;
    }

    /// @notice The steward proposes WETH-A's maintenance haircut anywhere from 8% to 22% after up
    /// to two hours: within its bounds (10%-20%, a step of a half, an hour's cooldown) a raise
    /// applies at once, which can make accounts liquidatable in one call, and a lowering waits an
    /// hour; outside them, or too soon, it is refused. A due lowering is executed first.
    function stewardMovesAHaircut(uint256 valueSeed, uint256 waitSeed) external {
        IRiskSteward s = _steward();
        uint16 weth = collateral[1].assetId;
        _report(feeds[0], feeds[0].answer(), bound(waitSeed, 1, 2 hours));
        IRiskSteward.PendingLowering memory pending = s.pendingLowering(MAINTENANCE, weth);
        if (pending.value != 0 && block.timestamp >= pending.executableAt) {
            try s.executeLowering(MAINTENANCE, weth) {
                calls["stewardMovesAHaircut"]++;
            } catch {}
        }
        // forge-lint: disable-next-line(unsafe-typecast) bounded to at most 0.22e18
        uint64 value = uint64(bound(valueSeed, 0.08e18, 0.22e18));
        try s.propose(MAINTENANCE, weth, value) {
            calls["stewardMovesAHaircut"]++;
        } catch {
            calls["stewardMovesAHaircut (refused)"]++;
        }
    }

    /// @notice The unruly token (the last collateral) moves less than asked (0.001 a transfer,
    /// reporting success) from three calls in four on, and the fourth moves it in full again and
    /// has a recipient claim what the vault kept for them. A RELEASE or SEIZE it cuts short is still applied and the rest kept for the
    /// recipient, so the vault always holds its custody plus every payout it kept.
    function unrulyToken(uint256 actorSeed, uint256 modeSeed) external {
        Collateral memory c = collateral[collateral.length - 1];
        UnrulyToken token = UnrulyToken(address(c.token));
        address actor;
        uint256 kept;
        for (uint256 i; i < actors.length; ++i) {
            kept += c.vault.owed(actors[i], address(token));
        }
        kept += c.vault.owed(keeper, address(token));
        assertGe(token.balanceOf(address(c.vault)), c.vault.custodied(address(token)) + kept, "custody + kept <= held");
        if (kept != 0) calls["payout kept"]++;
        if (modeSeed % 4 != 0) {
            token.setMaxMove(0.001e18);
            return;
        }
        // A claim, once the token moves in full again: the first recipient (an actor, or the keeper
        // its seizures pay) from a random start with a payout kept for them.
        token.setMaxMove(type(uint256).max);
        uint256 owed;
        for (uint256 k; k <= actors.length && owed == 0; ++k) {
            uint256 i = (actorSeed % (actors.length + 1) + k) % (actors.length + 1);
            actor = i == actors.length ? keeper : actors[i];
            owed = c.vault.owed(actor, address(token));
        }
        if (owed == 0) return;
        uint256 before = token.balanceOf(actor);
        vm.prank(actor);
        c.vault.claim(address(token), actor);
        assertEq(token.balanceOf(actor), before + owed, "the kept payout, whole");
        calls["claim a kept payout"]++;
    }

    function _steward() private returns (IRiskSteward s) {
        s = steward;
        if (address(s) != address(0)) return s;
        IRiskEngine engine = hub.riskEngine();
        s = IRiskSteward(deployCode("RiskSteward.sol:RiskSteward", abi.encode(engine, address(this), address(this))));
        steward = s;
        bytes32 riskAdmin = keccak256("RISK_ADMIN_ROLE");
        vm.prank(oracleOwner); // the fixture's admin
        IAccessControl(address(engine)).grantRole(riskAdmin, address(s));
        s.setBounds(
            MAINTENANCE,
            collateral[1].assetId,
            IRiskSteward.Bounds({
                min: 0.1e18,
                max: 0.2e18,
                maxStep: 0.5e18,
                cooldown: 1 hours,
                loweringDelay: 1 hours,
                maxDailyRaise: 1e18
            })
        );
    }
}
