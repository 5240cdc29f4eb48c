// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @notice Prices for the hub's risk assets (underlyings), read from Chainlink-style feeds and
/// refused, with a named error, when they cannot be trusted: stale, non-positive, outside the
/// configured band, or read while an L2 sequencer is down or just restarted.
/// @dev Everything that depends on a price (margin checks for withdrawals, trades and
/// liquidations) goes through `_price`, so a bad feed blocks those actions instead of letting
/// them run on a wrong number.
abstract contract OracleGuard {
    uint256 public constant MAX_RISK_ASSETS = 64;

    struct RiskAsset {
        AggregatorV3Interface feed;
        uint8 feedDecimals;
        /// @dev Oldest answer accepted, in seconds.
        uint32 maxAge;
        /// @dev Band of plausible prices in USD WAD; an answer outside is treated as a broken feed.
        uint128 minPrice;
        uint128 maxPrice;
    }

    RiskAsset[] internal _riskAssets;
    /// @notice Optional Chainlink L2 sequencer-uptime feed; zero on chains without a sequencer.
    AggregatorV3Interface public sequencerFeed;
    uint32 public sequencerGracePeriod;

    event RiskAssetConfigured(
        uint16 indexed riskAsset, address feed, uint32 maxAge, uint128 minPrice, uint128 maxPrice
    );
    event SequencerFeedConfigured(address feed, uint32 gracePeriod);

    error UnknownRiskAsset(uint16 riskAsset);
    error TooManyRiskAssets();
    error InvalidPriceBand(uint128 minPrice, uint128 maxPrice);
    error StalePrice(uint16 riskAsset, uint256 updatedAt, uint256 maxAge);
    error NonPositivePrice(uint16 riskAsset, int256 answer);
    error PriceOutOfBounds(uint16 riskAsset, uint256 price, uint128 minPrice, uint128 maxPrice);
    error SequencerDown();
    error SequencerGracePeriodNotOver(uint256 restartedAt, uint32 gracePeriod);

    function riskAssetCount() external view returns (uint256) {
        return _riskAssets.length;
    }

    function riskAsset(uint16 id) external view returns (RiskAsset memory) {
        return _riskAssetOrRevert(id);
    }

    /// @notice The guarded price of a risk asset in USD WAD per whole unit; reverts when untrusted.
    function price(uint16 id) external view returns (uint256) {
        _checkSequencer();
        return _price(id);
    }

    function _addRiskAsset(RiskAsset memory config) internal returns (uint16 id) {
        if (_riskAssets.length >= MAX_RISK_ASSETS) revert TooManyRiskAssets();
        id = uint16(_riskAssets.length);
        _riskAssets.push();
        _setRiskAsset(id, config);
    }

    function _setRiskAsset(uint16 id, RiskAsset memory config) internal {
        if (config.minPrice == 0 || config.minPrice >= config.maxPrice) {
            revert InvalidPriceBand(config.minPrice, config.maxPrice);
        }
        config.feedDecimals = config.feed.decimals();
        _riskAssets[id] = config;
        emit RiskAssetConfigured(id, address(config.feed), config.maxAge, config.minPrice, config.maxPrice);
    }

    function _setSequencerFeed(AggregatorV3Interface feed, uint32 gracePeriod) internal {
        sequencerFeed = feed;
        sequencerGracePeriod = gracePeriod;
        emit SequencerFeedConfigured(address(feed), gracePeriod);
    }

    function _riskAssetOrRevert(uint16 id) internal view returns (RiskAsset storage) {
        if (id >= _riskAssets.length) revert UnknownRiskAsset(id);
        return _riskAssets[id];
    }

    /// @dev Callers check the sequencer once per action, then read as many prices as they need.
    function _price(uint16 id) internal view returns (uint256 priceWad) {
        RiskAsset storage ra = _riskAssetOrRevert(id);
        (, int256 answer,, uint256 updatedAt,) = ra.feed.latestRoundData();
        if (answer <= 0) revert NonPositivePrice(id, answer);
        if (updatedAt + ra.maxAge < block.timestamp) revert StalePrice(id, updatedAt, ra.maxAge);
        uint8 dec = ra.feedDecimals;
        // forge-lint: disable-next-line(unsafe-typecast) answer > 0 (checked)
        priceWad = dec <= 18 ? uint256(answer) * 10 ** (18 - dec) : uint256(answer) / 10 ** (dec - 18);
        if (priceWad < ra.minPrice || priceWad > ra.maxPrice) {
            revert PriceOutOfBounds(id, priceWad, ra.minPrice, ra.maxPrice);
        }
    }

    /// @dev Chainlink's sequencer feed answers 0 when up and 1 when down; `startedAt` is when the
    /// status last changed. Positions could not be topped up while it was down, so liquidations
    /// wait out a grace period after a restart.
    function _checkSequencer() internal view {
        AggregatorV3Interface feed = sequencerFeed;
        if (address(feed) == address(0)) return;
        (, int256 answer, uint256 startedAt,,) = feed.latestRoundData();
        if (answer != 0) revert SequencerDown();
        if (block.timestamp < startedAt + sequencerGracePeriod) {
            revert SequencerGracePeriodNotOver(startedAt, sequencerGracePeriod);
        }
    }
}
