// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Chainlink's price feed interface (the subset the hub reads).
// forge-lint: disable-next-item(interface-naming, interface-file-naming) Chainlink's own name, which integrators know
interface AggregatorV3Interface {
    function decimals() external view returns (uint8);

    /// @notice The feed's answer in round `roundId`: settlement reads the first round at or after
    /// an option's expiry, so a late caller cannot choose a later, better price.
    function getRoundData(uint80 roundId)
        external
        view
        returns (uint80, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
