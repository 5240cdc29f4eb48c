// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MessageCodec} from "../../src/libraries/MessageCodec.sol";

/// @notice Exposes the codec so the TypeScript SDK's codec can be checked against it on a real chain.
contract MessageCodecHarness {
    function encode(MessageCodec.Message calldata m) external pure returns (bytes memory) {
        return MessageCodec.encode(m);
    }

    function decode(bytes calldata data) external pure returns (MessageCodec.Message memory) {
        return MessageCodec.decode(data);
    }
}
