// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {MessageCodec} from "../src/libraries/MessageCodec.sol";

contract MessageCodecTest is Test {
    function decode(bytes calldata data) external pure returns (MessageCodec.Message memory) {
        return MessageCodec.decode(data);
    }

    function testFuzz_roundTrip(
        uint8 typeSeed,
        uint64 id,
        address account,
        uint32 sub,
        address token,
        uint256 amount,
        address to
    ) public view {
        uint8 msgType = uint8(bound(typeSeed, MessageCodec.CREDIT, MessageCodec.SEIZE));
        MessageCodec.Message memory m = MessageCodec.Message(msgType, id, account, sub, token, amount, to);
        bytes memory encoded = MessageCodec.encode(m);
        assertEq(encoded.length, MessageCodec.LENGTH);
        assertEq(uint8(encoded[0]), MessageCodec.VERSION);
        MessageCodec.Message memory d = this.decode(encoded);
        assertEq(d.msgType, msgType);
        assertEq(d.id, id);
        assertEq(d.account, account);
        assertEq(d.subAccount, sub);
        assertEq(d.token, token);
        assertEq(d.amount, amount);
        assertEq(d.recipient, to);
    }

    function testFuzz_wrongLengthReverts(bytes calldata data) public {
        vm.assume(data.length != MessageCodec.LENGTH);
        vm.expectRevert(abi.encodeWithSelector(MessageCodec.InvalidMessageLength.selector, data.length));
        this.decode(data);
    }

    function testFuzz_unknownTypeReverts(uint8 msgType) public {
        vm.assume(msgType < MessageCodec.CREDIT || msgType > MessageCodec.SEIZE);
        bytes memory data =
            MessageCodec.encode(MessageCodec.Message(MessageCodec.CREDIT, 1, address(1), 0, address(2), 3, address(0)));
        data[1] = bytes1(msgType);
        vm.expectRevert(abi.encodeWithSelector(MessageCodec.UnknownMessageType.selector, msgType));
        this.decode(data);
    }

    function testFuzz_otherVersionReverts(uint8 version) public {
        vm.assume(version != MessageCodec.VERSION);
        bytes memory data =
            MessageCodec.encode(MessageCodec.Message(MessageCodec.SEIZE, 1, address(1), 0, address(2), 3, address(4)));
        data[0] = bytes1(version);
        vm.expectRevert(abi.encodeWithSelector(MessageCodec.UnsupportedVersion.selector, version));
        this.decode(data);
    }

    /// @dev The byte layout is what the TypeScript codec and the relayer rely on; pin it.
    function test_layoutIsFixed() public pure {
        bytes memory encoded = MessageCodec.encode(
            MessageCodec.Message(MessageCodec.RELEASE, 0x0102, address(0xA1), 7, address(0xB2), 5e18, address(0xC3))
        );
        assertEq(
            encoded,
            abi.encodePacked(
                hex"0102",
                hex"0000000000000102",
                address(0xA1),
                hex"00000007",
                address(0xB2),
                uint256(5e18),
                address(0xC3)
            )
        );
    }
}
