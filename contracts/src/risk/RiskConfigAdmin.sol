// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {IRiskConfig} from "../interfaces/IRiskConfig.sol";
import {IOracleGuard} from "../interfaces/IOracleGuard.sol";
import {IMarketHolders} from "../interfaces/IMarketHolders.sol";
import {ZeroAddress} from "../libraries/Errors.sol";
import {LiquidationGain} from "./LiquidationGain.sol";
import {RiskConfig} from "./RiskConfig.sol";

/// @title RiskConfigAdmin
/// @notice The risk configuration's setters (see IRiskConfig), whose code runs in the risk
/// engine's storage: the engine deploys this contract and delegates those calls to it, so the
/// events are the engine's and `msg.sender` is the engine's caller, whose role is checked.
/// @dev Built on the same `RiskConfig` as the engine, so its storage layout is the engine's.
/// Called directly, it would act on its own storage; it refuses that instead.
contract RiskConfigAdmin is RiskConfig {
    /// @notice Raised when this contract is called other than through its engine's delegatecall.
    error NotThroughTheEngine();

    address private immutable _self;

    constructor() RiskConfig(address(this)) {
        _self = address(this);
    }

    modifier throughTheEngine() {
        if (address(this) == _self) revert NotThroughTheEngine();
        _;
    }

    /// @inheritdoc IRiskConfig
    function addRiskAsset(AggregatorV3Interface feed, uint32 maxAge, uint128 minPrice, uint128 maxPrice)
        external
        throughTheEngine
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
        throughTheEngine
        onlyRole(RISK_ADMIN_ROLE)
    {
        _riskAssetOrRevert(id);
        _setRiskAsset(
            id, RiskAsset({feed: feed, feedDecimals: 0, maxAge: maxAge, minPrice: minPrice, maxPrice: maxPrice})
        );
    }

    /// @inheritdoc IRiskConfig
    function setSequencerFeed(AggregatorV3Interface feed, uint32 gracePeriod)
        external
        throughTheEngine
        onlyRole(RISK_ADMIN_ROLE)
    {
        _setSequencerFeed(feed, gracePeriod);
    }

    /// @inheritdoc IRiskConfig
    function listAsset(uint32 eid, address token, uint8 decimals, uint16 riskAsset_)
        external
        throughTheEngine
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
        throughTheEngine
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
    function setAssetYield(uint16 id, uint16 rateFeed, uint64 depeg)
        external
        throughTheEngine
        onlyRole(RISK_ADMIN_ROLE)
    {
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
    function setAssetConcentration(uint16 id, uint128 depthUsd, uint64 impact, uint64 cap)
        external
        throughTheEngine
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
    function listMarket(uint16 riskAsset_, MarketKind kind, uint128 strike, uint64 expiry, uint64 maxPriceDeviation)
        external
        throughTheEngine
        onlyRole(RISK_ADMIN_ROLE)
        returns (uint16 id)
    {
        _riskAssetOrRevert(riskAsset_);
        if (kind == MarketKind.Perp) {
            if (strike != 0 || expiry != 0) revert InvalidMarketTerms(kind, strike, expiry);
        } else {
            if (strike == 0 || expiry <= block.timestamp) revert InvalidMarketTerms(kind, strike, expiry);
            if (_scenario[riskAsset_].volFeed == NO_VOL_FEED) revert NoVolatilityFeed(riskAsset_);
        }
        Market memory listed = Market({
            riskAsset: riskAsset_, kind: kind, maxPriceDeviation: 0, expiry: expiry, strike: strike, settlementPrice: 0
        });
        if (_markets.length < MAX_MARKETS) {
            id = uint16(_markets.length);
            _markets.push(listed);
        } else {
            id = _freeMarketId();
            _markets[id] = listed;
        }
        emit MarketListed(id, riskAsset_, kind, strike, expiry);
        _setMarketRisk(id, maxPriceDeviation);
    }

    /// @inheritdoc IRiskConfig
    function setMarketRisk(uint16 id, uint64 maxPriceDeviation) external throughTheEngine onlyRole(RISK_ADMIN_ROLE) {
        _marketOrRevert(id);
        _setMarketRisk(id, maxPriceDeviation);
    }

    /// @inheritdoc IRiskConfig
    function fixSettlementPrice(uint16 id, uint80 roundId) external throughTheEngine returns (uint256 settlement) {
        Market storage m = _expiredOption(id);
        settlement = m.settlementPrice;
        if (settlement != 0) return settlement;
        settlement = _priceAtOrAfter(m.riskAsset, roundId, m.expiry);
        // forge-lint: disable-next-line(unsafe-typecast) a guarded price is <= its uint128 maxPrice
        m.settlementPrice = uint128(settlement);
        emit SettlementPriceFixed(id, settlement);
    }

    /// @inheritdoc IRiskConfig
    function setScenarioParams(uint16 riskAsset_, ScenarioParams calldata p)
        external
        throughTheEngine
        onlyRole(RISK_ADMIN_ROLE)
    {
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
    function setPairOffset(uint16 a, uint16 b, uint64 credit) external throughTheEngine onlyRole(RISK_ADMIN_ROLE) {
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
    function setLiquidationParams(LiquidationParams calldata p) external throughTheEngine onlyRole(RISK_ADMIN_ROLE) {
        if (
            p.closeFactor == 0 || p.closeFactor > 1e18 || p.fullCloseHealth > 1e18 || p.targetHealth < 1e18
                || p.targetHealth > 2e18 || p.positionPenalty > 0.1e18 || p.insuranceShare > 1e18
                || p.minBonusShare > 1e18 || p.fullBonusHealth >= 1e18
        ) revert InvalidLiquidationParams();
        _liquidationParams = p;
        emit LiquidationParamsSet(p);
    }

    /// @inheritdoc IOracleGuard
    function recordPrice(uint16 id) external throughTheEngine returns (uint256 p) {
        _checkSequencer();
        p = _price(id);
        // forge-lint: disable-next-line(unsafe-typecast) a guarded price is <= its uint128 maxPrice; a timestamp fits 64 bits
        _recorded[id] = RecordedPrice({price: uint128(p), recordedAt: uint64(block.timestamp)});
        emit PriceRecorded(id, p);
    }

    /// @inheritdoc IRiskConfig
    function setHub(IMarketHolders hub_) external throughTheEngine onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(hub) != address(0)) revert HubAlreadySet(address(hub));
        if (address(hub_) == address(0)) revert ZeroAddress();
        hub = hub_;
        emit HubSet(address(hub_));
    }

    /// @dev The lowest id of a settled option nobody holds: settled, its payoff is fixed and every
    /// holder's position turns into cash at it, so once the count is zero nothing refers to it.
    /// Bounded by MAX_MARKETS, and run only by the risk admin's listing.
    function _freeMarketId() private view returns (uint16) {
        IMarketHolders h = hub;
        if (address(h) != address(0)) {
            for (uint16 id; id < MAX_MARKETS; ++id) {
                if (_markets[id].settlementPrice != 0 && h.marketHolders(id) == 0) return id;
            }
        }
        revert TooManyMarkets();
    }

    function _setMarketRisk(uint16 id, uint64 maxPriceDeviation) private {
        if (maxPriceDeviation > 0.5e18) revert PriceDeviationTooLarge(maxPriceDeviation, 0.5e18);
        _markets[id].maxPriceDeviation = maxPriceDeviation;
        emit MarketRiskSet(id, maxPriceDeviation);
    }
}
