// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";
import {IOracleGuard} from "./IOracleGuard.sol";
import {IMarketHolders} from "./IMarketHolders.sol";

/// @title IRiskConfig
/// @notice The risk configuration of the risk engine: collateral assets per (chain, token),
/// markets (perps and European options), the scenario grid and volatility feed of each
/// underlying (risk asset), correlated-pair credits, and liquidation parameters, each set by
/// RISK_ADMIN_ROLE within hard bounds. None of it can move a user's collateral; the worst a risk
/// admin can do is make margin stricter or looser.
/// @dev Shares, haircuts, bonuses and prices are WAD (1e18 = 100%, or $1). Listing functions
/// return ids that count up from 0: asset ids, market ids and risk asset ids are array indices.
interface IRiskConfig is IOracleGuard {
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

    /// @notice A market venues trade on: a perp or a European option on a risk asset.
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

    /// @notice How liquidations are sized and rewarded (docs/risk-model.md section 8).
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

    /// @notice Collateral asset `assetId` was listed (with 100% haircuts until `setAssetRisk`).
    /// @param assetId The new asset's id.
    /// @param eid Endpoint id of the chain the token is on.
    /// @param token The token on that chain.
    /// @param decimals The token's decimals.
    /// @param riskAsset The risk asset that prices it.
    event AssetListed(
        uint16 indexed assetId, uint32 indexed eid, address indexed token, uint8 decimals, uint16 riskAsset
    );

    /// @notice Asset `assetId`'s haircuts and liquidation bonus were set.
    /// @param assetId The asset's id.
    /// @param initialHaircut Share of value not counted for initial margin (WAD).
    /// @param maintenanceHaircut Share of value not counted for maintenance margin (WAD).
    /// @param liquidationBonus Extra value a liquidator receives on the debt repaid (WAD).
    event AssetRiskSet(
        uint16 indexed assetId, uint64 initialHaircut, uint64 maintenanceHaircut, uint64 liquidationBonus
    );

    /// @notice Market `marketId` was listed: a new id, or a settled option's id that no account
    /// held any more, whose terms these replace.
    /// @param marketId The new market's id.
    /// @param riskAsset Its underlying.
    /// @param kind Perp, call or put.
    /// @param strike The option's strike, USD WAD (0 for a perp).
    /// @param expiry The option's expiry, unix seconds (0 for a perp).
    event MarketListed(
        uint16 indexed marketId, uint16 indexed riskAsset, MarketKind kind, uint128 strike, uint64 expiry
    );

    /// @notice The hub the engine margins for was set; its holder counts free settled options' ids.
    /// @param hub The hub.
    event HubSet(address hub);

    /// @notice Market `marketId`'s trade price band was set.
    /// @param marketId The market's id.
    /// @param maxPriceDeviation Farthest a trade price may be from the mark (WAD share).
    event MarketRiskSet(uint16 indexed marketId, uint64 maxPriceDeviation);

    /// @notice An underlying's scenario grid and volatility feed were set.
    /// @param riskAsset The underlying.
    /// @param params Its grid and volatility feed.
    event ScenarioParamsSet(uint16 indexed riskAsset, ScenarioParams params);

    /// @notice The pair credit of underlyings `a` and `b` was set (0: neutralised).
    /// @param a One underlying.
    /// @param b The other underlying.
    /// @param credit Share of the smaller requirement credited (WAD).
    event PairOffsetSet(uint16 indexed a, uint16 indexed b, uint64 credit);

    /// @notice An expired option's settlement price was fixed.
    /// @param marketId The option market.
    /// @param price The underlying's guarded price it settles at, USD WAD.
    event SettlementPriceFixed(uint16 indexed marketId, uint256 price);

    /// @notice The liquidation parameters were set.
    /// @param params The new parameters.
    event LiquidationParamsSet(LiquidationParams params);

    /// @notice Asset `assetId`'s yield terms were set.
    /// @param assetId The asset's id.
    /// @param rateFeed The risk asset whose guarded price is its exchange rate, or NO_RATE_FEED.
    /// @param depeg Fall of the rate the margin assumes (WAD; 0 for a plain token).
    event AssetYieldSet(uint16 indexed assetId, uint16 rateFeed, uint64 depeg);

