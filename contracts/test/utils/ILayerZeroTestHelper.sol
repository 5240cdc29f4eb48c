// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The part of LayerZero's test helper the forge fixture calls: `TestHelperOz5`, from the
/// npm package test-devtools-evm-foundry. The helper deploys three
/// endpoints with the ULN302 send and receive libraries, the read library, a DVN and an executor
/// on each; every packet sent is queued in the helper until a test delivers it.
interface ILayerZeroTestHelper {
    /// @notice Deploys and wires `count` endpoints (eids 1..count); `libraryType` 0 is the ULN302.
    function setUpEndpoints(uint8 count, uint8 libraryType) external;

    /// @notice Verifies and executes every packet queued for `receiver` on `dstEid`, oldest first.
    function verifyPackets(uint32 dstEid, address receiver) external;

    /// @notice Verifies and executes up to `count` packets (0: all) queued for `receiver`; an lzRead
    /// packet is answered with `resolvedPayload`.
    function verifyPackets(
        uint32 dstEid,
        bytes32 receiver,
        uint256 count,
        address composer,
        bytes calldata resolvedPayload
    ) external;

    /// @notice Has the DVN verify `packet` on its destination and commit the verification.
    function validatePacket(bytes calldata packet, bytes calldata resolvedPayload) external;

    /// @notice Executes a verified `packet` with the gas and value its executor `options` give.
    function lzReceive(bytes calldata packet, bytes calldata options) external payable;

    /// @notice Whether any packet waits for `receiver` on `dstEid`.
    function hasPendingPackets(uint16 dstEid, bytes32 receiver) external view returns (bool);

    /// @notice The oldest packet waiting for `receiver` on `dstEid` (empty if none).
    function getNextInflightPacket(uint16 dstEid, bytes32 receiver) external view returns (bytes memory);
}
