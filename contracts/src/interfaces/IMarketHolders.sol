// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IMarketHolders
/// @notice How many accounts hold a position in a market: what the risk engine asks the hub before
/// it lists a new market under a settled option's id.
interface IMarketHolders {
    /// @notice Accounts (a market's clearing account included) whose position in `marketId` is
    /// not zero.
    /// @param marketId The market's id.
    function marketHolders(uint16 marketId) external view returns (uint256);
}
