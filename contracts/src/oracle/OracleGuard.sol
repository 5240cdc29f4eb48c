// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {AggregatorProxyInterface} from "../interfaces/AggregatorProxyInterface.sol";
import {IOracleGuard} from "../interfaces/IOracleGuard.sol";

/// @notice Prices for the hub's risk assets (underlyings), read from Chainlink-style feeds and
/// refused, with a named error, when they cannot be trusted: stale, non-positive, outside the
/// configured band, or read while an L2 sequencer is down or just restarted.
/// @dev What needs a price (a position's underlying, an asset being seized, a mark) reads it
/// through `_price`, so a bad feed blocks that action instead of letting it run on a wrong number.
/// A collateral holding's value reads it through `_tryPrice` and counts for nothing when it
/// fails, so a holding nobody needs cannot block a margin check.
abstract contract OracleGuard is IOracleGuard {
    /// @inheritdoc IOracleGuard
    uint256 public constant MAX_RISK_ASSETS = 64;

    RiskAsset[] internal _riskAssets;
    /// @inheritdoc IOracleGuard
    AggregatorV3Interface public sequencerFeed;
    /// @inheritdoc IOracleGuard
    uint32 public sequencerGracePeriod;

    struct RecordedPrice {
        uint128 price;
        uint64 recordedAt;
    }

    /// @dev Per risk asset: its last price `recordPrice` recorded.
    mapping(uint16 riskAsset => RecordedPrice) internal _recorded;

    /// @inheritdoc IOracleGuard
    function riskAssetCount() external view returns (uint256) {
        return _riskAssets.length;
    }

    /// @inheritdoc IOracleGuard
    function riskAsset(uint16 id) external view returns (RiskAsset memory) {
        return _riskAssetOrRevert(id);
    }

    /// @inheritdoc IOracleGuard
    function price(uint16 id) external view returns (uint256) {
        _checkSequencer();
        return _price(id);
    }

    /// @inheritdoc IOracleGuard
    function recordedPrice(uint16 id) external view returns (uint128, uint64) {
        RecordedPrice storage r = _recorded[id];
        return (r.price, r.recordedAt);
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
    function _price(uint16 id) internal view returns (uint256) {
        RiskAsset storage ra = _riskAssetOrRevert(id);
        (, int256 answer,, uint256 updatedAt,) = ra.feed.latestRoundData();
        if (updatedAt + ra.maxAge < block.timestamp) revert StalePrice(id, updatedAt, ra.maxAge);
        return _toWad(id, ra, answer, true);
    }

    /// @dev The guarded price, or 0 where `_price` would revert (the feed reverts or answers
    /// short, or its answer is stale, non-positive or outside the band): for a holding a margin
    /// figure counts as worth nothing rather than be blocked by (docs/risk-model.md section 2.1).
    function _tryPrice(uint16 id) internal view returns (uint256) {
        RiskAsset storage ra = _riskAssetOrRevert(id);
        AggregatorV3Interface feed = ra.feed;
        bool ok;
        int256 answer;
        uint256 updatedAt;
        // A plain call, not try/catch: a feed whose answer does not decode must not revert here.
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, shl(224, 0xfeaf968c)) // latestRoundData()
            ok := staticcall(gas(), feed, m, 4, m, 0xa0)
            // Its own statement: Yul evaluates arguments right to left, before the call.
            ok := and(ok, gt(returndatasize(), 0x9f))
            answer := mload(add(m, 0x20))
            updatedAt := mload(add(m, 0x60))
        }
        // Unchecked: an `updatedAt` so far ahead that the sum wraps counts as stale.
        unchecked {
            if (!ok || updatedAt + ra.maxAge < block.timestamp) return 0;
        }
        return _toWad(id, ra, answer, false);
    }

    /// @dev The price of feed round `roundId`, which must be the feed's first at or after
    /// `notBefore`: the one before it answered earlier. Rounds only count up, so one round
    /// matches, and whoever names it, early or late, gets the same price. The round before the
    /// first of a Chainlink phase (its low 64 bits 1) is the previous phase's last, read from that
    /// phase's aggregator: after an aggregator upgrade past expiry, the old phase's round still
    /// comes first.
    function _priceAtOrAfter(uint16 id, uint80 roundId, uint256 notBefore) internal view returns (uint256) {
        RiskAsset storage ra = _riskAssetOrRevert(id);
        (, int256 answer,, uint256 updatedAt,) = ra.feed.getRoundData(roundId);
        if (updatedAt < notBefore) revert RoundBeforeExpiry(id, roundId, updatedAt, notBefore);
        uint256 previousAt;
        // forge-lint: disable-next-line(unsafe-typecast) the low 64 bits are the round within its phase, by design
        if (uint64(roundId) > 1) {
            (,,, previousAt,) = ra.feed.getRoundData(roundId - 1);
        } else if (roundId >> 64 > 1) {
            // forge-lint: disable-next-line(unsafe-typecast) a proxy's phase id is a uint16 (AggregatorProxy)
            uint16 previousPhase = uint16((roundId >> 64) - 1);
            address aggregator = AggregatorProxyInterface(address(ra.feed)).phaseAggregators(previousPhase);
            (,,, previousAt,) = AggregatorV3Interface(aggregator).latestRoundData();
        }
        if (previousAt >= notBefore) revert NotFirstRoundAtExpiry(id, roundId, previousAt);
        return _toWad(id, ra, answer, true);
    }

    /// @dev A feed answer as USD WAD; when not positive or outside the plausible band, refused
    /// (`strict`) or 0.
    function _toWad(uint16 id, RiskAsset storage ra, int256 answer, bool strict)
        private
        view
        returns (uint256 priceWad)
    {
        if (answer <= 0) {
            if (strict) revert NonPositivePrice(id, answer);
            return 0;
        }
        uint8 dec = ra.feedDecimals;
        // forge-lint: disable-next-line(unsafe-typecast) answer > 0 (checked)
        priceWad = dec <= 18 ? uint256(answer) * 10 ** (18 - dec) : uint256(answer) / 10 ** (dec - 18);
        if (priceWad < ra.minPrice || priceWad > ra.maxPrice) {
            if (strict) revert PriceOutOfBounds(id, priceWad, ra.minPrice, ra.maxPrice);
            return 0;
        }
    }

    /// @dev Chainlink's sequencer feed answers 0 when up and 1 when down; `startedAt` is when the
    /// status last changed. Positions could not be topped up while it was down, so liquidations
    /// wait out a grace period after a restart. A round with `startedAt` 0 (Arbitrum's feed
    /// before its first status) tells nothing, and a grace period counted from 0 would be over.
    function _checkSequencer() internal view {
        AggregatorV3Interface feed = sequencerFeed;
        if (address(feed) == address(0)) return;
        (uint80 roundId, int256 answer, uint256 startedAt,,) = feed.latestRoundData();
        if (startedAt == 0) revert SequencerRoundInvalid(roundId);
        if (answer != 0) revert SequencerDown();
        if (block.timestamp < startedAt + sequencerGracePeriod) {
            revert SequencerGracePeriodNotOver(startedAt, sequencerGracePeriod);
        }
    }
}
