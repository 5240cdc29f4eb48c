// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The three messages between vaults and the hub, in one fixed 106-byte layout:
///
///   offset  size  field
///   0       1     version      (VERSION)
///   1       1     msgType      (CREDIT | RELEASE | SEIZE)
///   2       8     id           message id, unique per sender; the receiver processes each once
///   10      20    account      owner of the margin account (zero in a SEIZE for a batch of accounts)
///   30      4     subAccount   0 = cross pool, anything else = an isolated sub-account
///   34      20    token        ERC-20 on the vault's chain
///   54      32    amount       token units
///   86      20    recipient    who the vault pays (RELEASE, SEIZE); zero for CREDIT
///
/// Packed rather than abi-encoded: 106 bytes instead of 256 keeps LayerZero fees down, and a
/// fixed length makes a truncated or padded message fail loudly instead of decoding garbage.
library MessageCodec {
    uint8 internal constant VERSION = 1;

    uint8 internal constant CREDIT = 1; // vault -> hub: tokens arrived in custody
    uint8 internal constant RELEASE = 2; // hub -> vault: pay a withdrawal
    uint8 internal constant SEIZE = 3; // hub -> vault: pay a liquidator

    uint256 internal constant LENGTH = 106;

    struct Message {
        uint8 msgType;
        uint64 id;
        address account;
        uint32 subAccount;
        address token;
        uint256 amount;
        address recipient;
    }

    error InvalidMessageLength(uint256 length);
    error UnsupportedVersion(uint8 version);
    error UnknownMessageType(uint8 msgType);

    function encode(Message memory m) internal pure returns (bytes memory) {
        if (m.msgType < CREDIT || m.msgType > SEIZE) revert UnknownMessageType(m.msgType);
        return abi.encodePacked(VERSION, m.msgType, m.id, m.account, m.subAccount, m.token, m.amount, m.recipient);
    }

    function decode(bytes calldata data) internal pure returns (Message memory m) {
        if (data.length != LENGTH) revert InvalidMessageLength(data.length);
        if (uint8(data[0]) != VERSION) revert UnsupportedVersion(uint8(data[0]));
        m.msgType = uint8(data[1]);
        if (m.msgType < CREDIT || m.msgType > SEIZE) revert UnknownMessageType(m.msgType);
        m.id = uint64(bytes8(data[2:10]));
        m.account = address(bytes20(data[10:30]));
        m.subAccount = uint32(bytes4(data[30:34]));
        m.token = address(bytes20(data[34:54]));
        m.amount = uint256(bytes32(data[54:86]));
        m.recipient = address(bytes20(data[86:106]));
    }
}