    /// @notice Asset `assetId`'s concentration add-on terms were set.
    /// @param assetId The asset's id.
    /// @param depthUsd Market depth, USD WAD (0: no add-on).
    /// @param impact Price impact of selling the whole depth (WAD).
    /// @param cap Largest add-on (WAD).
    event AssetConcentrationSet(uint16 indexed assetId, uint128 depthUsd, uint64 impact, uint64 cap);

    /// @notice Raised when listing a token with more than 36 decimals.
    error TooManyDecimals(uint8 decimals);
    /// @notice Raised when an initial haircut is above 100%, a maintenance haircut above the
    /// initial one, or a liquidation bonus above `MAX_LIQUIDATION_BONUS`.
    error InvalidAssetRisk(uint64 initialHaircut, uint64 maintenanceHaircut, uint64 liquidationBonus);
    /// @notice Raised when an asset's whole liquidation bonus and its maintenance haircut would let
    /// a collateral liquidation take equity out of the account it rescues: each unit repaid changes
    /// maintenance equity by 1 − (1 + liquidationBonus) × (1 − maintenanceHaircut), which must be
    /// at least `MIN_LIQUIDATION_GAIN` (docs/risk-model.md section 8.2).
    error LiquidationTakesEquity(
        uint16 assetId, uint64 maintenanceHaircut, uint64 liquidationBonus, uint64 minLiquidationGain
    );
    /// @notice Raised when a perp is listed with a strike or expiry, or an option without a strike
    /// or a future expiry.
    error InvalidMarketTerms(MarketKind kind, uint128 strike, uint64 expiry);
    /// @notice Raised when a scenario grid is out of bounds: a scan range of 0 or above 100%, a
    /// volatility shift or extreme cover above 100%, an extreme multiple outside [1, 5], an initial
    /// multiple outside [1, 3], or a short-option minimum above 50%.
    error InvalidScenarioParams(uint16 riskAsset);
    /// @notice Raised when an underlying's volatility feed is the underlying itself.
    error VolatilityFeedIsUnderlying(uint16 riskAsset);
    /// @notice Raised when a pair credit names one underlying twice or exceeds `MAX_PAIR_CREDIT`.
    error InvalidPairOffset(uint16 a, uint16 b, uint64 credit);
    /// @notice Raised when liquidation parameters are out of bounds (see `setLiquidationParams`).
    error InvalidLiquidationParams();
    /// @notice Raised when a market's price band is wider than `max` (50%).
    error PriceDeviationTooLarge(uint64 maxPriceDeviation, uint64 max);
    /// @notice Raised when `token` on chain `eid` is not a listed asset.
    error UnknownAsset(uint32 eid, address token);
    /// @notice Raised when an asset id names no listed asset.
    error UnknownAssetId(uint16 assetId);
    /// @notice Raised when a market id names no listed market.
    error UnknownMarket(uint16 marketId);
    /// @notice Raised when `token` on chain `eid` is listed a second time.
    error AssetAlreadyListed(uint32 eid, address token);
    /// @notice Raised when listing an asset beyond `MAX_ASSETS`.
    error TooManyAssets();
    /// @notice Raised when listing a market while all `MAX_MARKETS` ids are in use and no settled
    /// option's id is free (settled, and no account holds it).
    error TooManyMarkets();
    /// @notice Raised when the hub the engine margins for was already set.
    /// @param hub The hub already set.
    error HubAlreadySet(address hub);
    /// @notice Raised when adding a pair credit beyond `MAX_PAIR_OFFSETS`.
    error TooManyPairOffsets();
    /// @notice Raised when listing an option on an underlying with no volatility feed.
    error NoVolatilityFeed(uint16 riskAsset);
    /// @notice Raised when fixing a settlement price for a perp.
    error NotAnOption(uint16 marketId);
    /// @notice Raised when fixing a settlement price before the option's expiry.
    error NotExpired(uint16 marketId, uint64 expiry);
    /// @notice Raised when an expired option is settled before its settlement price is fixed
    /// (`fixSettlementPrice`).
    error SettlementPriceNotFixed(uint16 marketId);
    /// @notice Raised when asking for the trade band of an expired option: it cannot be traded.
    error MarketExpired(uint16 marketId);
    /// @notice Raised when a yield-bearing asset's depeg exceeds `MAX_DEPEG`.
    error DepegTooLarge(uint64 depeg, uint64 max);
    /// @notice Raised when a yield-bearing asset's rate feed is its own underlying.
    error RateFeedIsUnderlying(uint16 assetId, uint16 rateFeed);
    /// @notice Raised when a concentration add-on's cap exceeds `MAX_CONCENTRATION_CAP`.
    error ConcentrationCapTooLarge(uint64 cap, uint64 max);
    /// @notice Raised when a concentration add-on's impact exceeds `MAX_CONCENTRATION_IMPACT`.
    error ConcentrationImpactTooLarge(uint64 impact, uint64 max);
    /// @notice Raised when an impact or cap is given with no market depth to apply it to.
    error ConcentrationWithoutDepth(uint16 assetId);

