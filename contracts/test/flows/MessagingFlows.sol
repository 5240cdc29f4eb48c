// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {UnexpectedMessageType} from "../../src/libraries/Errors.sol";
import {IOAppCore} from "@layerzerolabs/oapp-evm/contracts/oapp/interfaces/IOAppCore.sol";
import {HubSpokeOApp} from "../../src/oapp/HubSpokeOApp.sol";
import {MessageCodec} from "../../src/libraries/MessageCodec.sol";
import {ICollateralVault} from "../../src/interfaces/ICollateralVault.sol";
import {IMarginHubBase} from "../../src/interfaces/IMarginHubBase.sol";
import {FlowHelpers} from "./FlowHelpers.sol";

/// @notice Messages and peers: what the OApps refuse (strangers, replays, unknown types, orders
/// beyond custody).
abstract contract MessagingFlows is FlowHelpers {
    function test_nonPeerSenderIsRefused() public {
        bytes memory release = _message(MessageCodec.RELEASE, 1, address(wethA), 1e18, alice);
        vm.expectRevert(abi.encodeWithSelector(IOAppCore.OnlyPeer.selector, HUB_EID, addressToBytes32(alice)));
        _receiveAsEndpoint(address(vaultA), A_EID, HUB_EID, alice, 1, release);

        vm.expectRevert(abi.encodeWithSelector(HubSpokeOApp.NotLocalPeer.selector, admin));
        vm.prank(admin);
        hubVault.receiveLocal(release);
    }

    function test_replayedMessageIsRefused() public {
        _deposit(alice, vaultA, wethA, 5e18, 0);
        // The same CREDIT id again, as a second LayerZero packet from the real peer.
        bytes memory credit = _message(MessageCodec.CREDIT, 1, address(wethA), 5e18, address(0));
        vm.expectRevert(abi.encodeWithSelector(IMarginHubBase.CreditAlreadyProcessed.selector, A_EID, 1));
        _receiveAsEndpoint(address(hub), HUB_EID, A_EID, address(vaultA), 2, credit);

        _withdraw(alice, 0, wethAAsset, 1e18, alice);
        verifyPackets(A_EID, address(vaultA));
        bytes memory release = _message(MessageCodec.RELEASE, 1, address(wethA), 1e18, alice);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.MessageAlreadyProcessed.selector, 1));
        _receiveAsEndpoint(address(vaultA), A_EID, HUB_EID, address(hub), 2, release);
    }

    function test_unknownOrMisdirectedMessageIsRefused() public {
        bytes memory bad = _message(MessageCodec.CREDIT, 1, address(wethA), 1e18, address(0));
        bad[1] = bytes1(uint8(9));
        vm.expectRevert(abi.encodeWithSelector(MessageCodec.UnknownMessageType.selector, 9));
        _receiveAsEndpoint(address(hub), HUB_EID, A_EID, address(vaultA), 1, bad);

        bytes memory releaseToHub = _message(MessageCodec.RELEASE, 1, address(wethA), 1e18, alice);
        vm.expectRevert(abi.encodeWithSelector(UnexpectedMessageType.selector, MessageCodec.RELEASE));
        _receiveAsEndpoint(address(hub), HUB_EID, A_EID, address(vaultA), 1, releaseToHub);

        bytes memory creditToVault = _message(MessageCodec.CREDIT, 1, address(wethA), 1e18, address(0));
        vm.expectRevert(abi.encodeWithSelector(UnexpectedMessageType.selector, MessageCodec.CREDIT));
        _receiveAsEndpoint(address(vaultA), A_EID, HUB_EID, address(hub), 1, creditToVault);

        bytes memory v2 = _message(MessageCodec.CREDIT, 1, address(wethA), 1e18, address(0));
        v2[0] = bytes1(uint8(2));
        vm.expectRevert(abi.encodeWithSelector(MessageCodec.UnsupportedVersion.selector, 2));
        _receiveAsEndpoint(address(hub), HUB_EID, A_EID, address(vaultA), 1, v2);
    }

    function test_peersAreSetOnceAndVaultsOnlyHearTheHub() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(HubSpokeOApp.PeerAlreadySet.selector, A_EID));
        hub.setPeer(A_EID, addressToBytes32(alice));
        vm.expectRevert(abi.encodeWithSelector(HubSpokeOApp.PeerAlreadySet.selector, HUB_EID));
        vaultA.setPeer(HUB_EID, addressToBytes32(alice));
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.NotHubEid.selector, B_EID));
        vaultA.setPeer(B_EID, addressToBytes32(alice));
        vm.stopPrank();
    }

    function test_vaultRefusesOrderThatExceedsCustody() public {
        _deposit(alice, vaultA, wethA, 1e18, 0);
        bytes memory release = _message(MessageCodec.RELEASE, 99, address(wethA), 2e18, alice);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.InsufficientCustody.selector, address(wethA), 1e18, 2e18)
        );
        _receiveAsEndpoint(address(vaultA), A_EID, HUB_EID, address(hub), 1, release);
    }
}
