// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {
    ILayerZeroEndpointV2,
    MessagingParams
} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";
import {IOAppOptionsType3} from "@layerzerolabs/oapp-evm/contracts/oapp/interfaces/IOAppOptionsType3.sol";
import {PacketV1Codec} from "@layerzerolabs/lz-evm-protocol-v2/contracts/messagelib/libs/PacketV1Codec.sol";
import {MessageCodec} from "../../src/libraries/MessageCodec.sol";
import {AccountId} from "../../src/libraries/AccountIdLib.sol";
import {MarginMath} from "../../src/risk/MarginMath.sol";
import {IRiskConfig} from "../../src/interfaces/IRiskConfig.sol";
import {FlowHelpers} from "./FlowHelpers.sol";

/// @notice Gas of each flow and of the margin check, recorded in snapshots/ (flows.json,
/// hub-margin.json), each send split into LayerZero's part and this project's.
abstract contract GasFlows is FlowHelpers {
    using PacketV1Codec for bytes;

    /// @dev Gas of the hub's margin checks (gather holdings, guarded prices and volatility, run the
    /// scenario model) for 1, 5 and 20 positions with 3 collateral lines on 2 chains: the full
    /// figures (both grids: what a withdrawal or a trade that adds risk checks) and health (the
    /// maintenance grid only: what a liquidation checks); recorded in snapshots/hub-margin.json.
    function test_gas_marginCheckByPortfolioSize() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _deposit(alice, vaultB, wethB, 5e18, 0);
        _deposit(alice, vaultB, wbtcB, 1e8, 0);
        _depositHubUsdc(bob, 1_000_000e6, 0);
        uint16[] memory markets = new uint16[](20);
        markets[0] = ethPerp;
        for (uint256 i = 1; i < 20; ++i) {
            vm.prank(admin);
            markets[i] = engine.listMarket(
                ethRisk,
                i % 2 == 0 ? IRiskConfig.MarketKind.Call : IRiskConfig.MarketKind.Put,
                // forge-lint: disable-next-line(unsafe-typecast) i < 20
                uint128(2400e18 + 100e18 * i),
                // forge-lint: disable-next-line(unsafe-typecast) i < 20
                uint64(block.timestamp + 7 days * i),
                0.05e18
            );
        }
        uint256 n;
        uint256[3] memory sizes = [uint256(1), 5, 20];
        for (uint256 s; s < sizes.length; ++s) {
            for (; n < sizes[s]; ++n) {
                uint256 mark = engine.markPrice(markets[n]);
                vm.prank(venue);
                hub.trade(_acct(alice, 0), _acct(bob, 0), markets[n], 0.1e18, mark);
            }
            MarginMath.Figures memory f = hub.accountFigures(_acct(alice, 0));
            vm.snapshotGasLastCall(
                "hub-margin", string.concat("figures, ", vm.toString(sizes[s]), " positions, 3 collateral")
            );
            uint256 h = hub.health(_acct(alice, 0));
            vm.snapshotGasLastCall(
                "hub-margin", string.concat("health, ", vm.toString(sizes[s]), " positions, 3 collateral")
            );
            assertEq(
                h,
                MarginMath.health(f.maintenanceEquity, f.maintenanceRequirement),
                "maintenance-only health equals the full figures'"
            );
        }
    }

    /// @dev Gas of each flow's steps, recorded in snapshots/flows.json. A step that sends a
    /// packet is also split into LayerZero's send path and this project's part (`_recordSplit`).
    function test_gas_flows() public {
        wethA.mint(alice, 20e18);
        vm.startPrank(alice);
        wethA.approve(address(vaultA), 20e18);
        uint256 fee = vaultA.quoteDeposit(alice, 0, address(wethA), 10e18, "");
        uint256 before = vm.snapshotState();
        vaultA.deposit{value: fee}(alice, 0, address(wethA), 10e18, "");
        vm.stopPrank();
        _recordSplit("deposit (spoke, sends CREDIT)", before, address(vaultA), A_EID, HUB_EID, address(hub), fee);
        _deliverWithGas(HUB_EID, address(hub), "credit delivery (hub lzReceive)", creditGas);

        _seedLiquidity(100_000e6);
        vm.prank(alice);
        hub.withdrawCash(0, 20_000e6, alice);
        fee = hub.quoteOrder(wethAAsset, MessageCodec.RELEASE, "");
        before = vm.snapshotState();
        vm.prank(alice);
        hub.withdraw{value: fee}(0, wethAAsset, 0.1e18, alice, "");
        _recordSplit(
            "withdraw request (hub, sends RELEASE)", before, address(hub), HUB_EID, A_EID, address(vaultA), fee
        );
        _deliverWithGas(A_EID, address(vaultA), "release delivery (vault lzReceive)", releaseGas);

        _setEthPrice(2300e8);
        fee = _keeperFunded(wethAAsset, 100_000e6);
        before = vm.snapshotState();
        vm.prank(keeper);
        hub.liquidate{value: fee}(_acct(alice, 0), wethAAsset, 100_000e6, keeper, "");
        _recordSplit("liquidate (hub, sends SEIZE)", before, address(hub), HUB_EID, A_EID, address(vaultA), fee);
        _deliverWithGas(A_EID, address(vaultA), "seize delivery (vault lzReceive)", seizeGas);
        assertGt(wethA.balanceOf(keeper), 0);
    }

    /// @dev Ten accounts liquidated in one batch, one SEIZE: against `liquidate`'s figures above,
    /// what the batch saves per account (the LayerZero send, the token pull and the payout once).
    function test_gas_liquidationBatch() public {
        _seedLiquidity(1_000_000e6);
        AccountId[] memory accounts = new AccountId[](10);
        for (uint32 i; i < 10; ++i) {
            accounts[i] = _borrower(i + 1, 10e18, 20_000e6);
        }
        _setEthPrice(2300e8);
        uint256 fee = _keeperFunded(wethAAsset, 1_000_000e6);
        uint256 before = vm.snapshotState();
        vm.prank(keeper);
        hub.liquidateBatch{value: fee}(accounts, wethAAsset, 1_000_000e6, keeper, "");
        uint256 perAccount = vm.lastCallGas().gasTotalUsed / 10;
        string memory name = "liquidate batch of 10 accounts (hub, one SEIZE)";
        _recordSplit(name, before, address(hub), HUB_EID, A_EID, address(vaultA), fee);
        vm.snapshotValue("flows", "liquidate batch of 10 accounts: per account", perAccount);
        _deliverWithGas(A_EID, address(vaultA), "batch seize delivery (vault lzReceive)", seizeGas);
        assertEq(wethA.balanceOf(keeper), 100e18 - vaultA.custodied(address(wethA)));
    }

    /// @dev Delivers the one packet waiting for `receiver` as `verifyPackets` does, but records the
    /// gas of the destination `lzReceive` alone (the DVN's verification excluded), and the gas its
    /// type's enforced options give it, which must exceed it by the stated margin
    /// (contracts/config/enforced-gas.json). The measured execution is rolled back and the packet
    /// then delivered through the helper, so that it leaves the helper's queue.
    function _deliverWithGas(uint32 eid, address receiver, string memory name, uint128 enforced) internal {
        bytes memory packet = _nextPacket(eid, receiver);
        uint256 beforeDelivery = vm.snapshotState();
        lz.validatePacket(packet, "");
        lz.lzReceive(packet, _sentOptions(packet));
        uint256 used = vm.snapshotGasLastCall("flows", name);
        vm.revertToState(beforeDelivery);
        verifyPackets(eid, addressToBytes32(receiver), 1, address(0), "");
        assertFalse(_hasPendingPackets(eid, receiver), string.concat(name, ": one packet was waiting"));
        vm.snapshotValue("flows", string.concat(name, ", enforced gas"), enforced);
        assertLe(
            used * (100 + gasMarginPercent) / 100,
            enforced,
            string.concat(name, ": enforced gas below the measured gas plus the margin")
        );
    }

    /// @dev The executor options `packet` was sent with: its sender's enforced options for its
    /// message type (every flow here adds no options of its own).
    function _sentOptions(bytes memory packet) internal view returns (bytes memory) {
        (address sender, uint32 dstEid, bytes memory message) = this.packetRoute(packet);
        return IOAppOptionsType3(sender).combineOptions(dstEid, uint8(message[1]), "");
    }

    /// @dev Records the gas of the call just made as `name`, and splits it in two: LayerZero's
    /// send path, the same packet sent through the endpoint by `oapp` from the state `before` the
    /// call (here LayerZero's test helper's ULN302 mocks, which also queue the packet in storage), and this
    /// project's part, the rest. Then carries on from the state after the call.
    function _recordSplit(
        string memory name,
        uint256 before,
        address oapp,
        uint32 srcEid,
        uint32 dstEid,
        address receiver,
        uint256 fee
    ) internal {
        uint256 total = vm.snapshotGasLastCall("flows", name);
        bytes memory packet = _nextPacket(dstEid, receiver);
        (,, bytes memory message) = this.packetRoute(packet);
        bytes memory options = _sentOptions(packet);
        uint256 afterCall = vm.snapshotState();
        vm.revertToState(before);
        vm.deal(oapp, fee);
        vm.prank(oapp);
        ILayerZeroEndpointV2(endpoints[srcEid]).send{value: fee}(
            MessagingParams({
                dstEid: dstEid,
                receiver: addressToBytes32(receiver),
                message: message,
                options: options,
                payInLzToken: false
            }),
            oapp
        );
        uint256 sendPath = vm.snapshotGasLastCall("flows", string.concat(name, ": LayerZero send path"));
        vm.snapshotValue("flows", string.concat(name, ": this project's part"), total - sendPath);
        vm.revertToState(afterCall);
    }

    /// @notice The sender, destination and message of an encoded LayerZero packet.
    function packetRoute(bytes calldata packet)
        external
        pure
        returns (address sender, uint32 dstEid, bytes memory message)
    {
        return (packet.senderAddressB20(), packet.dstEid(), packet.message());
    }
}
