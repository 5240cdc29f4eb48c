// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A margin account: an owner and a sub-account number, packed into one word.
/// Sub-account 0 is the owner's cross-margin pool; every other number is an isolated account
/// with its own collateral and positions.
type AccountId is bytes32;

library AccountIdLib {
    uint32 internal constant CROSS = 0;

    function toAccountId(address owner_, uint32 subAccount_) internal pure returns (AccountId) {
        return AccountId.wrap(bytes32((uint256(uint160(owner_)) << 32) | subAccount_));
    }

    function owner(AccountId id) internal pure returns (address) {
        return address(uint160(uint256(AccountId.unwrap(id)) >> 32));
    }

    function subAccount(AccountId id) internal pure returns (uint32) {
        return uint32(uint256(AccountId.unwrap(id)));
    }
}