    // ---------------------------------------------------------------- roles and bounds

    /// @notice The role that may change every risk parameter (held by governance and the RiskSteward).
    function RISK_ADMIN_ROLE() external view returns (bytes32);

    /// @notice Most collateral assets that can be listed (the hub tracks them in a 64-bit mask).
    function MAX_ASSETS() external view returns (uint256);

    /// @notice Most markets that can be listed (the hub tracks them in a 64-bit mask).
    function MAX_MARKETS() external view returns (uint256);

    /// @notice Largest liquidation bonus an asset may pay (WAD).
    function MAX_LIQUIDATION_BONUS() external view returns (uint64);

    /// @notice Least share of each unit of debt a collateral liquidation repays that must stay in
    /// the account as maintenance equity (1%): every asset keeps
    /// (1 + liquidationBonus) × (1 − maintenanceHaircut) ≤ 1 − MIN_LIQUIDATION_GAIN. A constant, so
    /// that no risk admin can weaken the rule that a liquidation always helps.
    function MIN_LIQUIDATION_GAIN() external view returns (uint64);

    /// @notice Most pair credits that can be configured.
    function MAX_PAIR_OFFSETS() external view returns (uint256);

    /// @notice Largest credit of a pair (WAD).
    function MAX_PAIR_CREDIT() external view returns (uint64);

    /// @notice `ScenarioParams.volFeed` of an underlying with no implied-volatility feed (no options).
    function NO_VOL_FEED() external view returns (uint16);

    /// @notice `yieldTerms`'s rate feed of an asset that is not yield-bearing.
    function NO_RATE_FEED() external view returns (uint16);

    /// @notice Largest fall of a yield-bearing asset's exchange rate its margin may assume (WAD).
    function MAX_DEPEG() external view returns (uint64);

    /// @notice Largest concentration add-on an asset may charge (WAD; docs/dynamic-parameters.md section 5).
    function MAX_CONCENTRATION_CAP() external view returns (uint64);

    /// @notice Largest price impact of selling an asset's whole market depth (WAD).
    function MAX_CONCENTRATION_IMPACT() external view returns (uint64);

    // ---------------------------------------------------------------- oracle

    /// @notice Add a risk asset (an underlying, or a volatility or exchange-rate feed) priced by
    /// `feed` (RISK_ADMIN_ROLE). Its scenario grid starts at a 100% move, so anything exposed to it
    /// is fully margined until `setScenarioParams`.
    /// @param feed Chainlink-style USD feed; its decimals are read from it.
    /// @param maxAge Oldest answer accepted, in seconds.
    /// @param minPrice Lowest plausible price, USD WAD (positive).
    /// @param maxPrice Highest plausible price, USD WAD (above `minPrice`).
    /// @return The new risk asset's id.
    function addRiskAsset(AggregatorV3Interface feed, uint32 maxAge, uint128 minPrice, uint128 maxPrice)
        external
        returns (uint16);

    /// @notice Re-point risk asset `id` to another feed, staleness limit or price band (RISK_ADMIN_ROLE).
    /// @param id The risk asset's id.
    /// @param feed Chainlink-style USD feed; its decimals are read from it.
    /// @param maxAge Oldest answer accepted, in seconds.
    /// @param minPrice Lowest plausible price, USD WAD (positive).
    /// @param maxPrice Highest plausible price, USD WAD (above `minPrice`).
    function setRiskAsset(uint16 id, AggregatorV3Interface feed, uint32 maxAge, uint128 minPrice, uint128 maxPrice)
        external;

    /// @notice Set the L2 sequencer-uptime feed checked before any price is used (RISK_ADMIN_ROLE).
    /// @param feed Chainlink's sequencer-uptime feed, or zero on a chain without a sequencer.
    /// @param gracePeriod Seconds after a restart during which prices are refused.
    function setSequencerFeed(AggregatorV3Interface feed, uint32 gracePeriod) external;

    // ---------------------------------------------------------------- collateral assets

