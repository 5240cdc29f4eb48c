// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "forge-std/Vm.sol";
import {AccountId} from "../../src/libraries/AccountIdLib.sol";
import {MarginMath} from "../../src/risk/MarginMath.sol";
import {IMarginHubBase} from "../../src/interfaces/IMarginHubBase.sol";
import {IRiskConfig} from "../../src/interfaces/IRiskConfig.sol";
import {HubPositionLiquidator} from "../../src/hub/HubPositionLiquidator.sol";
import {FlowHelpers} from "./FlowHelpers.sol";

/// @notice A position takeover never leaves an account with equity less healthy
/// (docs/risk-model.md section 8.2): a hedge leg is taken as a slice of the whole book or refused,
/// and the penalty is capped.
abstract contract TakeoverFlows is FlowHelpers {
    /// @dev The takeovers run the liquidator's code in the hub's storage; called directly, it
    /// would act on a ledger of its own where no account exists, and refuses instead.
    function test_liquidatePosition_liquidatorRunsOnlyThroughTheHub() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _depositHubUsdc(bob, 1_000_000e6, 0);
        _depositHubUsdc(keeper, 1_000_000e6, 0);
        vm.prank(venue);
        hub.trade(_acct(alice, 0), _acct(bob, 0), ethPerp, 20e18, 3000e18);
        _setEthPrice(2000e8);
        HubPositionLiquidator liquidator = HubPositionLiquidator(hub.positionLiquidator());
        vm.expectRevert(HubPositionLiquidator.NotThroughTheHub.selector);
        vm.prank(keeper);
        liquidator.liquidatePosition(_acct(alice, 0), ethPerp, 1e18, 0);
        IMarginHubBase.PositionTakeover[] memory batch = new IMarginHubBase.PositionTakeover[](1);
        batch[0] = IMarginHubBase.PositionTakeover({account: _acct(alice, 0), marketId: ethPerp, maxSize: 1e18});
        vm.expectRevert(HubPositionLiquidator.NotThroughTheHub.selector);
        vm.prank(keeper);
        liquidator.liquidatePositions(batch, 0);
        // Through the hub, the same call takes the position, in the hub's ledger.
        vm.prank(keeper);
        assertGt(hub.liquidatePosition(_acct(alice, 0), ethPerp, 1e18, 0), 0);
        assertGt(hub.positionOf(_acct(keeper, 0), ethPerp), 0, "the keeper holds what it took");
    }

    /// @dev 10 WETH borrowed against and hedged by a short 10 ETH perp: as ETH rises, the perp
    /// loses more than the haircut collateral gains, and the account becomes liquidatable. Taking
    /// the short away leaves the collateral unhedged against the grid's fall: health drops.
    function test_liquidatePosition_refusesTheHedgeLeg() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _depositHubUsdc(bob, 1_000_000e6, 0);
        _depositHubUsdc(keeper, 1_000_000e6, 0);
        AccountId a = _acct(alice, 0);
        vm.prank(venue);
        hub.trade(_acct(bob, 0), a, ethPerp, 10e18, 3000e18);
        _seedLiquidity(1_000_000e6);
        vm.prank(alice);
        hub.withdrawCash(0, 22_000e6, alice);
        // ETH up in $50 steps until the account is just unhealthy: equity 7,000 - 1.5p falls
        // faster than the hedged requirement rises.
        int256 price = 3900e8;
        while (_health(a) >= 1e18 && price < 6000e8) {
            price += 50e8;
            _setEthPrice(price);
        }
        uint256 h = _health(a);
        assertLt(h, 1e18, "liquidatable");
        assertGt(hub.accountFigures(a).maintenanceEquity, 0, "with equity left");
        int256 cash = hub.accountState(a).cash;

        vm.expectPartialRevert(IMarginHubBase.TakeoverLowersHealth.selector);
        vm.prank(keeper);
        hub.liquidatePosition(a, ethPerp, type(uint256).max, 0);

        IMarginHubBase.PositionTakeover[] memory batch = new IMarginHubBase.PositionTakeover[](1);
        batch[0] = IMarginHubBase.PositionTakeover({account: a, marketId: ethPerp, maxSize: type(uint256).max});
        vm.recordLogs();
        vm.prank(keeper);
        uint256[] memory sizes = hub.liquidatePositions(batch, 0);
        assertEq(sizes[0], 0, "passed over");
        bytes memory reason = _skipReason();
        // forge-lint: disable-next-line(unsafe-typecast) the selector: the first 4 bytes are meant
        assertEq(bytes4(reason), IMarginHubBase.TakeoverLowersHealth.selector);
        (uint256 before, uint256 afterTakeover) = abi.decode(_args(reason), (uint256, uint256));
        assertEq(before, h);
        assertLt(afterTakeover, h, "the takeover alone would have lowered health");
        assertEq(hub.positionOf(a, ethPerp), -10e18, "the account is left as it was");
        assertEq(hub.positionOf(_acct(keeper, 0), ethPerp), 0);
        assertEq(hub.accountState(a).cash, cash);
        assertEq(_health(a), h);
        _assertCashBalances();
    }

    /// @dev Alice holds a long 10 ETH perp and 10 long $3,000 puts (a synthetic call) on borrowed
    /// cash. Each leg hedges the other: taking either alone leaves a naked position whose
    /// requirement is far above the pair's. The hub takes the same fraction of both instead.
    function test_liquidatePosition_takesASliceOfAHedgedBook() public {
        vm.prank(admin);
        uint16 put =
            engine.listMarket(ethRisk, IRiskConfig.MarketKind.Put, 3000e18, uint64(block.timestamp) + 30 days, 0.01e18);
        _depositHubUsdc(alice, 5_000e6, 0);
        _depositHubUsdc(bob, 1_000_000e6, 0);
        _depositHubUsdc(keeper, 1_000_000e6, 0);
        AccountId a = _acct(alice, 0);
        vm.startPrank(venue);
        hub.trade(a, _acct(bob, 0), ethPerp, 10e18, 3000e18);
        hub.trade(a, _acct(bob, 0), put, 10e18, engine.markPrice(put));
        vm.stopPrank();
        _seedLiquidity(1_000_000e6);
        // As much cash out as initial margin allows: the synthetic call is all that backs the debt.
        MarginMath.Figures memory f = hub.accountFigures(a);
        // forge-lint: disable-next-line(unsafe-typecast) initial equity above the requirement here
        uint256 spare = uint256(f.initialEquity) - f.initialRequirement;
        vm.prank(alice);
        hub.withdrawCash(0, spare / 1e12, alice);
        int256 price = 3000e8;
        while (_health(a) >= 1e18 && price > 2000e8) {
            price -= 25e8;
            _setEthPrice(price);
        }
        uint256 h = _health(a);
        assertLt(h, 1e18, "liquidatable");
        assertGt(hub.accountFigures(a).maintenanceEquity, 0, "with equity left");

        vm.recordLogs();
        vm.prank(keeper);
        uint256 taken = hub.liquidatePosition(a, ethPerp, type(uint256).max, 0);
        assertEq(_legsLogged(), 2, "one PositionLiquidated per leg");
        assertGt(taken, 0);
        // forge-lint: disable-next-line(unsafe-typecast) taken <= 10e18, the perp's size
        int256 perpTaken = int256(taken);
        // The put leg: the same fraction, rounded towards the account.
        // forge-lint: disable-next-line(unsafe-typecast) the fraction is at most 1e18
        int256 putTaken = 10e18 * int256(taken * 1e18 / 10e18) / 1e18;
        assertGt(putTaken, 0);
        assertEq(hub.positionOf(a, ethPerp), 10e18 - perpTaken);
        assertEq(hub.positionOf(a, put), 10e18 - putTaken, "the same fraction of the put");
        assertEq(hub.positionOf(_acct(keeper, 0), ethPerp), perpTaken);
        assertEq(hub.positionOf(_acct(keeper, 0), put), putTaken);
        assertGe(_health(a), h, "health not lowered");
        _assertCashBalances();
    }

    /// @dev 10 WETH and a long 20 ETH perp bought at $3000; at $2110 equity is
    /// 10 x 2110 x 0.85 + 20 x (2110 - 3000) = $135, far below the $844 a 2% penalty on $42,200
    /// would take. The penalty is capped where health stays where it was, so the account is not
    /// pushed under water and the insurance fund does not pay for the keeper's reward.
    function test_liquidatePosition_penaltyNeverLowersHealth() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _depositHubUsdc(bob, 1_000_000e6, 0);
        _depositHubUsdc(keeper, 1_000_000e6, 0);
        AccountId a = _acct(alice, 0);
        vm.prank(venue);
        hub.trade(a, _acct(bob, 0), ethPerp, 20e18, 3000e18);
        _setEthPrice(2110e8);
        MarginMath.Figures memory b = hub.accountFigures(a);
        assertEq(b.maintenanceEquity, 135e18);
        uint256 h = _health(a);

        vm.recordLogs();
        vm.prank(keeper);
        uint256 taken = hub.liquidatePosition(a, ethPerp, type(uint256).max, 0);
        assertEq(taken, 20e18, "below fullCloseHealth: all of it");
        uint256 penalty = _penaltyLogged();
        assertGt(penalty, 0, "the keeper is still paid");
        assertLt(penalty, 844e18, "less than the uncapped 2%");
        MarginMath.Figures memory f = hub.accountFigures(a);
        // forge-lint: disable-next-line(unsafe-typecast) penalty < 844e18, checked above
        assertEq(f.maintenanceEquity, b.maintenanceEquity - int256(penalty), "the penalty is all that left equity");
        assertGe(_health(a), h, "health not lowered");
        assertGe(f.maintenanceEquity, 0, "not pushed under water");
        _assertCashBalances();
    }

    /// @dev Alice has $100 of cash a payment brought her, a dust of WETH and a short 0.3 ETH perp
    /// sold at $3,000. At $3,300 her equity is about $10 against a $49.50 requirement, and the
    /// whole perp is taken, leaving $10 of cash and the dust, which without debt needs no margin.
    /// A 2% penalty capped only at that health would take the $10 and the dust's value with it,
    /// turn her cash into debt, and debt makes the dust's price risk count: health would fall to
    /// 0. The penalty never turns positive cash into debt, so her health is not lowered.
    function test_liquidatePosition_penaltyNeverTurnsCashIntoDebt() public {
        _depositHubUsdc(bob, 1_000_000e6, 0);
        _depositHubUsdc(keeper, 1_000_000e6, 0);
        AccountId a = _acct(alice, 0);
        vm.prank(venue);
        hub.settleCash(_acct(bob, 0), a, 100e18);
        _deposit(alice, vaultA, wethA, 1_683_000_000, 0);
        vm.prank(venue);
        hub.trade(_acct(bob, 0), a, ethPerp, 0.3e18, 3000e18);
        _setEthPrice(3300e8);
        uint256 h = _health(a);
        assertLt(h, 0.95e18, "below fullCloseHealth: the whole perp is taken");

        vm.recordLogs();
        vm.prank(keeper);
        assertEq(hub.liquidatePosition(a, ethPerp, type(uint256).max, 0), 0.3e18);
        assertGt(_penaltyLogged(), 0, "the keeper is still paid");
        assertGe(hub.accountState(a).cash, 0, "no debt from the penalty");
        assertGe(_health(a), h, "health not lowered");
        _assertCashBalances();
    }

    function _legsLogged() private returns (uint256 n) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(hub) && logs[i].topics[0] == IMarginHubBase.PositionLiquidated.selector) {
                ++n;
            }
        }
    }

    function _skipReason() private returns (bytes memory reason) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(hub) && logs[i].topics[0] == IMarginHubBase.LiquidationSkipped.selector) {
                return abi.decode(logs[i].data, (bytes));
            }
        }
        revert("no LiquidationSkipped");
    }

    function _penaltyLogged() private returns (uint256 penalty) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(hub) && logs[i].topics[0] == IMarginHubBase.PositionLiquidated.selector) {
                (,, penalty) = abi.decode(logs[i].data, (int256, uint256, uint256));
                return penalty;
            }
        }
        revert("no PositionLiquidated");
    }

    /// @dev An ABI-encoded error without its selector.
    function _args(bytes memory reason) private pure returns (bytes memory args) {
        args = new bytes(reason.length - 4);
        for (uint256 i; i < args.length; ++i) {
            args[i] = reason[i + 4];
        }
    }
}
