// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {RiskEngine} from "../src/risk/RiskEngine.sol";
import {RiskSteward} from "../src/risk/RiskSteward.sol";
import {IRiskSteward} from "../src/interfaces/IRiskSteward.sol";
import {ManualAggregator} from "../src/devnet/ManualAggregator.sol";
import {AggregatorV3Interface} from "../src/interfaces/AggregatorV3Interface.sol";
import {IRiskConfig} from "../src/interfaces/IRiskConfig.sol";

/// @notice Every bound of the risk steward, on a risk engine of its own: hard limits, the step
/// per update, the cooldown, and the asymmetry (raises at once, lowerings after a delay).
contract RiskStewardTest is Test {
    RiskEngine internal engine;
    RiskSteward internal steward;
    address internal governance = makeAddr("governance");
    address internal relayer = makeAddr("relayer");
    uint16 internal eth;
    uint16 internal weth;

    IRiskSteward.Parameter internal constant SCAN = IRiskSteward.Parameter.ScanRange;
    IRiskSteward.Parameter internal constant VOL_SHIFT = IRiskSteward.Parameter.VolShift;
    IRiskSteward.Parameter internal constant INITIAL = IRiskSteward.Parameter.InitialHaircut;
    IRiskSteward.Parameter internal constant MAINTENANCE = IRiskSteward.Parameter.MaintenanceHaircut;
    IRiskSteward.Parameter internal constant IMPACT = IRiskSteward.Parameter.ConcentrationImpact;

    function setUp() public {
        vm.warp(1_700_000_000);
        engine = RiskEngine(deployCode("RiskEngine.sol:RiskEngine", abi.encode(address(this))));
        eth = engine.addRiskAsset(AggregatorV3Interface(address(new ManualAggregator(8, 3000e8))), 1 hours, 1e18, 1e24);
        engine.setScenarioParams(
            eth, IRiskConfig.ScenarioParams(0.1e18, 0, 2e18, 0.35e18, 2e18, 0.01e18, engine.NO_VOL_FEED())
        );
        weth = engine.listAsset(2, makeAddr("weth"), 18, eth);
        engine.setAssetRisk(weth, 0.2e18, 0.15e18, 0.05e18);

        steward = RiskSteward(deployCode("RiskSteward.sol:RiskSteward", abi.encode(engine, governance, relayer)));
        engine.grantRole(engine.RISK_ADMIN_ROLE(), address(steward));
        vm.startPrank(governance);
        // Scan range 5%..30%, at most 25% of itself per update, a day apart; lowering waits 3 days.
        steward.setBounds(SCAN, eth, IRiskSteward.Bounds(0.05e18, 0.3e18, 0.25e18, 1 days, 3 days, 0.25e18));
        steward.setBounds(VOL_SHIFT, eth, IRiskSteward.Bounds(0.1e18, 0.6e18, 0.5e18, 1 days, 3 days, 0.5e18));
        steward.setBounds(INITIAL, weth, IRiskSteward.Bounds(0.1e18, 0.5e18, 0.25e18, 1 days, 3 days, 0.25e18));
        steward.setBounds(MAINTENANCE, weth, IRiskSteward.Bounds(0.06e18, 0.4e18, 0.25e18, 1 days, 3 days, 0.25e18));
        vm.stopPrank();
    }

    function _propose(IRiskSteward.Parameter p, uint16 id, uint64 value) internal {
        vm.prank(relayer);
        steward.propose(p, id, value);
    }

    function _expectRevertPropose(IRiskSteward.Parameter p, uint16 id, uint64 value, bytes memory err) internal {
        vm.expectRevert(err);
        vm.prank(relayer);
        steward.propose(p, id, value);
    }

    function test_raise_takesEffectAtOnce() public {
        vm.expectEmit(address(steward));
        emit IRiskSteward.ParameterRaised(SCAN, eth, 0.1e18, 0.125e18);
        _propose(SCAN, eth, 0.125e18);
        assertEq(engine.scenarioParams(eth).scanRange, 0.125e18);
        assertEq(engine.scenarioParams(eth).extremeMultiple, 2e18, "the rest of the grid untouched");
        assertEq(steward.lastChange(SCAN, eth), vm.getBlockTimestamp());
    }

    function test_lowering_waitsItsDelay() public {
        vm.expectEmit(address(steward));
        emit IRiskSteward.LoweringQueued(SCAN, eth, 0.1e18, 0.08e18, uint64(vm.getBlockTimestamp() + 3 days));
        _propose(SCAN, eth, 0.08e18);
        assertEq(engine.scenarioParams(eth).scanRange, 0.1e18, "not yet");

        uint64 at = uint64(vm.getBlockTimestamp() + 3 days);
        vm.warp(at - 1);
        vm.expectRevert(abi.encodeWithSelector(IRiskSteward.LoweringNotReady.selector, SCAN, eth, at));
        steward.executeLowering(SCAN, eth);
        vm.warp(at);
        vm.expectEmit(address(steward));
        emit IRiskSteward.ParameterLowered(SCAN, eth, 0.1e18, 0.08e18);
        steward.executeLowering(SCAN, eth); // anyone may
        assertEq(engine.scenarioParams(eth).scanRange, 0.08e18);
        vm.expectRevert(abi.encodeWithSelector(IRiskSteward.NoPendingLowering.selector, SCAN, eth));
        steward.executeLowering(SCAN, eth);
    }

    /// @dev A lowering queued for the market of its day is not executed a week later: it expires
    /// `LOWERING_WINDOW` after its delay, and only a new proposal queues it again.
    function test_lowering_expiresAWindowAfterItsDelay() public {
        _propose(SCAN, eth, 0.08e18);
        uint64 expiresAt = uint64(vm.getBlockTimestamp() + 3 days + steward.LOWERING_WINDOW());
        vm.warp(expiresAt + 1);
        vm.expectRevert(abi.encodeWithSelector(IRiskSteward.LoweringExpired.selector, SCAN, eth, expiresAt));
        steward.executeLowering(SCAN, eth);
        assertEq(engine.scenarioParams(eth).scanRange, 0.1e18, "not lowered");
        _propose(SCAN, eth, 0.08e18);
        assertEq(steward.pendingLowering(SCAN, eth).executableAt, vm.getBlockTimestamp() + 3 days, "queued again");
    }

    /// @dev A parameter at 0 with a floor of 0: a step that is a share of 0 would hold it there
    /// for ever; it is a share of the ceiling instead.
    function test_propose_movesAParameterOffZero() public {
        vm.prank(governance);
        steward.setBounds(VOL_SHIFT, eth, IRiskSteward.Bounds(0, 0.6e18, 0.5e18, 1 days, 3 days, 0.5e18));
        assertEq(steward.current(VOL_SHIFT, eth), 0);
        _expectRevertPropose(
            VOL_SHIFT,
            eth,
            0.31e18,
            abi.encodeWithSelector(
                IRiskSteward.StepTooLarge.selector, VOL_SHIFT, eth, uint64(0), uint64(0.31e18), uint64(0.5e18)
            )
        );
        _propose(VOL_SHIFT, eth, 0.3e18);
        assertEq(engine.scenarioParams(eth).volShift, 0.3e18);
    }

    function test_raise_cancelsAPendingLowering() public {
        _propose(SCAN, eth, 0.08e18);
        vm.expectEmit(address(steward));
        emit IRiskSteward.LoweringCancelled(SCAN, eth, 0.08e18);
        _propose(SCAN, eth, 0.12e18);
        assertEq(engine.scenarioParams(eth).scanRange, 0.12e18);
        vm.warp(vm.getBlockTimestamp() + 3 days);
        vm.expectRevert(abi.encodeWithSelector(IRiskSteward.NoPendingLowering.selector, SCAN, eth));
        steward.executeLowering(SCAN, eth);
    }

    function test_hardBounds() public {
        _expectRevertPropose(
            SCAN,
            eth,
            0.31e18,
            abi.encodeWithSelector(
                IRiskSteward.OutOfBounds.selector, SCAN, eth, uint64(0.31e18), uint64(0.05e18), uint64(0.3e18)
            )
        );
        _expectRevertPropose(
            SCAN,
            eth,
            0.04e18,
            abi.encodeWithSelector(
                IRiskSteward.OutOfBounds.selector, SCAN, eth, uint64(0.04e18), uint64(0.05e18), uint64(0.3e18)
            )
        );
    }

    function test_stepPerUpdate() public {
        // 25% of 10% is 2.5 points either way.
        _expectRevertPropose(
            SCAN,
            eth,
            0.126e18,
            abi.encodeWithSelector(
                IRiskSteward.StepTooLarge.selector, SCAN, eth, uint64(0.1e18), uint64(0.126e18), uint64(0.25e18)
            )
        );
        _expectRevertPropose(
            SCAN,
            eth,
            0.074e18,
            abi.encodeWithSelector(
                IRiskSteward.StepTooLarge.selector, SCAN, eth, uint64(0.1e18), uint64(0.074e18), uint64(0.25e18)
            )
        );
        // A parameter at 0 moves by a step of its minimum: the volatility shift from 0 to at most 5 points... which is below its minimum of 10.
        _expectRevertPropose(
            VOL_SHIFT,
            eth,
            0.1e18,
            abi.encodeWithSelector(
                IRiskSteward.StepTooLarge.selector, VOL_SHIFT, eth, uint64(0), uint64(0.1e18), uint64(0.5e18)
            )
        );
        vm.prank(governance);
        steward.setBounds(VOL_SHIFT, eth, IRiskSteward.Bounds(0.1e18, 0.6e18, 1e18, 1 days, 3 days, 1e18));
        _propose(VOL_SHIFT, eth, 0.1e18);
        assertEq(engine.scenarioParams(eth).volShift, 0.1e18);
    }

    function test_cooldown() public {
        _propose(SCAN, eth, 0.12e18);
        uint64 ready = uint64(vm.getBlockTimestamp() + 1 days);
        vm.warp(ready - 1);
        _expectRevertPropose(
            SCAN, eth, 0.14e18, abi.encodeWithSelector(IRiskSteward.CoolingDown.selector, SCAN, eth, ready)
        );
        vm.warp(ready);
        _propose(SCAN, eth, 0.14e18);
        assertEq(engine.scenarioParams(eth).scanRange, 0.14e18);
        // Each parameter cools down on its own.
        _propose(INITIAL, weth, 0.25e18);
    }

    /// @dev Finding 8: with an hourly cooldown, a steward key could raise the scan range 25% an
    /// hour; within a day it rises at most 50% of where the day's first raise found it.
    function test_raise_isBoundedPerDayAsWellAsPerStep() public {
        vm.prank(governance);
        steward.setBounds(SCAN, eth, IRiskSteward.Bounds(0.05e18, 0.5e18, 0.25e18, 1 hours, 3 days, 0.5e18));
        uint64 opened = uint64(block.timestamp);
        vm.expectEmit(address(steward));
        emit IRiskSteward.RaiseWindowOpened(SCAN, eth, 0.1e18, opened + 1 days);
        _propose(SCAN, eth, 0.125e18);
        vm.warp(block.timestamp + 1 hours);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRiskSteward.DailyRaiseExceeded.selector, SCAN, eth, 0.15625e18, 0.15e18, opened + 1 days
            )
        );
        vm.prank(relayer);
        steward.propose(SCAN, eth, 0.15625e18);
        _propose(SCAN, eth, 0.15e18);
        assertEq(steward.raiseWindow(SCAN, eth).base, 0.1e18);

        // A day after it opened, a new window counts from the value then.
        vm.warp(opened + 1 days);
        _propose(SCAN, eth, 0.1875e18);
        assertEq(steward.raiseWindow(SCAN, eth).base, 0.15e18);
        assertEq(steward.current(SCAN, eth), 0.1875e18);

        IRiskSteward.Bounds memory bad = IRiskSteward.Bounds(0.05e18, 0.5e18, 0.25e18, 1 hours, 3 days, 0.2e18);
        vm.expectRevert(abi.encodeWithSelector(IRiskSteward.InvalidBounds.selector, SCAN, eth, bad));
        vm.prank(governance);
        steward.setBounds(SCAN, eth, bad);
    }

    function test_executeLowering_checksAgainstTheBoundsOfThen() public {
        _propose(SCAN, eth, 0.08e18);
        vm.prank(governance);
        steward.setBounds(SCAN, eth, IRiskSteward.Bounds(0.09e18, 0.3e18, 0.25e18, 1 days, 3 days, 0.25e18));
        vm.warp(vm.getBlockTimestamp() + 3 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRiskSteward.OutOfBounds.selector, SCAN, eth, uint64(0.08e18), uint64(0.09e18), uint64(0.3e18)
            )
        );
        steward.executeLowering(SCAN, eth);
    }

    function test_haircuts_stayInOrder() public {
        // Maintenance 15% -> 18.75% is one step, but initial is 20%: fine. Then 20% -> 23.4%: above initial.
        _propose(MAINTENANCE, weth, 0.1875e18);
        assertEq(engine.asset(weth).maintenanceHaircut, 0.1875e18);
        assertEq(engine.asset(weth).liquidationBonus, 0.05e18, "the bonus untouched");
        vm.warp(vm.getBlockTimestamp() + 1 days);
        _expectRevertPropose(
            MAINTENANCE,
            weth,
            0.22e18,
            abi.encodeWithSelector(IRiskSteward.HaircutOrder.selector, weth, uint64(0.2e18), uint64(0.22e18))
        );
        _expectRevertPropose(
            INITIAL,
            weth,
            0.18e18,
            abi.encodeWithSelector(IRiskSteward.HaircutOrder.selector, weth, uint64(0.18e18), uint64(0.1875e18))
        );
    }

    /// @dev With WETH's 5% bonus, a 5% maintenance haircut keeps 1.05 x 0.95 = 0.9975 of each
    /// dollar repaid: less than the 1% gain every liquidation must leave, so no floor may allow it.
    function test_setBounds_refusesAHaircutFloorAtWhichALiquidationTakesEquity() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IRiskConfig.LiquidationTakesEquity.selector, weth, uint64(0.05e18), uint64(0.05e18), uint64(0.01e18)
            )
        );
        vm.prank(governance);
        steward.setBounds(MAINTENANCE, weth, IRiskSteward.Bounds(0.05e18, 0.4e18, 0.25e18, 1 days, 3 days, 0.25e18));
    }

    /// @dev After governance raises the bonus to 12%, a lowering within the bounds (15% -> 11.25%,
    /// one step) would keep 1.12 x 0.8875 = 0.994 of each dollar: refused when proposed, not queued.
    function test_propose_refusesAHaircutAtWhichALiquidationTakesEquity() public {
        engine.setAssetRisk(weth, 0.2e18, 0.15e18, 0.12e18);
        _expectRevertPropose(
            MAINTENANCE,
            weth,
            0.1125e18,
            abi.encodeWithSelector(
                IRiskConfig.LiquidationTakesEquity.selector, weth, uint64(0.1125e18), uint64(0.12e18), uint64(0.01e18)
            )
        );
        assertEq(steward.pendingLowering(MAINTENANCE, weth).executableAt, 0, "nothing queued");
        _propose(MAINTENANCE, weth, 0.13e18);
        assertEq(steward.pendingLowering(MAINTENANCE, weth).value, 0.13e18, "1.12 x 0.87 = 0.9744: queued");
    }

    /// @dev The concentration add-on's price impact moves like any other margin parameter: a raise
    /// at once, with the depth and cap untouched; a lowering after its delay.
    function test_concentrationImpact_raisedAtOnceLoweredLate() public {
        engine.setAssetConcentration(weth, 50_000_000e18, 0.03e18, 0.3e18);
        vm.prank(governance);
        steward.setBounds(IMPACT, weth, IRiskSteward.Bounds(0.01e18, 0.2e18, 0.25e18, 1 days, 3 days, 0.25e18));
        vm.expectEmit(address(steward));
        emit IRiskSteward.ParameterRaised(IMPACT, weth, 0.03e18, 0.0375e18);
        _propose(IMPACT, weth, 0.0375e18);
        IRiskConfig.ConcentrationTerms memory t = engine.concentrationTerms(weth);
        assertEq(t.impact, 0.0375e18);
        assertEq(t.depthUsd, 50_000_000e18, "the depth untouched");
        assertEq(t.cap, 0.3e18, "the cap untouched");
        vm.warp(vm.getBlockTimestamp() + 1 days);
        _expectRevertPropose(
            IMPACT,
            weth,
            0.06e18,
            abi.encodeWithSelector(
                IRiskSteward.StepTooLarge.selector, IMPACT, weth, uint64(0.0375e18), uint64(0.06e18), uint64(0.25e18)
            )
        );
        _propose(IMPACT, weth, 0.03e18);
        assertEq(engine.concentrationTerms(weth).impact, 0.0375e18, "a lowering waits");
        vm.warp(vm.getBlockTimestamp() + 3 days);
        steward.executeLowering(IMPACT, weth);
        assertEq(engine.concentrationTerms(weth).impact, 0.03e18);
    }

    function test_refusals() public {
        _expectRevertPropose(
            SCAN, eth, 0.1e18, abi.encodeWithSelector(IRiskSteward.NoChange.selector, SCAN, eth, uint64(0.1e18))
        );
        uint16 btc =
            engine.addRiskAsset(AggregatorV3Interface(address(new ManualAggregator(8, 60_000e8))), 1 hours, 1e18, 1e25);
        _expectRevertPropose(SCAN, btc, 0.1e18, abi.encodeWithSelector(IRiskSteward.NotStewarded.selector, SCAN, btc));

        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, governance, steward.STEWARD_ROLE()
            )
        );
        vm.prank(governance);
        steward.propose(SCAN, eth, 0.11e18);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, relayer, bytes32(0))
        );
        vm.prank(relayer);
        steward.setBounds(SCAN, eth, IRiskSteward.Bounds(0.01e18, 1e18, 1e18, 0, 0, 1e18));

        IRiskSteward.Bounds memory bad = IRiskSteward.Bounds(0.3e18, 0.2e18, 0.1e18, 0, 0, 0.1e18);
        vm.startPrank(governance);
        vm.expectRevert(abi.encodeWithSelector(IRiskSteward.InvalidBounds.selector, SCAN, eth, bad));
        steward.setBounds(SCAN, eth, bad);
        bad = IRiskSteward.Bounds(0, 0.2e18, 0.1e18, 0, 0, 0.1e18); // a scan range of 0 would switch margin off
        vm.expectRevert(abi.encodeWithSelector(IRiskSteward.InvalidBounds.selector, SCAN, eth, bad));
        steward.setBounds(SCAN, eth, bad);
        bad = IRiskSteward.Bounds(0.1e18, 1.1e18, 0.1e18, 0, 0, 0.1e18);
        vm.expectRevert(abi.encodeWithSelector(IRiskSteward.InvalidBounds.selector, INITIAL, weth, bad));
        steward.setBounds(INITIAL, weth, bad);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.UnknownAssetId.selector, uint16(9)));
        steward.setBounds(INITIAL, 9, IRiskSteward.Bounds(0.1e18, 0.5e18, 0.1e18, 0, 0, 0.1e18));
        vm.stopPrank();
    }
}