    /// @notice List `token` on chain `eid` as collateral priced by `riskAsset_` (RISK_ADMIN_ROLE).
    /// It is listed with 100% haircuts: it counts for nothing until `setAssetRisk` prices it in.
    /// @param eid Endpoint id of the chain the token is on.
    /// @param token The token on that chain.
    /// @param decimals The token's decimals (at most 36).
    /// @param riskAsset_ The risk asset that prices it.
    /// @return id The new asset's id.
    function listAsset(uint32 eid, address token, uint8 decimals, uint16 riskAsset_) external returns (uint16 id);

    /// @notice Set asset `id`'s haircuts and liquidation bonus (RISK_ADMIN_ROLE).
    /// @param id The asset's id.
    /// @param initialHaircut Share of value not counted for initial margin (WAD, at most 100%).
    /// @param maintenanceHaircut Share not counted for maintenance margin (WAD, at most `initialHaircut`).
    /// @param liquidationBonus Extra value a liquidator receives on the debt repaid (WAD, at most
    /// `MAX_LIQUIDATION_BONUS`), small enough against the maintenance haircut that a liquidation
    /// always adds equity (`LiquidationTakesEquity`).
    function setAssetRisk(uint16 id, uint64 initialHaircut, uint64 maintenanceHaircut, uint64 liquidationBonus) external;

    /// @notice Make asset `id` yield-bearing: valued at the guarded exchange rate of risk asset
    /// `rateFeed` (underlying units per token) times its underlying's price, counted in the margin
    /// after a fall of `depeg` of that rate. `NO_RATE_FEED` makes it a plain token again (RISK_ADMIN_ROLE).
    /// @param id The asset's id.
    /// @param rateFeed The risk asset whose guarded price is the exchange rate, or `NO_RATE_FEED`.
    /// @param depeg Fall of the rate the margin assumes (WAD, at most `MAX_DEPEG`; ignored for a plain token).
    function setAssetYield(uint16 id, uint16 rateFeed, uint64 depeg) external;

    /// @notice Asset `id`'s exchange-rate feed and depeg.
    /// @param id The asset's id.
    /// @return rateFeed The risk asset whose guarded price is the exchange rate (`NO_RATE_FEED` if
    /// the asset is a plain token).
    /// @return depeg Fall of the rate the margin assumes (WAD).
    function yieldTerms(uint16 id) external view returns (uint16 rateFeed, uint64 depeg);

    /// @notice Set asset `id`'s per-account concentration add-on (see `ConcentrationTerms`); a
    /// `depthUsd` of 0 (with impact and cap 0) turns it off (RISK_ADMIN_ROLE).
    /// @param id The asset's id.
    /// @param depthUsd Market depth, USD WAD.
    /// @param impact Price impact of selling the whole depth (WAD, at most `MAX_CONCENTRATION_IMPACT`).
    /// @param cap Largest add-on (WAD, at most `MAX_CONCENTRATION_CAP`).
    function setAssetConcentration(uint16 id, uint128 depthUsd, uint64 impact, uint64 cap) external;

    /// @notice Asset `id`'s concentration add-on terms (all 0: none).
    /// @param id The asset's id.
    /// @return The asset's market depth, price impact and cap.
    function concentrationTerms(uint16 id) external view returns (ConcentrationTerms memory);

    /// @notice Number of listed assets; their ids are 0 to this count minus one.
    function assetCount() external view returns (uint256);

    /// @notice Listed asset `id`; reverts with `UnknownAssetId` if there is none.
    /// @param id The asset's id.
    /// @return The asset's chain, token, decimals, risk asset, haircuts and liquidation bonus.
    function asset(uint16 id) external view returns (Asset memory);

    /// @notice The asset id of `token` on chain `eid`; reverts with `UnknownAsset` if it is not listed.
    /// @param eid Endpoint id of the chain the token is on.
    /// @param token The token on that chain.
    /// @return The asset's id.
    function assetIdOf(uint32 eid, address token) external view returns (uint16);

    // ---------------------------------------------------------------- markets

