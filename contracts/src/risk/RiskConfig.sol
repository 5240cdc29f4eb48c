// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {OracleGuard} from "../oracle/OracleGuard.sol";
import {IRiskConfig} from "../interfaces/IRiskConfig.sol";
import {IMarketHolders} from "../interfaces/IMarketHolders.sol";

/// @notice The risk configuration: collateral assets per (chain, token), markets (perps and
/// European options), the scenario grid and volatility feed of each underlying, correlated-pair
/// credits, and liquidation parameters, each set by RISK_ADMIN_ROLE within hard bounds. None of it can move a
/// user's collateral; the worst a risk admin can do is make margin stricter or looser.
/// @dev The storage, the views and what the engine reads; the setters are in `RiskConfigAdmin`,
/// which the engine runs by delegatecall on this same layout, so that the margin code has the
/// engine's 24,576 bytes to itself.
abstract contract RiskConfig is AccessControl, OracleGuard, IRiskConfig {
    /// @inheritdoc IRiskConfig
    bytes32 public constant RISK_ADMIN_ROLE = keccak256("RISK_ADMIN_ROLE");

    /// @inheritdoc IRiskConfig
    uint256 public constant MAX_ASSETS = 64;
    /// @inheritdoc IRiskConfig
    uint256 public constant MAX_MARKETS = 64;
    /// @inheritdoc IRiskConfig
    uint64 public constant MAX_LIQUIDATION_BONUS = 0.25e18;
    /// @inheritdoc IRiskConfig
    uint64 public constant MIN_LIQUIDATION_GAIN = 0.01e18;
    /// @inheritdoc IRiskConfig
    uint256 public constant MAX_PAIR_OFFSETS = 16;
    /// @inheritdoc IRiskConfig
    uint64 public constant MAX_PAIR_CREDIT = 0.8e18;
    /// @inheritdoc IRiskConfig
    uint16 public constant NO_VOL_FEED = type(uint16).max;
    /// @inheritdoc IRiskConfig
    uint16 public constant NO_RATE_FEED = type(uint16).max;
    /// @inheritdoc IRiskConfig
    uint64 public constant MAX_DEPEG = 0.5e18;
    /// @inheritdoc IRiskConfig
    uint64 public constant MAX_CONCENTRATION_CAP = 0.5e18;
    /// @inheritdoc IRiskConfig
    uint64 public constant MAX_CONCENTRATION_IMPACT = 1e18;

    /// @notice A yield-bearing collateral (wstETH-like) is worth `rate × the underlying's price`,
    /// in the underlying's risk asset; `rate` (underlying units per token, WAD) comes from a guarded
    /// feed, and the margin counts it after a fall of `depeg` against the underlying.
    struct YieldTerms {
        uint16 rateFeedPlusOne;
        uint64 depeg;
    }

    Asset[] internal _assets;
    mapping(uint32 eid => mapping(address token => uint16)) internal _assetIdPlusOne;
    Market[] internal _markets;
    mapping(uint16 riskAsset => ScenarioParams) internal _scenario;
    PairOffset[] internal _pairOffsets;
    LiquidationParams internal _liquidationParams;
    /// @dev Per yield-bearing asset: its exchange-rate feed (plus one; 0: not yield-bearing) and depeg.
    mapping(uint16 assetId => YieldTerms) internal _yieldTerms;
    mapping(uint16 assetId => ConcentrationTerms) internal _concentration;
    /// @inheritdoc IRiskConfig
    IMarketHolders public hub;

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(RISK_ADMIN_ROLE, admin);
        _liquidationParams = LiquidationParams({
            closeFactor: 0.5e18,
            fullCloseHealth: 0.95e18,
            targetHealth: 1.05e18,
            positionPenalty: 0.02e18,
            insuranceShare: 0.5e18,
            minBonusShare: 0.2e18,
            fullBonusHealth: 0.9e18
        });
    }

    // ---------------------------------------------------------------- collateral assets

    /// @inheritdoc IRiskConfig
    function yieldTerms(uint16 id) external view returns (uint16 rateFeed, uint64 depeg) {
        _assetOrRevert(id);
        YieldTerms memory t = _yieldTerms[id];
        return (t.rateFeedPlusOne == 0 ? NO_RATE_FEED : t.rateFeedPlusOne - 1, t.depeg);
    }

    /// @inheritdoc IRiskConfig
    function concentrationTerms(uint16 id) external view returns (ConcentrationTerms memory) {
        _assetOrRevert(id);
        return _concentration[id];
    }

    /// @inheritdoc IRiskConfig
    function assetCount() external view returns (uint256) {
        return _assets.length;
    }

    /// @inheritdoc IRiskConfig
    function asset(uint16 id) external view returns (Asset memory) {
        return _assetOrRevert(id);
    }

    /// @inheritdoc IRiskConfig
    function assetIdOf(uint32 eid, address token) public view returns (uint16) {
        uint16 idPlusOne = _assetIdPlusOne[eid][token];
        if (idPlusOne == 0) revert UnknownAsset(eid, token);
        return idPlusOne - 1;
    }

    /// @dev Market `id`, which must be an option past its expiry.
    function _expiredOption(uint16 id) internal view returns (Market storage m) {
        m = _marketOrRevert(id);
        if (m.kind == MarketKind.Perp) revert NotAnOption(id);
        if (block.timestamp < m.expiry) revert NotExpired(id, m.expiry);
    }

    // ---------------------------------------------------------------- markets and scenarios

    /// @inheritdoc IRiskConfig
    function scenarioParams(uint16 riskAsset_) external view returns (ScenarioParams memory) {
        _riskAssetOrRevert(riskAsset_);
        return _scenario[riskAsset_];
    }

    /// @inheritdoc IRiskConfig
    function pairOffsets() external view returns (PairOffset[] memory) {
        return _pairOffsets;
    }

    /// @inheritdoc IRiskConfig
    function marketCount() external view returns (uint256) {
        return _markets.length;
    }

    /// @inheritdoc IRiskConfig
    function market(uint16 id) external view returns (Market memory) {
        return _marketOrRevert(id);
    }

    /// @inheritdoc IRiskConfig
    function liquidationParams() external view returns (LiquidationParams memory) {
        return _liquidationParams;
    }

    // ---------------------------------------------------------------- internals

    function _assetOrRevert(uint16 id) internal view returns (Asset storage) {
        if (id >= _assets.length) revert UnknownAssetId(id);
        return _assets[id];
    }

    function _marketOrRevert(uint16 id) internal view returns (Market storage) {
        if (id >= _markets.length) revert UnknownMarket(id);
        return _markets[id];
    }
}
