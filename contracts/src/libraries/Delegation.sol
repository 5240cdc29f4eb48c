// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Runs the current call in another contract's code, in this contract's storage: how the
/// hub runs `HubPositionLiquidator` and the risk engine runs `RiskConfigAdmin`, whose code does
/// not fit under their own 24,576-byte limits.
library Delegation {
    /// @dev Delegates the call as it came to `target` and returns (or reverts with) what it
    /// returned; it never returns to its caller.
    function forward(address target) internal {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, 0, calldatasize())
            let ok := delegatecall(gas(), target, ptr, calldatasize(), 0, 0)
            returndatacopy(ptr, 0, returndatasize())
            if iszero(ok) { revert(ptr, returndatasize()) }
            return(ptr, returndatasize())
        }
    }
}
