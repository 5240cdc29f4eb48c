// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ManualAggregator} from "../../src/devnet/ManualAggregator.sol";

/// @notice Finds the round a settlement must name, as the relayer's keeper does: the feed's first
/// round answered at or after a time (its latest when none is later).
library FeedRounds {
    function firstAtOrAfter(ManualAggregator feed, uint256 time) internal view returns (uint80 id) {
        id = feed.roundId();
        while (id > 1) {
            (,,, uint256 previousAt,) = feed.getRoundData(id - 1);
            if (previousAt < time) break;
            --id;
        }
    }
}
