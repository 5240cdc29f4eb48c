// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {RiskEngine} from "../../src/risk/RiskEngine.sol";
import {RiskSteward} from "../../src/risk/RiskSteward.sol";
import {IRiskSteward} from "../../src/interfaces/IRiskSteward.sol";
import {ManualAggregator} from "../../src/devnet/ManualAggregator.sol";
import {AggregatorV3Interface} from "../../src/interfaces/AggregatorV3Interface.sol";
import {IRiskConfig} from "../../src/interfaces/IRiskConfig.sol";

/// @notice Drives a risk steward's scan range with proposals and executions at random times, and
/// checks each outcome against a model of the steward's rules: what it accepts changes the engine
/// as the model says, what it refuses is refused with the error the model names. Counts every
/// outcome, so a campaign can require each rule and each bound to have been met.
contract StewardHandler is Test {
    IRiskSteward.Parameter internal constant SCAN = IRiskSteward.Parameter.ScanRange;
    uint256 internal constant WAD = 1e18;

    RiskEngine public immutable engine;
    RiskSteward public immutable steward;
    address internal immutable relayer = makeAddr("relayer");
    uint16 public immutable eth;
    /// @dev Narrow enough that a run of a hundred calls reaches both ends: 8%..12.5% around 10%,
    /// a quarter per step, a day of cooldown, lowerings a day late.
    IRiskSteward.Bounds public bounds = IRiskSteward.Bounds(0.08e18, 0.125e18, 0.25e18, 1 days, 1 days, 0.25e18);

    /// @notice How often each outcome happened, by name.
    mapping(bytes32 => uint256) public outcomes;

    constructor() {
        address governance = makeAddr("governance");
        engine = RiskEngine(deployCode("RiskEngine.sol:RiskEngine", abi.encode(address(this))));
        eth = engine.addRiskAsset(AggregatorV3Interface(address(new ManualAggregator(8, 3000e8))), 1 hours, 1e18, 1e24);
        engine.setScenarioParams(
            eth, IRiskConfig.ScenarioParams(0.1e18, 0, 2e18, 0.35e18, 2e18, 0.01e18, engine.NO_VOL_FEED())
        );
        steward = RiskSteward(deployCode("RiskSteward.sol:RiskSteward", abi.encode(engine, governance, relayer)));
        engine.grantRole(engine.RISK_ADMIN_ROLE(), address(steward));
        vm.prank(governance);
        steward.setBounds(SCAN, eth, bounds);
    }

    /// @notice The relayer proposes a scan range after `waitSeed` seconds: the largest raise or
    /// lowering one step allows, a value 60%-140% of the current one, or one outside the bounds.
    function propose(uint256 modeSeed, uint256 valueSeed, uint32 waitSeed) external {
        vm.warp(block.timestamp + waitSeed % 3 days);
        uint64 cur = scanRange();
        uint64 value = _proposal(modeSeed % 4, valueSeed, cur);
        bytes memory expected = _refusal(value, cur);
        vm.prank(relayer);
        try steward.propose(SCAN, eth, value) {
            assertEq(expected.length, 0, "accepted a proposal the rules refuse");
            if (value > cur) {
                assertEq(scanRange(), value, "a raise applies at once");
                assertEq(steward.lastChange(SCAN, eth), block.timestamp, "a raise starts the cooldown");
                _count("raised");
            } else {
                assertEq(scanRange(), cur, "a lowering waits");
                IRiskSteward.PendingLowering memory p = steward.pendingLowering(SCAN, eth);
                assertEq(p.value, value, "the lowering queued");
                assertEq(p.executableAt, block.timestamp + bounds.loweringDelay, "after the delay");
                _count("lowering queued");
            }
        } catch (bytes memory reason) {
            assertEq(reason, expected, "refused with the error the rules name");
            // forge-lint: disable-next-line(unsafe-typecast) the selector: the first 4 bytes are meant
            _count(bytes32(bytes4(reason)));
        }
        _countBounds();
    }

    /// @notice Anyone executes the queued lowering after `waitSeed` seconds.
    function executeLowering(uint32 waitSeed) external {
        vm.warp(block.timestamp + waitSeed % 2 days);
        IRiskSteward.PendingLowering memory p = steward.pendingLowering(SCAN, eth);
        bytes memory expected;
        if (p.executableAt == 0) {
            expected = abi.encodeWithSelector(IRiskSteward.NoPendingLowering.selector, SCAN, eth);
        } else if (block.timestamp < p.executableAt) {
            expected = abi.encodeWithSelector(IRiskSteward.LoweringNotReady.selector, SCAN, eth, p.executableAt);
        } else if (block.timestamp > p.executableAt + steward.LOWERING_WINDOW()) {
            uint64 expiredAt = p.executableAt + steward.LOWERING_WINDOW();
            expected = abi.encodeWithSelector(IRiskSteward.LoweringExpired.selector, SCAN, eth, expiredAt);
        }
        try steward.executeLowering(SCAN, eth) {
            assertEq(expected.length, 0, "executed a lowering the rules refuse");
            assertEq(scanRange(), p.value, "the queued value applies");
            assertEq(steward.pendingLowering(SCAN, eth).executableAt, 0, "and leaves the queue");
            _count("lowered");
        } catch (bytes memory reason) {
            assertEq(reason, expected, "refused with the error the rules name");
            // forge-lint: disable-next-line(unsafe-typecast) the selector: the first 4 bytes are meant
            _count(bytes32(bytes4(reason)));
        }
        _countBounds();
    }

    function scanRange() public view returns (uint64) {
        return engine.scenarioParams(eth).scanRange;
    }

    function _proposal(uint256 mode, uint256 seed, uint64 cur) private view returns (uint64) {
        uint256 allowed = uint256(bounds.maxStep) * (cur > bounds.min ? cur : bounds.min) / WAD;
        if (mode == 0) return uint64(_min(cur + allowed, bounds.max));
        if (mode == 1) return uint64(cur - _min(allowed, cur - bounds.min));
        // forge-lint: disable-next-line(unsafe-typecast) at most 1.4 × a uint64 scan range
        if (mode == 2) return uint64(uint256(cur) * (0.6e18 + seed % 0.8e18) / WAD);
        // forge-lint: disable-next-line(unsafe-typecast) below 1e16
        uint64 off = uint64(seed % 1e16);
        return seed % 2 == 0 ? bounds.min - 1 - off : bounds.max + 1 + off;
    }

    /// @dev The steward's rules, in its order: the error it must refuse `value` with, or nothing.
    function _refusal(uint64 value, uint64 cur) private view returns (bytes memory) {
        uint64 last = steward.lastChange(SCAN, eth);
        if (last != 0 && block.timestamp < last + bounds.cooldown) {
            return abi.encodeWithSelector(IRiskSteward.CoolingDown.selector, SCAN, eth, last + bounds.cooldown);
        }
        if (value < bounds.min || value > bounds.max) {
            return abi.encodeWithSelector(IRiskSteward.OutOfBounds.selector, SCAN, eth, value, bounds.min, bounds.max);
        }
        if (value == cur) return abi.encodeWithSelector(IRiskSteward.NoChange.selector, SCAN, eth, value);
        uint256 allowed = uint256(bounds.maxStep) * (cur > bounds.min ? cur : bounds.min) / WAD;
        if ((value > cur ? value - cur : cur - value) > allowed) {
            return abi.encodeWithSelector(IRiskSteward.StepTooLarge.selector, SCAN, eth, cur, value, bounds.maxStep);
        }
        return "";
    }

    function _countBounds() private {
        uint64 now_ = scanRange();
        if (now_ == bounds.min) _count("at the lower bound");
        if (now_ == bounds.max) _count("at the upper bound");
    }

    function _count(bytes32 outcome) private {
        outcomes[outcome]++;
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
