// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {WAD} from "../libraries/FixedPoint.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IRiskSteward} from "../interfaces/IRiskSteward.sol";
import {IRiskConfig} from "../interfaces/IRiskConfig.sol";
import {LiquidationGain} from "./LiquidationGain.sol";

/// @title RiskSteward
/// @notice The only way the relayer's risk parameter engine changes margin on-chain: bounded,
/// rate-limited and asymmetric updates of scan ranges, volatility shifts, haircuts and
/// concentration price impacts, each applied through the risk engine's own setters (so the
/// engine's hard bounds hold as well).
/// Governance (DEFAULT_ADMIN_ROLE) sets the bounds; the steward (STEWARD_ROLE) proposes.
contract RiskSteward is AccessControl, IRiskSteward {
    bytes32 public constant STEWARD_ROLE = keccak256("STEWARD_ROLE");

    /// @notice The risk engine this steward holds RISK_ADMIN_ROLE on.
    IRiskConfig public immutable engine;
    /// @inheritdoc IRiskSteward
    uint64 public constant LOWERING_WINDOW = 1 days;
    /// @inheritdoc IRiskSteward
    uint64 public constant RAISE_WINDOW = 1 days;

    mapping(Parameter => mapping(uint16 id => Bounds)) internal _bounds;
    mapping(Parameter => mapping(uint16 id => PendingLowering)) internal _pending;
    mapping(Parameter => mapping(uint16 id => uint64)) internal _lastChange;
    mapping(Parameter => mapping(uint16 id => RaiseWindow)) internal _raiseWindows;

    constructor(IRiskConfig engine_, address admin, address steward) {
        engine = engine_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(STEWARD_ROLE, steward);
    }

    /// @inheritdoc IRiskSteward
    function setBounds(Parameter parameter, uint16 id, Bounds calldata bounds) external onlyRole(DEFAULT_ADMIN_ROLE) {
        bool scan = parameter == Parameter.ScanRange;
        if (
            bounds.min > bounds.max || bounds.max > WAD || bounds.maxStep == 0 || (scan && bounds.min == 0)
                || bounds.maxDailyRaise < bounds.maxStep
        ) {
            revert InvalidBounds(parameter, id, bounds);
        }
        // Reverts on an unknown risk asset or asset: bounds for nothing are a mistake.
        current(parameter, id);
        // A floor the steward could lower the haircut to must still leave every liquidation a gain.
        if (parameter == Parameter.MaintenanceHaircut) _requireLiquidationGain(id, bounds.min);
        _bounds[parameter][id] = bounds;
        emit BoundsSet(parameter, id, bounds);
    }

    /// @inheritdoc IRiskSteward
    function propose(Parameter parameter, uint16 id, uint64 value) external onlyRole(STEWARD_ROLE) {
        Bounds memory b = _stewarded(parameter, id);
        uint64 now_ = uint64(block.timestamp);
        uint64 last = _lastChange[parameter][id];
        if (last != 0 && now_ < last + b.cooldown) revert CoolingDown(parameter, id, last + b.cooldown);
        uint64 cur = _check(parameter, id, b, value);
        PendingLowering memory queued = _pending[parameter][id];
        if (queued.executableAt != 0) {
            delete _pending[parameter][id];
            emit LoweringCancelled(parameter, id, queued.value);
        }
        if (value > cur) {
            // More margin protects the protocol: no delay, but no more than a day's worth.
            _useRaiseWindow(parameter, id, b, cur, value);
            _lastChange[parameter][id] = now_;
            _apply(parameter, id, value);
            emit ParameterRaised(parameter, id, cur, value);
        } else {
            uint64 at = now_ + b.loweringDelay;
            _pending[parameter][id] = PendingLowering({value: value, executableAt: at});
            emit LoweringQueued(parameter, id, cur, value, at);
        }
    }

    /// @inheritdoc IRiskSteward
    function executeLowering(Parameter parameter, uint16 id) external {
        PendingLowering memory queued = _pending[parameter][id];
        if (queued.executableAt == 0) revert NoPendingLowering(parameter, id);
        if (block.timestamp < queued.executableAt) revert LoweringNotReady(parameter, id, queued.executableAt);
        uint64 expiresAt = queued.executableAt + LOWERING_WINDOW;
        if (block.timestamp > expiresAt) revert LoweringExpired(parameter, id, expiresAt);
        uint64 cur = _check(parameter, id, _stewarded(parameter, id), queued.value);
        delete _pending[parameter][id];
        _lastChange[parameter][id] = uint64(block.timestamp);
        _apply(parameter, id, queued.value);
        emit ParameterLowered(parameter, id, cur, queued.value);
    }

    /// @inheritdoc IRiskSteward
    function current(Parameter parameter, uint16 id) public view returns (uint64) {
        if (parameter == Parameter.ScanRange) return engine.scenarioParams(id).scanRange;
        if (parameter == Parameter.VolShift) return engine.scenarioParams(id).volShift;
        if (parameter == Parameter.ConcentrationImpact) return engine.concentrationTerms(id).impact;
        IRiskConfig.Asset memory a = engine.asset(id);
        return parameter == Parameter.InitialHaircut ? a.initialHaircut : a.maintenanceHaircut;
    }

    /// @inheritdoc IRiskSteward
    function boundsOf(Parameter parameter, uint16 id) external view returns (Bounds memory) {
        return _bounds[parameter][id];
    }

    /// @inheritdoc IRiskSteward
    function pendingLowering(Parameter parameter, uint16 id) external view returns (PendingLowering memory) {
        return _pending[parameter][id];
    }

    /// @inheritdoc IRiskSteward
    function lastChange(Parameter parameter, uint16 id) external view returns (uint64) {
        return _lastChange[parameter][id];
    }

    /// @inheritdoc IRiskSteward
    function raiseWindow(Parameter parameter, uint16 id) external view returns (RaiseWindow memory) {
        return _raiseWindows[parameter][id];
    }

    /// @dev Opens a window at the first raise after the last one closed, and refuses a raise past
    /// `maxDailyRaise` of the value the window opened at.
    function _useRaiseWindow(Parameter parameter, uint16 id, Bounds memory b, uint64 cur, uint64 value) private {
        RaiseWindow memory w = _raiseWindows[parameter][id];
        uint64 now_ = uint64(block.timestamp);
        if (w.openedAt == 0 || now_ >= w.openedAt + RAISE_WINDOW) {
            w = RaiseWindow({openedAt: now_, base: cur});
            _raiseWindows[parameter][id] = w;
            emit RaiseWindowOpened(parameter, id, cur, now_ + RAISE_WINDOW);
        }
        uint256 cap = w.base + uint256(b.maxDailyRaise) * _stepBase(w.base, b) / WAD;
        if (value > cap) revert DailyRaiseExceeded(parameter, id, value, cap, w.openedAt + RAISE_WINDOW);
    }

    function _stewarded(Parameter parameter, uint16 id) private view returns (Bounds memory b) {
        b = _bounds[parameter][id];
        if (b.maxStep == 0) revert NotStewarded(parameter, id);
    }

    /// @dev The checks every change passes, proposed or executed: within the bounds, a change, at
    /// most one step from the current value, haircuts in order. Returns the current value.
    function _check(Parameter parameter, uint16 id, Bounds memory b, uint64 value) private view returns (uint64 cur) {
        if (value < b.min || value > b.max) revert OutOfBounds(parameter, id, value, b.min, b.max);
        cur = current(parameter, id);
        if (value == cur) revert NoChange(parameter, id, value);
        uint256 allowed = uint256(b.maxStep) * _stepBase(cur, b) / WAD;
        uint256 step = value > cur ? value - cur : cur - value;
        if (step > allowed) revert StepTooLarge(parameter, id, cur, value, b.maxStep);
        if (parameter == Parameter.InitialHaircut || parameter == Parameter.MaintenanceHaircut) {
            IRiskConfig.Asset memory a = engine.asset(id);
            (uint64 ih, uint64 mh) =
                parameter == Parameter.InitialHaircut ? (value, a.maintenanceHaircut) : (a.initialHaircut, value);
            if (mh > ih) revert HaircutOrder(id, ih, mh);
            if (parameter == Parameter.MaintenanceHaircut) _requireLiquidationGain(id, value);
        }
    }

    /// @dev What a step is a share of: the current value, or the floor when that is larger, or the
    /// ceiling when both are 0 (a share of 0 would hold a parameter at 0 for ever).
    function _stepBase(uint64 cur, Bounds memory b) private pure returns (uint64 base) {
        base = cur > b.min ? cur : b.min;
        if (base == 0) base = b.max;
    }

    /// @dev The engine's own rule (`IRiskConfig.setAssetRisk`), checked here so that a lowering
    /// that would break it is refused when proposed rather than queued and failing at execution.
    function _requireLiquidationGain(uint16 id, uint64 maintenanceHaircut) private view {
        uint64 bonus = engine.asset(id).liquidationBonus;
        uint64 minGain = engine.MIN_LIQUIDATION_GAIN();
        if (!LiquidationGain.holds(maintenanceHaircut, bonus, minGain)) {
            revert IRiskConfig.LiquidationTakesEquity(id, maintenanceHaircut, bonus, minGain);
        }
    }

    function _apply(Parameter parameter, uint16 id, uint64 value) private {
        if (parameter == Parameter.ScanRange || parameter == Parameter.VolShift) {
            IRiskConfig.ScenarioParams memory p = engine.scenarioParams(id);
            if (parameter == Parameter.ScanRange) p.scanRange = value;
            else p.volShift = value;
            engine.setScenarioParams(id, p);
        } else if (parameter == Parameter.ConcentrationImpact) {
            IRiskConfig.ConcentrationTerms memory t = engine.concentrationTerms(id);
            engine.setAssetConcentration(id, t.depthUsd, value, t.cap);
        } else {
            IRiskConfig.Asset memory a = engine.asset(id);
            if (parameter == Parameter.InitialHaircut) a.initialHaircut = value;
            else a.maintenanceHaircut = value;
            engine.setAssetRisk(id, a.initialHaircut, a.maintenanceHaircut, a.liquidationBonus);
        }
    }
}
