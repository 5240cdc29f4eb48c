// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV3Interface} from "../../src/interfaces/AggregatorV3Interface.sol";
import {AggregatorProxyInterface} from "../../src/interfaces/AggregatorProxyInterface.sol";

/// @notice Chainlink's AggregatorProxy as settlement sees it: round ids `phaseId << 64 | the
/// aggregator's round`, a new phase at each `upgrade`, every past phase's rounds still readable.
contract PhasedAggregatorProxy is AggregatorV3Interface, AggregatorProxyInterface {
    uint16 public phaseId;
    mapping(uint16 phaseId => address) public phaseAggregators;

    constructor(address first) {
        upgrade(first);
    }

    function upgrade(address next) public {
        phaseAggregators[++phaseId] = next;
    }

    function decimals() external view returns (uint8) {
        return AggregatorV3Interface(phaseAggregators[phaseId]).decimals();
    }

    function getRoundData(uint80 roundId) external view returns (uint80, int256, uint256, uint256, uint80) {
        // forge-lint: disable-next-line(unsafe-typecast) the high bits are the phase, by design
        uint16 phase = uint16(roundId >> 64);
        // forge-lint: disable-next-line(unsafe-typecast) the low 64 bits are the aggregator's round
        uint64 round = uint64(roundId);
        (, int256 answer, uint256 startedAt, uint256 updatedAt,) =
            AggregatorV3Interface(phaseAggregators[phase]).getRoundData(round);
        return (roundId, answer, startedAt, updatedAt, roundId);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        (uint80 round, int256 answer, uint256 startedAt, uint256 updatedAt,) =
            AggregatorV3Interface(phaseAggregators[phaseId]).latestRoundData();
        uint80 id = (uint80(phaseId) << 64) | round;
        return (id, answer, startedAt, updatedAt, id);
    }
}
