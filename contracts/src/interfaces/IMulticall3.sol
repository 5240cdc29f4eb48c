// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The part of Multicall3 (0xcA11bde05977b3631167028862bE2a173976CA11 on every public
/// network) this project calls.
interface IMulticall3 {
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    struct Result {
        bool success;
        bytes returnData;
    }

    /// @notice Runs `calls` in order; a call that may fail reports its revert data instead.
    function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory returnData);

    function getBlockNumber() external view returns (uint256 blockNumber);

    function getCurrentBlockTimestamp() external view returns (uint256 timestamp);
}
