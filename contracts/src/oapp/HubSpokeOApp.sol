// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {OApp, Origin, MessagingFee, MessagingReceipt} from "@layerzerolabs/oapp-evm/contracts/oapp/OApp.sol";
import {OAppOptionsType3} from "@layerzerolabs/oapp-evm/contracts/oapp/libs/OAppOptionsType3.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ILocalPeer} from "../interfaces/ILocalPeer.sol";
import {INativeSweep} from "../interfaces/INativeSweep.sol";
import {ZeroAddress} from "../libraries/Errors.sol";

/// @notice What the hub and every vault share: LayerZero transport to their peers, a direct
/// call instead when the peer is on the same chain, set-once peers, and the owner's sweep of
/// native value nothing else spends.
/// @dev Peers are set once per endpoint id. A peer can forge CREDIT (inflating collateral) or
/// RELEASE/SEIZE (paying out custody), so letting an owner re-point one would let the owner take
/// users' collateral. Whoever deploys must wire the real peers; after that nobody can change them.
/// The owner, as LayerZero delegate, can still change this OApp's libraries, DVNs and executor on
/// the endpoint (and so which messages it accepts) and clear or skip messages: docs/security.md
/// says who should hold it.
abstract contract HubSpokeOApp is OApp, OAppOptionsType3, INativeSweep {
    error PeerAlreadySet(uint32 eid);
    error NotLocalPeer(address caller);
    error NativeFeeNotNeeded(uint256 msgValue);

    /// @notice The endpoint id of the chain this contract lives on.
    uint32 public immutable localEid;

    constructor(address endpoint_, address owner_) OApp(endpoint_, owner_) {
        localEid = endpoint.eid();
    }

    /// @notice Set the peer on chain `eid`, once (owner): a peer already set cannot be changed.
    /// @param eid The peer's endpoint id.
    /// @param peer The peer's address, as bytes32.
    function setPeer(uint32 eid, bytes32 peer) public virtual override onlyOwner {
        if (peers[eid] != bytes32(0)) revert PeerAlreadySet(eid);
        _setPeer(eid, peer);
    }

    /// @inheritdoc INativeSweep
    function sweepNative(address payable to) external onlyOwner {
        if (to == address(0)) revert ZeroAddress();
        uint256 amount = address(this).balance;
        emit NativeSwept(to, amount);
        Address.sendValue(to, amount);
    }

    /// @notice Entry point for a peer on the same chain; the same handler as a LayerZero delivery.
    /// @param message The encoded message (MessageCodec).
    function receiveLocal(bytes calldata message) external {
        if (peers[localEid] == bytes32(0) || msg.sender != _peerAddress(localEid)) revert NotLocalPeer(msg.sender);
        _handle(localEid, message);
    }

    function _lzReceive(Origin calldata origin, bytes32, bytes calldata message, address, bytes calldata)
        internal
        override
    {
        _handle(origin.srcEid, message);
    }

    /// @dev Applies one decoded-on-demand message from a verified peer on `srcEid`.
    function _handle(uint32 srcEid, bytes calldata message) internal virtual;

    /// @dev Sends `message` to the peer on `dstEid`, paying the LayerZero fee from msg.value.
    /// A same-chain peer is called directly and costs no fee.
    function _deliver(uint32 dstEid, uint16 msgType, bytes memory message, bytes calldata extraOptions)
        internal
        returns (bytes32 guid)
    {
        if (dstEid == localEid) {
            if (msg.value != 0) revert NativeFeeNotNeeded(msg.value);
            ILocalPeer(_peerAddress(localEid)).receiveLocal(message);
            return bytes32(0);
        }
        bytes memory options = combineOptions(dstEid, msgType, extraOptions);
        MessagingReceipt memory receipt =
            _lzSend(dstEid, message, options, MessagingFee({nativeFee: msg.value, lzTokenFee: 0}), msg.sender);
        return receipt.guid;
    }

    function _quoteDelivery(uint32 dstEid, uint16 msgType, bytes memory message, bytes calldata extraOptions)
        internal
        view
        returns (uint256 nativeFee)
    {
        if (dstEid == localEid) return 0;
        return _quote(dstEid, message, combineOptions(dstEid, msgType, extraOptions), false).nativeFee;
    }

    function _peerAddress(uint32 eid) internal view returns (address) {
        return address(uint160(uint256(_getPeerOrRevert(eid))));
    }
}
