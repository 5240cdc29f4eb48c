// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {OracleGuard} from "../oracle/OracleGuard.sol";
import {ZeroAddress} from "../libraries/Errors.sol";

/// @notice The risk configuration: collateral assets per (chain, token), markets (perps and
/// European options), the scenario grid and volatility feed of each underlying, correlated-pair
/// credits, and liquidation parameters, each set by RISK_ADMIN_ROLE within hard bounds. None of it can move a
/// user's collateral; the worst a risk admin can do is make margin stricter or looser.
abstract contract RiskConfig is AccessControl, OracleGuard {
    bytes32 public constant RISK_ADMIN_ROLE = keccak256("RISK_ADMIN_ROLE");

    uint256 public constant MAX_ASSETS = 64;
    uint256 public constant MAX_MARKETS = 64;
    uint64 public constant MAX_LIQUIDATION_BONUS = 0.25e18;
    uint256 public constant MAX_PAIR_OFFSETS = 16;
    uint64 public constant MAX_PAIR_CREDIT = 0.8e18;
    /// @notice `ScenarioParams.volFeed` of an underlying with no implied-volatility feed (no options).
    uint16 public constant NO_VOL_FEED = type(uint16).max;
    /// @notice `yieldTerms` of an asset that is not yield-bearing.
    uint16 public constant NO_RATE_FEED = type(uint16).max;
    /// @notice Largest fall of a yield-bearing asset's exchange rate its margin may assume.
    uint64 public constant MAX_DEPEG = 0.5e18;
    /// @notice Largest concentration add-on an asset may charge, and largest price impact of
    /// selling its whole market depth (docs/risk-model.md section 10.5).
    uint64 public constant MAX_CONCENTRATION_CAP = 0.5e18;
    uint64 public constant MAX_CONCENTRATION_IMPACT = 1e18;

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

    /// @notice Kinds of instrument a market can be: a linear perpetual, or a European option
    /// cash-settled in USD at expiry.
    enum MarketKind {
        Perp,
        Call,
        Put
    }

    struct Market {
        uint16 riskAsset;
        MarketKind kind;
        /// @dev Farthest a venue's trade price may be from the model mark: a WAD share of the mark
        /// for perps, of the underlying's spot for options (whose premium can be near zero).
        uint64 maxPriceDeviation;
        /// @dev Options only: expiry (unix seconds), strike (USD WAD) and, once fixed after
        /// expiry, the underlying's settlement price (USD WAD).
        uint64 expiry;
        uint128 strike;
        uint128 settlementPrice;
    }

    /// @notice The scenario grid of one underlying (docs/risk-model.md section 6), all WAD.
    struct ScenarioParams {
        uint64 scanRange;
        uint64 volShift;
        uint64 extremeMultiple;
        uint64 extremeCover;
        uint64 initialMultiple;
        uint64 shortOptionMinimum;
        /// @dev Guarded feed of the underlying's implied volatility (WAD fraction per year), or NO_VOL_FEED.
        uint16 volFeed;
    }

    /// @notice Credit `credit` of the smaller requirement of two underlyings when an account is
    /// long one and short the other.
    struct PairOffset {
        uint16 a;
        uint16 b;
        uint64 credit;
    }

    /// @notice A yield-bearing collateral (wstETH-like) is worth `rate × the underlying's price`,
    /// in the underlying's risk asset; `rate` (underlying units per token, WAD) comes from a guarded
    /// feed, and the margin counts it after a fall of `depeg` against the underlying.
    struct YieldTerms {
        uint16 rateFeedPlusOne;
        uint64 depeg;
    }

    /// @notice The per-account concentration add-on of a collateral asset: an account holding a
    /// value `Q` of it has both haircuts raised by `min(cap, impact × √(Q / depthUsd))`, the cost
    /// of selling its own holding into a market of depth `depthUsd` (square-root law of market
    /// impact). `depthUsd` 0: no add-on.
    struct ConcentrationTerms {
        /// @dev USD WAD a liquidator can sell within the liquidation horizon at price impact `impact`.
        uint128 depthUsd;
        /// @dev Price impact of selling the whole depth (WAD): about σ_daily of the underlying.
        uint64 impact;
        /// @dev Largest add-on (WAD).
        uint64 cap;
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
        /// @dev Share of an asset's liquidation bonus paid at health 1 (1e18: the bonus is flat).
        uint64 minBonusShare;
        /// @dev At and below this health (< 1e18) the whole bonus is paid; linear between.
        uint64 fullBonusHealth;
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

    event AssetListed(
        uint16 indexed assetId, uint32 indexed eid, address indexed token, uint8 decimals, uint16 riskAsset
    );
    event AssetRiskSet(
        uint16 indexed assetId, uint64 initialHaircut, uint64 maintenanceHaircut, uint64 liquidationBonus
    );
    event MarketListed(
        uint16 indexed marketId, uint16 indexed riskAsset, MarketKind kind, uint128 strike, uint64 expiry
    );
    event MarketRiskSet(uint16 indexed marketId, uint64 maxPriceDeviation);
    event ScenarioParamsSet(uint16 indexed riskAsset, ScenarioParams params);
    event PairOffsetSet(uint16 indexed a, uint16 indexed b, uint64 credit);
    event SettlementPriceFixed(uint16 indexed marketId, uint256 price);
    event LiquidationParamsSet(LiquidationParams params);
    event AssetYieldSet(uint16 indexed assetId, uint16 rateFeed, uint64 depeg);
    event AssetConcentrationSet(uint16 indexed assetId, uint128 depthUsd, uint64 impact, uint64 cap);

    error TooManyDecimals(uint8 decimals);
    error InvalidAssetRisk(uint64 initialHaircut, uint64 maintenanceHaircut, uint64 liquidationBonus);
    /// @notice A perp listed with a strike or expiry, or an option without a strike or a future expiry.
    error InvalidMarketTerms(MarketKind kind, uint128 strike, uint64 expiry);
    error InvalidScenarioParams(uint16 riskAsset);
    error VolatilityFeedIsUnderlying(uint16 riskAsset);
    error InvalidPairOffset(uint16 a, uint16 b, uint64 credit);
    error InvalidLiquidationParams();
    error PriceDeviationTooLarge(uint64 maxPriceDeviation, uint64 max);
    error UnknownAsset(uint32 eid, address token);
    error UnknownAssetId(uint16 assetId);
    error UnknownMarket(uint16 marketId);
    error AssetAlreadyListed(uint32 eid, address token);
    error TooManyAssets();
    error TooManyMarkets();
    error TooManyPairOffsets();
    error NoVolatilityFeed(uint16 riskAsset);
    error NotAnOption(uint16 marketId);
    error NotExpired(uint16 marketId, uint64 expiry);
    error MarketExpired(uint16 marketId);
    error DepegTooLarge(uint64 depeg, uint64 max);
    error RateFeedIsUnderlying(uint16 assetId, uint16 rateFeed);
    error ConcentrationCapTooLarge(uint64 cap, uint64 max);
    error ConcentrationImpactTooLarge(uint64 impact, uint64 max);
    /// @notice An impact or cap was given with no market depth to apply it to.
    error ConcentrationWithoutDepth(uint16 assetId);

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

    function setRiskAsset(uint16 id, AggregatorV3Interface feed, uint32 maxAge, uint128 minPrice, uint128 maxPrice)
        external
        onlyRole(RISK_ADMIN_ROLE)
    {
        _riskAssetOrRevert(id);
        _setRiskAsset(
            id, RiskAsset({feed: feed, feedDecimals: 0, maxAge: maxAge, minPrice: minPrice, maxPrice: maxPrice})
        );
    }

    function setSequencerFeed(AggregatorV3Interface feed, uint32 gracePeriod) external onlyRole(RISK_ADMIN_ROLE) {
        _setSequencerFeed(feed, gracePeriod);
    }

    // ---------------------------------------------------------------- collateral assets

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

    function setAssetRisk(uint16 id, uint64 initialHaircut, uint64 maintenanceHaircut, uint64 liquidationBonus)
        external
        onlyRole(RISK_ADMIN_ROLE)
    {
        if (initialHaircut > 1e18 || maintenanceHaircut > initialHaircut || liquidationBonus > MAX_LIQUIDATION_BONUS) {
            revert InvalidAssetRisk(initialHaircut, maintenanceHaircut, liquidationBonus);
        }
        Asset storage a = _assetOrRevert(id);
        (a.initialHaircut, a.maintenanceHaircut, a.liquidationBonus) =
        (initialHaircut, maintenanceHaircut, liquidationBonus);
        emit AssetRiskSet(id, initialHaircut, maintenanceHaircut, liquidationBonus);
    }

    /// @notice Make asset `id` yield-bearing: valued at the guarded exchange rate of risk asset
    /// `rateFeed` (underlying units per token) times its underlying's price, counted in the margin
    /// after a fall of `depeg` of that rate. `NO_RATE_FEED` makes it a plain token again.
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

    /// @notice Asset `id`'s exchange-rate feed (`NO_RATE_FEED` if it is a plain token) and depeg.
    function yieldTerms(uint16 id) external view returns (uint16 rateFeed, uint64 depeg) {
        _assetOrRevert(id);
        YieldTerms memory t = _yieldTerms[id];
        return (t.rateFeedPlusOne == 0 ? NO_RATE_FEED : t.rateFeedPlusOne - 1, t.depeg);
    }

    /// @notice Set asset `id`'s per-account concentration add-on (see `ConcentrationTerms`); a
    /// `depthUsd` of 0 (with impact and cap 0) turns it off.
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

    /// @notice Asset `id`'s concentration add-on terms (all 0: none).
    function concentrationTerms(uint16 id) external view returns (ConcentrationTerms memory) {
        _assetOrRevert(id);
        return _concentration[id];
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

    /// @notice List a perp (strike and expiry 0) or a European option on `riskAsset_`. Margin
    /// comes from the underlying's scenario grid, so a market has no margin factors of its own.
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

    function setMarketRisk(uint16 id, uint64 maxPriceDeviation) external onlyRole(RISK_ADMIN_ROLE) {
        _marketOrRevert(id);
        _setMarketRisk(id, maxPriceDeviation);
    }

    /// @notice Fix an expired option's settlement price at the guarded oracle price, once; anyone
    /// may call it, and every account then settles at the same price.
    /// @dev On a public network this should read the first oracle round at or after expiry
    /// (Chainlink's getRoundData); the devnet's manual feeds have no history to search.
    function fixSettlementPrice(uint16 id) public returns (uint256 settlement) {
        Market storage m = _marketOrRevert(id);
        if (m.kind == MarketKind.Perp) revert NotAnOption(id);
        if (block.timestamp < m.expiry) revert NotExpired(id, m.expiry);
        settlement = m.settlementPrice;
        if (settlement != 0) return settlement;
        _checkSequencer();
        settlement = _price(m.riskAsset);
        // forge-lint: disable-next-line(unsafe-typecast) a guarded price is <= its uint128 maxPrice
        m.settlementPrice = uint128(settlement);
        emit SettlementPriceFixed(id, settlement);
    }

    // ---------------------------------------------------------------- scenarios

    /// @notice Set an underlying's scenario grid and volatility feed, within bounds that keep
    /// every scenario meaningful (a positive range, covers of at most 100%, a wider initial grid).
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

    function scenarioParams(uint16 riskAsset_) external view returns (ScenarioParams memory) {
        _riskAssetOrRevert(riskAsset_);
        return _scenario[riskAsset_];
    }

    /// @notice Set (or, with credit 0, neutralise) the credit of a pair of underlyings.
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

    function pairOffsets() external view returns (PairOffset[] memory) {
        return _pairOffsets;
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
                || p.minBonusShare > 1e18 || p.fullBonusHealth >= 1e18
        ) revert InvalidLiquidationParams();
        _liquidationParams = p;
        emit LiquidationParamsSet(p);
    }

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
