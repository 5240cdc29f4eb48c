// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Origin} from "@layerzerolabs/oapp-evm/contracts/oapp/OApp.sol";
import {HubSpokeOApp} from "../../src/oapp/HubSpokeOApp.sol";
import {MessageCodec} from "../../src/libraries/MessageCodec.sol";
import {AccountId} from "../../src/libraries/AccountIdLib.sol";
import {IRiskConfig} from "../../src/interfaces/IRiskConfig.sol";
import {Fixture} from "../utils/Fixture.sol";

/// @notice What more than one flow's tests set up: options bought and sold, borrowers, forged messages.
abstract contract FlowHelpers is Fixture {
    function _listEthCall(uint128 strike, uint64 expiresIn) internal returns (uint16 id) {
        vm.prank(admin);
        id = engine.listMarket(
            ethRisk, IRiskConfig.MarketKind.Call, strike, uint64(block.timestamp) + expiresIn, 0.01e18
        );
    }

    /// @dev Bob (USDC on the hub) buys `size` of a 30-day $3,300 ETH call that alice (10 WETH)
    /// writes, at the model mark.
    function _bobBuysCallsFromAlice(uint256 size) internal returns (uint16 call) {
        call = _listEthCall(3300e18, 30 days);
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _depositHubUsdc(bob, 100_000e6, 0);
        uint256 mark = engine.markPrice(call);
        vm.prank(venue);
        hub.trade(_acct(bob, 0), _acct(alice, 0), call, size, mark);
    }

    /// @dev Alice's isolated sub-account `sub` holds `weth` on chain A and borrowed `borrowTokens`.
    function _borrower(uint32 sub, uint256 weth, uint256 borrowTokens) internal returns (AccountId) {
        _deposit(alice, vaultA, wethA, weth, sub);
        vm.prank(alice);
        hub.withdrawCash(sub, borrowTokens, alice);
        return _acct(alice, sub);
    }

    function _message(uint8 msgType, uint64 id, address token, uint256 amount, address recipient)
        internal
        view
        returns (bytes memory)
    {
        return MessageCodec.encode(
            MessageCodec.Message({
                msgType: msgType,
                id: id,
                account: alice,
                subAccount: 0,
                token: token,
                amount: amount,
                recipient: recipient
            })
        );
    }

    /// @dev Calls `oapp.lzReceive` as its endpoint would, with any sender and nonce: how a forged or
    /// replayed packet would arrive if a DVN were compromised.
    function _receiveAsEndpoint(
        address oapp,
        uint32 dstEid,
        uint32 srcEid,
        address sender,
        uint64 nonce,
        bytes memory message
    ) internal {
        vm.prank(endpoints[dstEid]);
        HubSpokeOApp(oapp)
            .lzReceive(
                Origin({srcEid: srcEid, sender: addressToBytes32(sender), nonce: nonce}),
                bytes32(uint256(nonce)),
                message,
                address(0),
                ""
            );
    }

    function _fundInsurance(uint256 tokens) internal {
        usdc.mint(admin, tokens);
        vm.startPrank(admin);
        usdc.approve(address(hub), tokens);
        hub.fundInsurance(tokens);
        vm.stopPrank();
    }
}
