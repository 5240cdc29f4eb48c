// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Native value a hub or vault was sent with a delivery or a native drop, which nothing
/// else spends (each order's fee is paid by its caller), swept out by the owner.
interface INativeSweep {
    /// @notice The owner swept the contract's native balance to `to`.
    event NativeSwept(address indexed to, uint256 amount);

    /// @notice Sends the contract's native balance to `to` (owner).
    function sweepNative(address payable to) external;
}
