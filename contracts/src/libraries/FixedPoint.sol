// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @dev The fixed-point unit every contract uses: 1e18 is 1 (a price in USD, a share, a health).
uint256 constant WAD = 1e18;

/// @dev WAD for the signed arithmetic of the model (equity, option values, scenario moves).
int256 constant SIGNED_WAD = 1e18;
