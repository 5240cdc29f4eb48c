// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A peer on the same chain (the hub and the hub chain's own vault) is called directly.
interface ILocalPeer {
    /// @notice Handle `message` as if LayerZero had delivered it from this chain's own peer.
    function receiveLocal(bytes calldata message) external;
}
