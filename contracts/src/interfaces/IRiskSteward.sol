// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IRiskSteward
/// @notice Bounded, rate-limited risk parameter updates (after Aave's risk stewards): a steward
/// (the relayer's parameter engine) proposes a scan range, volatility shift or haircut; it takes
/// effect only inside hard bounds, at most a set relative step from the current value, not
/// before a cooldown since the parameter last changed, and raising at most a set share a day.
/// Asymmetric: raising margin applies at once; lowering it waits a delay, and any raise meanwhile
/// cancels it.
/// @dev All values WAD (1e18 = 100%). The steward holds RISK_ADMIN_ROLE on the risk engine and
/// changes nothing else.
interface IRiskSteward {
    /// @notice What a proposal changes: an underlying's scan range or volatility shift (by risk
    /// asset id), or a collateral asset's initial or maintenance haircut or the price impact of
    /// its concentration add-on (by asset id).
    enum Parameter {
        ScanRange,
        VolShift,
        InitialHaircut,
        MaintenanceHaircut,
        ConcentrationImpact
    }

    /// @notice The limits of one parameter of one risk asset or asset.
    /// @param min Lowest value the steward may set.
    /// @param max Highest value the steward may set.
    /// @param maxStep Largest change per update, as a share of the current value (or of `min`,
    /// when that is larger; or of `max`, when both are 0, so a parameter at 0 can still move).
    /// @param cooldown Seconds after a change before the next one.
    /// @param loweringDelay Seconds a lowering waits before it can be executed; it can then be
    /// executed for `LOWERING_WINDOW` seconds, and expires after.
    /// @param maxDailyRaise Largest rise within `RAISE_WINDOW` of the first raise that opened it,
    /// as a share of the value then (its step base), at least `maxStep`: a stolen steward key
    /// raises margin by at most this much a day, whatever the cooldown.
    struct Bounds {
        uint64 min;
        uint64 max;
        uint64 maxStep;
        uint32 cooldown;
        uint32 loweringDelay;
        uint64 maxDailyRaise;
    }

    /// @notice The raises of one parameter within `RAISE_WINDOW` from `openedAt`, counted from
    /// `base`, its value when the window opened.
    struct RaiseWindow {
        uint64 openedAt;
        uint64 base;
    }

    /// @notice A lowering waiting out its delay.
    struct PendingLowering {
        uint64 value;
        uint64 executableAt;
    }

    event BoundsSet(Parameter indexed parameter, uint16 indexed id, Bounds bounds);
    /// @notice A raise took effect at once.
    event ParameterRaised(Parameter indexed parameter, uint16 indexed id, uint64 previous, uint64 value);
    /// @notice A lowering was queued; `executeLowering` applies it from `executableAt`.
    event LoweringQueued(
        Parameter indexed parameter, uint16 indexed id, uint64 current, uint64 value, uint64 executableAt
    );
    /// @notice A queued lowering took effect.
    event ParameterLowered(Parameter indexed parameter, uint16 indexed id, uint64 previous, uint64 value);
    /// @notice A queued lowering was dropped: a raise came first, or the steward replaced it.
    event LoweringCancelled(Parameter indexed parameter, uint16 indexed id, uint64 value);
    /// @notice A raise opened a window: until `closesAt`, raises total at most `maxDailyRaise` of `base`.
    event RaiseWindowOpened(Parameter indexed parameter, uint16 indexed id, uint64 base, uint64 closesAt);

    /// @notice No bounds were set for this parameter: the steward may not touch it.
    error NotStewarded(Parameter parameter, uint16 id);
    /// @notice `min <= max`, both within what the risk engine accepts, a positive step, a daily
    /// raise of at least one step.
    error InvalidBounds(Parameter parameter, uint16 id, Bounds bounds);
    error OutOfBounds(Parameter parameter, uint16 id, uint64 value, uint64 min, uint64 max);
    error StepTooLarge(Parameter parameter, uint16 id, uint64 current, uint64 value, uint64 maxStep);
    error CoolingDown(Parameter parameter, uint16 id, uint64 readyAt);
    error NoChange(Parameter parameter, uint16 id, uint64 value);
    /// @notice A maintenance haircut above the initial one (or an initial one below the maintenance one).
    error HaircutOrder(uint16 assetId, uint64 initialHaircut, uint64 maintenanceHaircut);
    error NoPendingLowering(Parameter parameter, uint16 id);
    error LoweringNotReady(Parameter parameter, uint16 id, uint64 executableAt);
    /// @notice The queued lowering was not executed within `LOWERING_WINDOW` of `executableAt`:
    /// the market it was proposed for has moved on, so it must be proposed again.
    error LoweringExpired(Parameter parameter, uint16 id, uint64 expiredAt);
    /// @notice The raise would take the parameter past `cap`, the most its window allows, until
    /// the window closes at `closesAt`.
    error DailyRaiseExceeded(Parameter parameter, uint16 id, uint64 value, uint256 cap, uint64 closesAt);

    /// @notice Sets the limits of one parameter (governance, DEFAULT_ADMIN_ROLE). A maintenance
    /// haircut's floor must leave every liquidation of the asset a gain at its current bonus
    /// (`IRiskConfig.LiquidationTakesEquity`), as must every value the steward proposes.
    function setBounds(Parameter parameter, uint16 id, Bounds calldata bounds) external;

    /// @notice Proposes `value` (STEWARD_ROLE): a raise applies now; a lowering is queued.
    function propose(Parameter parameter, uint16 id, uint64 value) external;

    /// @notice Seconds after its delay a queued lowering can still be executed.
    function LOWERING_WINDOW() external view returns (uint64);

    /// @notice Seconds a raise window lasts (a day): raises within it total at most `maxDailyRaise`.
    function RAISE_WINDOW() external view returns (uint64);

    /// @notice The parameter's current or last raise window (`openedAt` 0: none yet).
    function raiseWindow(Parameter parameter, uint16 id) external view returns (RaiseWindow memory);

    /// @notice Applies a queued lowering whose delay has passed and which has not expired
    /// (anyone), checked again against the bounds and the current value.
    function executeLowering(Parameter parameter, uint16 id) external;

    /// @notice The parameter's value on the risk engine now.
    function current(Parameter parameter, uint16 id) external view returns (uint64);

    function boundsOf(Parameter parameter, uint16 id) external view returns (Bounds memory);

    function pendingLowering(Parameter parameter, uint16 id) external view returns (PendingLowering memory);

    /// @notice When the parameter last changed through the steward (0: never).
    function lastChange(Parameter parameter, uint16 id) external view returns (uint64);
}
