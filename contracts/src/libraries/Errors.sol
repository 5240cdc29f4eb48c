// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice An amount that must be positive was zero.
error ZeroAmount();

/// @notice An address that must be set was the zero address.
error ZeroAddress();

/// @notice A contract received a message type it never handles (a CREDIT on a vault, a RELEASE
/// or SEIZE on the hub).
error UnexpectedMessageType(uint8 msgType);
