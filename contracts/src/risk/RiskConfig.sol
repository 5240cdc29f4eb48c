// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {OracleGuard} from "../oracle/OracleGuard.sol";
import {IRiskConfig} from "../interfaces/IRiskConfig.sol";
import {ZeroAddress} from "../libraries/Errors.sol";
import {LiquidationGain} from "./LiquidationGain.sol";

/// @notice The risk configuration: collateral assets per (chain, token), markets (perps and
/// European options), the scenario grid and volatility feed of each underlying, correlated-pair
/// credits, and liquidation parameters, each set by RISK_ADMIN_ROLE within hard bounds. None of it can move a
/// user's collateral; the worst a risk admin can do is make margin stricter or looser.
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

    // ---------------------------------------------------------------- oracle

    /// @inheritdoc IRiskConfig
    function addRiskAsset(AggregatorV3Interface feed, uint32 maxAge, uint128 minPrice, uint128 maxPrice)
        external
        onlyRole(RISK_ADMIN_ROLE)
        returns (uint16)
    {
        uint16 id = _addRiskAsset(
            RiskAsset({feed: feed, feedDecimals: 0, maxAge: maxAge, minPrice: minPrice, maxPrice: maxPrice})
        );
        // Until the risk admin sets its grid, a 100% move: anything exposed to it is fully margined.
        _scenario[id] = ScenarioParams({
            scanRange: 1e18,
            volShift: 0,
            extremeMultiple: 1e18,
            extremeCover: 0,
            initialMultiple: 1e18,
            shortOptionMinimum: 0,
            volFeed: NO_VOL_FEED
        });
        emit ScenarioParamsSet(id, _scenario[id]);
        return id;
    }

    /// @inheritdoc IRiskConfig
    function setRiskAsset(uint16 id, AggregatorV3Interface feed, uint32 maxAge, uint128 minPrice, uint128 maxPrice)
        external
        onlyRole(RISK_ADMIN_ROLE)
    {
        _riskAssetOrRevert(id);
        _setRiskAsset(
            id, RiskAsset({feed: feed, feedDecimals: 0, maxAge: maxAge, minPrice: minPrice, maxPrice: maxPrice})
        );
    }

    /// @inheritdoc IRiskConfig
    function setSequencerFeed(AggregatorV3Interface feed, uint32 gracePeriod) external onlyRole(RISK_ADMIN_ROLE) {
        _setSequencerFeed(feed, gracePeriod);
    }

    // ---------------------------------------------------------------- collateral assets

    /// @inheritdoc IRiskConfig
    function listAsset(uint32 eid, address token, uint8 decimals, uint16 riskAsset_)
        external
        onlyRole(RISK_ADMIN_ROLE)
        returns (uint16 id)
    {
        if (token == address(0)) revert ZeroAddress();
        if (decimals > 36) revert TooManyDecimals(decimals);
        if (_assetIdPlusOne[eid][token] != 0) revert AssetAlreadyListed(eid, token);
        if (_assets.length >= MAX_ASSETS) revert TooManyAssets();
        _riskAssetOrRevert(riskAsset_);
        id = uint16(_assets.length);
        // Listed with a 100% haircut: it counts for nothing until the risk admin prices it in.
        _assets.push(
            Asset({
                eid: eid,
                token: token,
                decimals: decimals,
                riskAsset: riskAsset_,
                initialHaircut: 1e18,
                maintenanceHaircut: 1e18,
                liquidationBonus: 0
            })
        );
        _assetIdPlusOne[eid][token] = id + 1;
        emit AssetListed(id, eid, token, decimals, riskAsset_);
    }

    /// @inheritdoc IRiskConfig
    function setAssetRisk(uint16 id, uint64 initialHaircut, uint64 maintenanceHaircut, uint64 liquidationBonus)
        external
        onlyRole(RISK_ADMIN_ROLE)
    {
        if (initialHaircut > 1e18 || maintenanceHaircut > initialHaircut || liquidationBonus > MAX_LIQUIDATION_BONUS) {
            revert InvalidAssetRisk(initialHaircut, maintenanceHaircut, liquidationBonus);
        }
        if (!LiquidationGain.holds(maintenanceHaircut, liquidationBonus, MIN_LIQUIDATION_GAIN)) {
            revert LiquidationTakesEquity(id, maintenanceHaircut, liquidationBonus, MIN_LIQUIDATION_GAIN);
        }
        Asset storage a = _assetOrRevert(id);
        (a.initialHaircut, a.maintenanceHaircut, a.liquidationBonus) =
        (initialHaircut, maintenanceHaircut, liquidationBonus);
        emit AssetRiskSet(id, initialHaircut, maintenanceHaircut, liquidationBonus);
    }

    /// @inheritdoc IRiskConfig
    function setAssetYield(uint16 id, uint16 rateFeed, uint64 depeg) external onlyRole(RISK_ADMIN_ROLE) {
        Asset storage a = _assetOrRevert(id);
        if (depeg > MAX_DEPEG) revert DepegTooLarge(depeg, MAX_DEPEG);
        if (rateFeed != NO_RATE_FEED) {
            _riskAssetOrRevert(rateFeed);
            if (rateFeed == a.riskAsset) revert RateFeedIsUnderlying(id, rateFeed);
        }
        // A plain token has no depeg: what is stored is what the event says.
        if (rateFeed == NO_RATE_FEED) depeg = 0;
        _yieldTerms[id] = YieldTerms({rateFeedPlusOne: rateFeed == NO_RATE_FEED ? 0 : rateFeed + 1, depeg: depeg});
        emit AssetYieldSet(id, rateFeed, depeg);
    }

    /// @inheritdoc IRiskConfig
    function yieldTerms(uint16 id) external view returns (uint16 rateFeed, uint64 depeg) {
        _assetOrRevert(id);
        YieldTerms memory t = _yieldTerms[id];
        return (t.rateFeedPlusOne == 0 ? NO_RATE_FEED : t.rateFeedPlusOne - 1, t.depeg);
    }

    /// @inheritdoc IRiskConfig
    function setAssetConcentration(uint16 id, uint128 depthUsd, uint64 impact, uint64 cap)
        external
        onlyRole(RISK_ADMIN_ROLE)
    {
        _assetOrRevert(id);
        if (cap > MAX_CONCENTRATION_CAP) revert ConcentrationCapTooLarge(cap, MAX_CONCENTRATION_CAP);
        if (impact > MAX_CONCENTRATION_IMPACT) revert ConcentrationImpactTooLarge(impact, MAX_CONCENTRATION_IMPACT);
        if (depthUsd == 0 && (impact != 0 || cap != 0)) revert ConcentrationWithoutDepth(id);
        _concentration[id] = ConcentrationTerms({depthUsd: depthUsd, impact: impact, cap: cap});
        emit AssetConcentrationSet(id, depthUsd, impact, cap);
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

    // ---------------------------------------------------------------- markets

    /// @inheritdoc IRiskConfig
    function listMarket(uint16 riskAsset_, MarketKind kind, uint128 strike, uint64 expiry, uint64 maxPriceDeviation)
        external
        onlyRole(RISK_ADMIN_ROLE)
        returns (uint16 id)
    {
        if (_markets.length >= MAX_MARKETS) revert TooManyMarkets();
        _riskAssetOrRevert(riskAsset_);
        if (kind == MarketKind.Perp) {
            if (strike != 0 || expiry != 0) revert InvalidMarketTerms(kind, strike, expiry);
        } else {
            if (strike == 0 || expiry <= block.timestamp) revert InvalidMarketTerms(kind, strike, expiry);
            if (_scenario[riskAsset_].volFeed == NO_VOL_FEED) revert NoVolatilityFeed(riskAsset_);
        }
        id = uint16(_markets.length);
        _markets.push(
            Market({
                riskAsset: riskAsset_,
                kind: kind,
                maxPriceDeviation: 0,
                expiry: expiry,
                strike: strike,
                settlementPrice: 0
            })
        );
        emit MarketListed(id, riskAsset_, kind, strike, expiry);
        _setMarketRisk(id, maxPriceDeviation);
    }

    /// @inheritdoc IRiskConfig
    function setMarketRisk(uint16 id, uint64 maxPriceDeviation) external onlyRole(RISK_ADMIN_ROLE) {
        _marketOrRevert(id);
        _setMarketRisk(id, maxPriceDeviation);
    }

    /// @inheritdoc IRiskConfig
    function fixSettlementPrice(uint16 id, uint80 roundId) external returns (uint256 settlement) {
        Market storage m = _expiredOption(id);
        settlement = m.settlementPrice;
        if (settlement != 0) return settlement;
        settlement = _priceAtOrAfter(m.riskAsset, roundId, m.expiry);
        // forge-lint: disable-next-line(unsafe-typecast) a guarded price is <= its uint128 maxPrice
        m.settlementPrice = uint128(settlement);
        emit SettlementPriceFixed(id, settlement);
    }

    /// @dev Market `id`, which must be an option past its expiry.
    function _expiredOption(uint16 id) internal view returns (Market storage m) {
        m = _marketOrRevert(id);
        if (m.kind == MarketKind.Perp) revert NotAnOption(id);
        if (block.timestamp < m.expiry) revert NotExpired(id, m.expiry);
    }

    // ---------------------------------------------------------------- scenarios

    /// @inheritdoc IRiskConfig
    function setScenarioParams(uint16 riskAsset_, ScenarioParams calldata p) external onlyRole(RISK_ADMIN_ROLE) {
        _riskAssetOrRevert(riskAsset_);
        if (
            p.scanRange == 0 || p.scanRange > 1e18 || p.volShift > 1e18 || p.extremeMultiple < 1e18
                || p.extremeMultiple > 5e18 || p.extremeCover > 1e18 || p.initialMultiple < 1e18
                || p.initialMultiple > 3e18 || p.shortOptionMinimum > 0.5e18
        ) revert InvalidScenarioParams(riskAsset_);
        if (p.volFeed != NO_VOL_FEED) {
            _riskAssetOrRevert(p.volFeed);
            if (p.volFeed == riskAsset_) revert VolatilityFeedIsUnderlying(riskAsset_);
        }
        _scenario[riskAsset_] = p;
        emit ScenarioParamsSet(riskAsset_, p);
    }

    /// @inheritdoc IRiskConfig
    function scenarioParams(uint16 riskAsset_) external view returns (ScenarioParams memory) {
        _riskAssetOrRevert(riskAsset_);
        return _scenario[riskAsset_];
    }

    /// @inheritdoc IRiskConfig
    function setPairOffset(uint16 a, uint16 b, uint64 credit) external onlyRole(RISK_ADMIN_ROLE) {
        _riskAssetOrRevert(a);
        _riskAssetOrRevert(b);
        if (a == b || credit > MAX_PAIR_CREDIT) revert InvalidPairOffset(a, b, credit);
        for (uint256 i; i < _pairOffsets.length; ++i) {
            PairOffset storage o = _pairOffsets[i];
            if ((o.a == a && o.b == b) || (o.a == b && o.b == a)) {
                o.credit = credit;
                emit PairOffsetSet(a, b, credit);
                return;
            }
        }
        if (_pairOffsets.length >= MAX_PAIR_OFFSETS) revert TooManyPairOffsets();
        _pairOffsets.push(PairOffset({a: a, b: b, credit: credit}));
        emit PairOffsetSet(a, b, credit);
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

    // ---------------------------------------------------------------- liquidation

    /// @inheritdoc IRiskConfig
    function setLiquidationParams(LiquidationParams calldata p) external onlyRole(RISK_ADMIN_ROLE) {
        if (
            p.closeFactor == 0 || p.closeFactor > 1e18 || p.fullCloseHealth > 1e18 || p.targetHealth < 1e18
                || p.targetHealth > 2e18 || p.positionPenalty > 0.1e18 || p.insuranceShare > 1e18
                || p.minBonusShare > 1e18 || p.fullBonusHealth >= 1e18
        ) revert InvalidLiquidationParams();
        _liquidationParams = p;
        emit LiquidationParamsSet(p);
    }

    /// @inheritdoc IRiskConfig
    function liquidationParams() external view returns (LiquidationParams memory) {
        return _liquidationParams;
    }

    // ---------------------------------------------------------------- internals

    function _setMarketRisk(uint16 id, uint64 maxPriceDeviation) private {
        if (maxPriceDeviation > 0.5e18) revert PriceDeviationTooLarge(maxPriceDeviation, 0.5e18);
        _markets[id].maxPriceDeviation = maxPriceDeviation;
        emit MarketRiskSet(id, maxPriceDeviation);
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
