// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @notice A Chainlink-style feed whose answer its owner sets, for local devnets and tests only.
contract ManualAggregator is AggregatorV3Interface {
    uint8 public immutable decimals;
    address public immutable owner;
    uint80 public roundId;
    int256 public answer;
    uint256 public startedAt;
    uint256 public updatedAt;

    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    error NotOwner();

    constructor(uint8 decimals_, int256 initialAnswer) {
        decimals = decimals_;
        owner = msg.sender;
        _set(initialAnswer, block.timestamp);
    }

    function setAnswer(int256 newAnswer) external {
        if (msg.sender != owner) revert NotOwner();
        _set(newAnswer, block.timestamp);
    }

    /// @dev Lets tests present an old answer as the latest one.
    function setAnswerAt(int256 newAnswer, uint256 timestamp) external {
        if (msg.sender != owner) revert NotOwner();
        _set(newAnswer, timestamp);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (roundId, answer, startedAt, updatedAt, roundId);
    }

    function _set(int256 newAnswer, uint256 timestamp) private {
        roundId++;
        answer = newAnswer;
        startedAt = timestamp;
        updatedAt = timestamp;
        emit AnswerUpdated(newAnswer, roundId, timestamp);
    }
}
