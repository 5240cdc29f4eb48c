// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What the invariant test's handler needs from the fixture that owns the LayerZero mocks.
interface IPacketCourier {
    /// @notice Deliver the oldest `count` packets queued for `receiver` on chain `eid`.
    function deliverSome(uint32 eid, address receiver, uint256 count) external;
}
