// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";

/// @title IOracleGuard
/// @notice Guarded prices of the risk engine's risk assets (underlyings), read from Chainlink-style
/// feeds and refused, with a named error, when they cannot be trusted: stale, non-positive,
/// outside the configured band, or read while an L2 sequencer is down or just restarted.
/// @dev Prices are USD WAD (1e18 = $1) per whole unit of the risk asset.
interface IOracleGuard {
    /// @notice How one risk asset is priced.
    struct RiskAsset {
        AggregatorV3Interface feed;
        /// @dev The feed's decimals, read from the feed when the risk asset is configured.
        uint8 feedDecimals;
        /// @dev Oldest answer accepted, in seconds.
        uint32 maxAge;
        /// @dev Band of plausible prices in USD WAD; an answer outside is treated as a broken feed.
        uint128 minPrice;
        uint128 maxPrice;
    }

    /// @notice Risk asset `riskAsset` was added or re-pointed.
    /// @param riskAsset The risk asset's id.
    /// @param feed Its price feed.
    /// @param maxAge Oldest feed answer accepted, in seconds.
    /// @param minPrice Lowest plausible price, USD WAD.
    /// @param maxPrice Highest plausible price, USD WAD.
    event RiskAssetConfigured(
        uint16 indexed riskAsset, address feed, uint32 maxAge, uint128 minPrice, uint128 maxPrice
    );

    /// @notice The L2 sequencer-uptime feed was set (zero: none).
    /// @param feed The sequencer-uptime feed.
    /// @param gracePeriod Seconds after a sequencer restart during which prices are refused.
    event SequencerFeedConfigured(address feed, uint32 gracePeriod);

    /// @notice Risk asset `riskAsset`'s guarded price was recorded: what a position on it is
    /// valued at while its feed cannot be trusted.
    /// @param riskAsset The risk asset.
    /// @param price USD WAD per whole unit.
    event PriceRecorded(uint16 indexed riskAsset, uint256 price);

    /// @notice Raised when a risk asset id names no configured risk asset.
    error UnknownRiskAsset(uint16 riskAsset);
    /// @notice Raised when adding a risk asset beyond `MAX_RISK_ASSETS`.
    error TooManyRiskAssets();
    /// @notice Raised when a price band is empty or starts at zero (`minPrice` must be positive and
    /// below `maxPrice`).
    error InvalidPriceBand(uint128 minPrice, uint128 maxPrice);
    /// @notice Raised when a feed's latest answer (from `updatedAt`) is older than `maxAge` seconds.
    error StalePrice(uint16 riskAsset, uint256 updatedAt, uint256 maxAge);
    /// @notice Raised when a feed answers zero or a negative price.
    error NonPositivePrice(uint16 riskAsset, int256 answer);
    /// @notice Raised when a feed's price (USD WAD) is outside the risk asset's plausible band.
    error PriceOutOfBounds(uint16 riskAsset, uint256 price, uint128 minPrice, uint128 maxPrice);
    /// @notice Raised when a price is needed while the L2 sequencer is down.
    error SequencerDown();
    /// @notice Raised when a price is needed less than `gracePeriod` seconds after the sequencer
    /// came back up (at `restartedAt`): accounts could not be topped up while it was down.
    error SequencerGracePeriodNotOver(uint256 restartedAt, uint32 gracePeriod);
    /// @notice Raised when the sequencer feed's round `roundId` has `startedAt` 0, which
    /// Chainlink's Arbitrum sequencer feed answers for a round not yet initialised: its status
    /// says nothing.
    error SequencerRoundInvalid(uint80 roundId);
    /// @notice Raised when a settlement names feed round `roundId`, answered at `updatedAt`, which
    /// is before the time `notBefore` (an option's expiry) it must be at or after.
    error RoundBeforeExpiry(uint16 riskAsset, uint80 roundId, uint256 updatedAt, uint256 notBefore);
    /// @notice Raised when a settlement names feed round `roundId` although the round before it,
    /// answered at `previousUpdatedAt`, is already at or after the expiry: the first one must be
    /// named.
    error NotFirstRoundAtExpiry(uint16 riskAsset, uint80 roundId, uint256 previousUpdatedAt);

    /// @notice Most risk assets the engine can have.
    function MAX_RISK_ASSETS() external view returns (uint256);

    /// @notice The Chainlink L2 sequencer-uptime feed checked before any price is used; zero on
    /// chains without a sequencer.
    function sequencerFeed() external view returns (AggregatorV3Interface);

    /// @notice Seconds after a sequencer restart during which prices are refused.
    function sequencerGracePeriod() external view returns (uint32);

    /// @notice Number of risk assets; their ids are 0 to this count minus one.
    function riskAssetCount() external view returns (uint256);

    /// @notice How risk asset `id` is priced; reverts with `UnknownRiskAsset` if there is none.
    /// @param id The risk asset's id.
    /// @return The risk asset's feed, decimals, staleness limit and price band.
    function riskAsset(uint16 id) external view returns (RiskAsset memory);

    /// @notice The guarded price of a risk asset; reverts with the guard's named error when it
    /// cannot be trusted.
    /// @param id The risk asset's id.
    /// @return USD WAD per whole unit of the risk asset.
    function price(uint16 id) external view returns (uint256);

    /// @notice Record risk asset `id`'s guarded price, now (anyone may; the relayer's keeper does):
    /// while its feed cannot be trusted later, a position on it is valued at this price over the
    /// extreme move (docs/risk-model.md section 2.1). Reverts with the guard's error when the price
    /// cannot be trusted now.
    /// @param id The risk asset's id.
    /// @return The price recorded, USD WAD.
    function recordPrice(uint16 id) external returns (uint256);

    /// @notice Risk asset `id`'s last recorded price and when it was recorded; 0 and 0 if never.
    /// @param id The risk asset's id.
    function recordedPrice(uint16 id) external view returns (uint128 price, uint64 recordedAt);
}
