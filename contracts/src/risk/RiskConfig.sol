// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import { AccessControl } from "@openzeppelin/contracts/access/AccessControl.sol";
import { AggregatorV3Interface } from "../interfaces/AggregatorV3Interface.sol";
import { OracleGuard } from "../oracle/OracleGuard.sol";

/// @notice The risk configuration: collateral assets per (chain, token), markets, and
/// liquidation parameters, each set by RISK_ADMIN_ROLE within hard bounds. None of it can move a
/// user's collateral; the worst a risk admin can do is make margin stricter or looser.
abstract contract RiskConfig is AccessControl, OracleGuard {
    bytes32 public constant RISK_ADMIN_ROLE = keccak256("RISK_ADMIN_ROLE");

    uint256 public constant MAX_ASSETS = 64;
    uint256 public constant MAX_MARKETS = 64;
    uint64 public constant MAX_LIQUIDATION_BONUS = 0.25e18;

    /// @notice Collateral: one token on one chain, priced by its risk asset (WETH on two chains
    /// has two Asset entries sharing one risk asset).
    struct Asset {
        uint32 eid;
        address token;
        uint8 decimals;
        uint16 riskAsset;
        /// @dev Share of value not counted when opening risk or withdrawing (WAD).
        uint64 initialHaircut;
        /// @dev Share of value not counted for liquidation (WAD); at most the initial haircut.
        uint64 maintenanceHaircut;
        /// @dev Extra value a liquidator receives on top of the debt repaid (WAD).
        uint64 liquidationBonus;
    }

    /// @notice Kinds of instrument a market can be. Options arrive with the portfolio risk model.
    enum MarketKind {
        Perp
    }

    struct Market {
        uint16 riskAsset;
        MarketKind kind;
        /// @dev Initial and maintenance margin as a share of notional (WAD).
        uint64 initialFactor;
        uint64 maintenanceFactor;
        /// @dev Farthest a venue's trade price may be from the oracle mark (WAD share of mark).
        uint64 maxPriceDeviation;
    }

    struct LiquidationParams {
        /// @dev Share of debt (or position) one liquidation may take while health is above fullCloseHealth.
        uint64 closeFactor;
        /// @dev Below this health a liquidation may take everything.
        uint64 fullCloseHealth;
        /// @dev Health a collateral liquidation aims to restore (>= 1e18).
        uint64 targetHealth;
        /// @dev Penalty on the notional of a position taken over (WAD).
        uint64 positionPenalty;
        /// @dev Share of that penalty paid to the insurance fund; the rest goes to the keeper.
        uint64 insuranceShare;
    }

    Asset[] internal _assets;
    mapping(uint32 eid => mapping(address token => uint16)) internal _assetIdPlusOne;
    Market[] internal _markets;
    LiquidationParams internal _liquidationParams;

    event AssetListed(uint16 indexed assetId, uint32 indexed eid, address indexed token, uint8 decimals, uint16 riskAsset);
    event AssetRiskSet(uint16 indexed assetId, uint64 initialHaircut, uint64 maintenanceHaircut, uint64 liquidationBonus);
    event MarketListed(uint16 indexed marketId, uint16 indexed riskAsset, MarketKind kind);
    event MarketRiskSet(uint16 indexed marketId, uint64 initialFactor, uint64 maintenanceFactor, uint64 maxPriceDeviation);
    event LiquidationParamsSet(LiquidationParams params);

    error ZeroAddress();
    error InvalidParameter();
    error UnknownAsset(uint32 eid, address token);
    error UnknownAssetId(uint16 assetId);
    error UnknownMarket(uint16 marketId);
    error AssetAlreadyListed(uint32 eid, address token);
    error TooManyAssets();
    error TooManyMarkets();

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(RISK_ADMIN_ROLE, admin);
        _liquidationParams = LiquidationParams({
            closeFactor: 0.5e18,
            fullCloseHealth: 0.95e18,
            targetHealth: 1.05e18,
            positionPenalty: 0.02e18,
            insuranceShare: 0.5e18
        });
    }

    // ---------------------------------------------------------------- oracle

    function addRiskAsset(AggregatorV3Interface feed, uint32 maxAge, uint128 minPrice, uint128 maxPrice)
        external
        onlyRole(RISK_ADMIN_ROLE)
        returns (uint16)
    {
        return _addRiskAsset(RiskAsset(feed, 0, maxAge, minPrice, maxPrice));
    }

    function setRiskAsset(uint16 id, AggregatorV3Interface feed, uint32 maxAge, uint128 minPrice, uint128 maxPrice)
        external
        onlyRole(RISK_ADMIN_ROLE)
    {
        _riskAssetOrRevert(id);
        _setRiskAsset(id, RiskAsset(feed, 0, maxAge, minPrice, maxPrice));
    }

    function setSequencerFeed(AggregatorV3Interface feed, uint32 gracePeriod) external onlyRole(RISK_ADMIN_ROLE) {
        _setSequencerFeed(feed, gracePeriod);
    }

    // ---------------------------------------------------------------- collateral assets

    function listAsset(uint32 eid, address token, uint8 decimals, uint16 riskAsset_) external onlyRole(RISK_ADMIN_ROLE) returns (uint16 id) {
        if (token == address(0)) revert ZeroAddress();
        if (decimals > 36) revert InvalidParameter();
        if (_assetIdPlusOne[eid][token] != 0) revert AssetAlreadyListed(eid, token);
        if (_assets.length >= MAX_ASSETS) revert TooManyAssets();
        _riskAssetOrRevert(riskAsset_);
        id = uint16(_assets.length);
        // Listed with a 100% haircut: it counts for nothing until the risk admin prices it in.
        _assets.push(Asset(eid, token, decimals, riskAsset_, 1e18, 1e18, 0));
        _assetIdPlusOne[eid][token] = id + 1;
        emit AssetListed(id, eid, token, decimals, riskAsset_);
    }

    function setAssetRisk(uint16 id, uint64 initialHaircut, uint64 maintenanceHaircut, uint64 liquidationBonus)
        external
        onlyRole(RISK_ADMIN_ROLE)
    {
        if (initialHaircut > 1e18 || maintenanceHaircut > initialHaircut || liquidationBonus > MAX_LIQUIDATION_BONUS) {
            revert InvalidParameter();
        }
        Asset storage a = _assetOrRevert(id);
        (a.initialHaircut, a.maintenanceHaircut, a.liquidationBonus) = (initialHaircut, maintenanceHaircut, liquidationBonus);
        emit AssetRiskSet(id, initialHaircut, maintenanceHaircut, liquidationBonus);
    }

    function assetCount() external view returns (uint256) {
        return _assets.length;
    }

    function asset(uint16 id) external view returns (Asset memory) {
        return _assetOrRevert(id);
    }

    /// @notice The asset id of `token` on chain `eid`; reverts if it is not listed.
    function assetIdOf(uint32 eid, address token) public view returns (uint16) {
        uint16 idPlusOne = _assetIdPlusOne[eid][token];
        if (idPlusOne == 0) revert UnknownAsset(eid, token);
        return idPlusOne - 1;
    }

    // ---------------------------------------------------------------- markets

    function listMarket(uint16 riskAsset_, uint64 initialFactor, uint64 maintenanceFactor, uint64 maxPriceDeviation)
        external
        onlyRole(RISK_ADMIN_ROLE)
        returns (uint16 id)
    {
        if (_markets.length >= MAX_MARKETS) revert TooManyMarkets();
        _riskAssetOrRevert(riskAsset_);
        id = uint16(_markets.length);
        _markets.push();
        _markets[id].riskAsset = riskAsset_;
        emit MarketListed(id, riskAsset_, MarketKind.Perp);
        _setMarketRisk(id, initialFactor, maintenanceFactor, maxPriceDeviation);
    }

    function setMarketRisk(uint16 id, uint64 initialFactor, uint64 maintenanceFactor, uint64 maxPriceDeviation)
        external
        onlyRole(RISK_ADMIN_ROLE)
    {
        _marketOrRevert(id);
        _setMarketRisk(id, initialFactor, maintenanceFactor, maxPriceDeviation);
    }

    function marketCount() external view returns (uint256) {
        return _markets.length;
    }

    function market(uint16 id) external view returns (Market memory) {
        return _marketOrRevert(id);
    }

    // ---------------------------------------------------------------- liquidation

    function setLiquidationParams(LiquidationParams calldata p) external onlyRole(RISK_ADMIN_ROLE) {
        if (
            p.closeFactor == 0 || p.closeFactor > 1e18 || p.fullCloseHealth > 1e18 || p.targetHealth < 1e18
                || p.targetHealth > 2e18 || p.positionPenalty > 0.1e18 || p.insuranceShare > 1e18
        ) revert InvalidParameter();
        _liquidationParams = p;
        emit LiquidationParamsSet(p);
    }

    function liquidationParams() external view returns (LiquidationParams memory) {
        return _liquidationParams;
    }

    // ---------------------------------------------------------------- internals

    function _setMarketRisk(uint16 id, uint64 initialFactor, uint64 maintenanceFactor, uint64 maxPriceDeviation) private {
        if (maintenanceFactor == 0 || maintenanceFactor > initialFactor || initialFactor > 1e18 || maxPriceDeviation > 0.5e18) {
            revert InvalidParameter();
        }
        Market storage m = _markets[id];
        (m.initialFactor, m.maintenanceFactor, m.maxPriceDeviation) = (initialFactor, maintenanceFactor, maxPriceDeviation);
        emit MarketRiskSet(id, initialFactor, maintenanceFactor, maxPriceDeviation);
    }

    function _assetOrRevert(uint16 id) internal view returns (Asset storage) {
        if (id >= _assets.length) revert UnknownAssetId(id);
        return _assets[id];
    }

    function _marketOrRevert(uint16 id) internal view returns (Market storage) {
        if (id >= _markets.length) revert UnknownMarket(id);
        return _markets[id];
    }
}
