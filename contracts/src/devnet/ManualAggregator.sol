// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @notice A Chainlink-style feed whose answer its owner sets, for local devnets and tests only.
/// Every round is kept, as Chainlink keeps them, so an option settles at the first round at or
/// after its expiry.
contract ManualAggregator is AggregatorV3Interface {
    struct Round {
        int256 answer;
        uint256 updatedAt;
    }

    uint8 public immutable decimals;
    address public immutable owner;
    uint80 public roundId;
    mapping(uint80 roundId => Round) private _rounds;

    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    error NotOwner();
    /// @notice Round `roundId` was never written (Chainlink's feeds revert the same way).
    error NoDataPresent(uint80 roundId);

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

    function answer() external view returns (int256) {
        return _rounds[roundId].answer;
    }

    function updatedAt() external view returns (uint256) {
        return _rounds[roundId].updatedAt;
    }

    function getRoundData(uint80 id) external view returns (uint80, int256, uint256, uint256, uint80) {
        if (id == 0 || id > roundId) revert NoDataPresent(id);
        Round storage r = _rounds[id];
        return (id, r.answer, r.updatedAt, r.updatedAt, id);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        Round storage r = _rounds[roundId];
        return (roundId, r.answer, r.updatedAt, r.updatedAt, roundId);
    }

    function _set(int256 newAnswer, uint256 timestamp) private {
        uint80 id = ++roundId;
        _rounds[id] = Round({answer: newAnswer, updatedAt: timestamp});
        emit AnswerUpdated(newAnswer, id, timestamp);
    }
}