    /// @notice List a perp (strike and expiry 0) or a European option on `riskAsset_`
    /// (RISK_ADMIN_ROLE). Margin comes from the underlying's scenario grid, so a market has no
    /// margin factors of its own. An option's underlying needs a volatility feed.
    /// @param riskAsset_ The underlying.
    /// @param kind Perp, call or put.
    /// @param strike The option's strike, USD WAD (0 for a perp).
    /// @param expiry The option's expiry, unix seconds in the future (0 for a perp).
    /// Ids run from 0 to `MAX_MARKETS - 1`; once all are in use, the lowest id of a settled option
    /// that no account holds (`IMarketHolders.marketHolders` on the hub) is listed anew, so weekly
    /// options never run out of ids. Without a hub set, ids are never reused.
    /// @param maxPriceDeviation Farthest a trade price may be from the mark (WAD share, at most 50%).
    /// @return id The new market's id.
    function listMarket(uint16 riskAsset_, MarketKind kind, uint128 strike, uint64 expiry, uint64 maxPriceDeviation)
        external
        returns (uint16 id);

    /// @notice Set market `id`'s trade price band (RISK_ADMIN_ROLE).
    /// @param id The market's id.
    /// @param maxPriceDeviation Farthest a trade price may be from the mark: a WAD share of the mark
    /// for a perp, of the underlying's spot for an option; at most 50%.
    function setMarketRisk(uint16 id, uint64 maxPriceDeviation) external;

    /// @notice Fix an expired option's settlement price, once: the underlying's feed answer in its
    /// first round at or after expiry, so a late call cannot pick a later price. Anyone may call
    /// it (the relayer's keeper does, finding the round), and every account then settles at that
    /// price; a call once it is fixed returns it.
    /// @dev Reverts with `RoundBeforeExpiry` or `NotFirstRoundAtExpiry` when `roundId` is not that
    /// round, and with the guard's errors when its answer is not positive or outside the band.
    /// @param id The option market's id.
    /// @param roundId The underlying feed's first round at or after the market's expiry.
    /// @return settlement The underlying's settlement price, USD WAD.
    function fixSettlementPrice(uint16 id, uint80 roundId) external returns (uint256 settlement);

    /// @notice Set the hub whose positions this engine margins, once (DEFAULT_ADMIN_ROLE): listing
    /// asks it which settled options nobody holds any more.
    /// @param hub_ The hub.
    function setHub(IMarketHolders hub_) external;

    /// @notice The hub whose positions this engine margins; zero until set.
    function hub() external view returns (IMarketHolders);

    /// @notice Number of market ids in use; they are 0 to this count minus one.
    function marketCount() external view returns (uint256);

    /// @notice Listed market `id`; reverts with `UnknownMarket` if there is none.
    /// @param id The market's id.
    /// @return The market's underlying, kind, price band and option terms.
    function market(uint16 id) external view returns (Market memory);

    // ---------------------------------------------------------------- scenarios

    /// @notice Set an underlying's scenario grid and volatility feed, within bounds that keep
    /// every scenario meaningful (a positive range, covers of at most 100%, a wider initial grid)
    /// (RISK_ADMIN_ROLE).
    /// @param riskAsset_ The underlying.
    /// @param p Its grid and volatility feed (`NO_VOL_FEED`: none).
    function setScenarioParams(uint16 riskAsset_, ScenarioParams calldata p) external;

    /// @notice An underlying's scenario grid and volatility feed.
    /// @param riskAsset_ The underlying.
    /// @return Its grid and volatility feed.
    function scenarioParams(uint16 riskAsset_) external view returns (ScenarioParams memory);

    /// @notice Set (or, with credit 0, neutralise) the credit of a pair of underlyings (RISK_ADMIN_ROLE).
    /// @param a One underlying.
    /// @param b The other underlying (not `a`).
    /// @param credit Share of the smaller requirement credited (WAD, at most `MAX_PAIR_CREDIT`).
    function setPairOffset(uint16 a, uint16 b, uint64 credit) external;

    /// @notice Every configured pair credit.
    /// @return The pairs and their credits, in the order they were first set.
    function pairOffsets() external view returns (PairOffset[] memory);

    // ---------------------------------------------------------------- liquidation

    /// @notice Set the liquidation parameters (RISK_ADMIN_ROLE). Bounds: a close factor in
    /// (0, 100%], a full-close health and a minimum bonus share of at most 100%, a target health in
    /// [1, 2], a position penalty of at most 10%, an insurance share of at most 100%, a full-bonus
    /// health below 1.
    /// @param p The new parameters.
    function setLiquidationParams(LiquidationParams calldata p) external;

    /// @notice The liquidation parameters.
    /// @return The close factor, health thresholds, position penalty, insurance share and bonus curve.
    function liquidationParams() external view returns (LiquidationParams memory);
}
