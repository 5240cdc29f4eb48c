// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {OptionsBuilder} from "@layerzerolabs/oapp-evm/contracts/oapp/libs/OptionsBuilder.sol";
import {EnforcedOptionParam} from "@layerzerolabs/oapp-evm/contracts/oapp/interfaces/IOAppOptionsType3.sol";
import {MessagingFee} from "@layerzerolabs/oapp-evm/contracts/oapp/OApp.sol";
import {
    ReadCodecV1,
    EVMCallRequestV1,
    EVMCallComputeV1
} from "@layerzerolabs/oapp-evm/contracts/oapp/libs/ReadCodecV1.sol";
import {Vm} from "forge-std/Vm.sol";
import {FlowHelpers} from "./FlowHelpers.sol";
import {HealthReader} from "../../src/read/HealthReader.sol";
import {IHealthReader} from "../../src/interfaces/IHealthReader.sol";
import {Multicall3} from "../../src/devnet/Multicall3.sol";
import {AccountId} from "../../src/libraries/AccountIdLib.sol";
import {MarginMath} from "../../src/risk/MarginMath.sol";
import {IOracleGuard} from "../../src/interfaces/IOracleGuard.sol";

/// @notice Unified health read from a spoke with lzRead, through TestHelperOz5's ReadLib1002 and
/// DVN: the helper plays the read DVN, answering each command by running its request here, on
/// the one chain forge simulates, as a read DVN runs it on the hub chain. Each test deploys the
/// reader first (`_deployReader`): the other flows share the setUp and have no use for it.
abstract contract HealthReaderFlows is FlowHelpers {
    using OptionsBuilder for bytes;

    uint128 internal constant READ_GAS = 200_000;
    uint32 internal constant ANSWER_SIZE = 640;

    Multicall3 internal multicall;
    HealthReader internal readerB;

    /// @dev A HealthReader on spoke B, reading the hub through a Multicall3 on the read channel.
    function _deployReader() internal {
        multicall = new Multicall3();
        vm.startPrank(admin);
        readerB = HealthReader(
            payable(deployCode(
                    "HealthReader.sol:HealthReader",
                    abi.encode(
                        endpoints[B_EID], admin, DEFAULT_CHANNEL_ID, HUB_EID, address(hub), address(multicall), 0
                    )
                ))
        );
        readerB.setReadChannel(DEFAULT_CHANNEL_ID, true);
        EnforcedOptionParam[] memory enforced = new EnforcedOptionParam[](1);
        enforced[0] = EnforcedOptionParam({
            eid: DEFAULT_CHANNEL_ID,
            msgType: readerB.READ_FIGURES(),
            options: OptionsBuilder.newOptions().addExecutorLzReadOption(READ_GAS, ANSWER_SIZE, 0)
        });
        readerB.setEnforcedOptions(enforced);
        vm.stopPrank();
        vm.deal(address(this), 10 ether);
    }

    /// @dev Alice: 10 WETH on spoke A, long 20 ETH-PERP at 3,000 against bob.
    function _aliceLong() internal returns (AccountId) {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _depositHubUsdc(bob, 100_000e6, 0);
        vm.prank(venue);
        hub.trade(_acct(alice, 0), _acct(bob, 0), ethPerp, 20e18, 3000e18);
        return _acct(alice, 0);
    }

    function _request(AccountId account) internal returns (bytes32 guid, bytes memory command) {
        MessagingFee memory fee = readerB.quoteRequest(account, "");
        guid = readerB.requestFigures{value: fee.nativeFee}(account, "").guid;
        command = readerB.readCommand(account, uint64(vm.getBlockTimestamp()));
    }

    /// @dev What a read DVN does with a command: run its one request (no compute) and answer with
    /// the call's return data.
    function _resolve(bytes memory command) internal view returns (bytes memory answer) {
        (, EVMCallRequestV1[] memory requests, EVMCallComputeV1 memory compute) = this.decodeCommand(command);
        assertEq(requests.length, 1, "one request");
        assertEq(compute.targetEid, 0, "no compute");
        assertEq(requests[0].targetEid, HUB_EID, "reads the hub chain");
        assertFalse(requests[0].isBlockNum, "as of a time, not a block number");
        assertEq(requests[0].blockNumOrTimestamp, vm.getBlockTimestamp(), "as of the request's time");
        bool ok;
        (ok, answer) = requests[0].to.staticcall(requests[0].callData);
        assertTrue(ok, "the request runs");
    }

    function decodeCommand(bytes calldata command)
        external
        pure
        returns (uint16, EVMCallRequestV1[] memory, EVMCallComputeV1 memory)
    {
        return ReadCodecV1.decode(command);
    }

    /// @dev The reader's recorded event `selector` for request `guid`: its account topic and data.
    function _readerEvent(bytes32 selector, bytes32 guid) internal returns (bytes32 account, bytes memory data) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            Vm.Log memory l = logs[i];
            if (l.emitter == address(readerB) && l.topics[0] == selector && l.topics[2] == guid) {
                return (l.topics[1], l.data);
            }
        }
        revert("event not emitted");
    }

    function _deliver(bytes memory answer) internal {
        verifyPackets(B_EID, addressToBytes32(address(readerB)), 0, address(0), answer);
    }

    function test_read_equalsTheHubsFiguresAtTheBlockItNames() public {
        _deployReader();
        AccountId account = _aliceLong();
        vm.roll(vm.getBlockNumber() + 7);
        vm.warp(vm.getBlockTimestamp() + 12);
        MessagingFee memory fee = readerB.quoteRequest(account, "");
        readerB.requestFigures{value: fee.nativeFee}(account, "");
        vm.snapshotGasLastCall(
            "health-reader",
            "requestFigures (spoke; TestHelperOz5 ReadLib mock, which also queues the packet in storage)"
        );
        bytes memory command = readerB.readCommand(account, uint64(vm.getBlockTimestamp()));
        _deliver(_resolve(command));

        IHealthReader.Reading memory r = readerB.readingOf(account);
        MarginMath.Figures memory f = hub.accountFigures(account);
        assertEq(r.initialEquity, f.initialEquity);
        assertEq(r.maintenanceEquity, f.maintenanceEquity);
        assertEq(r.initialRequirement, f.initialRequirement);
        assertEq(r.maintenanceRequirement, f.maintenanceRequirement);
        assertEq(r.health, hub.health(account), "the hub's health to the wei");
        assertEq(r.hubBlock, vm.getBlockNumber());
        assertEq(r.hubTimestamp, vm.getBlockTimestamp());
        (uint256 health, uint64 at) = readerB.healthOf(account, 60);
        assertEq(health, hub.health(account));
        assertEq(at, vm.getBlockTimestamp());

        // ETH falls 26.7%: the next read shows her liquidatable, as the hub does.
        _setEthPrice(2200e8);
        vm.roll(vm.getBlockNumber() + 1);
        (, command) = _request(account);
        _deliver(_resolve(command));
        (health,) = readerB.healthOf(account, 60);
        assertEq(health, hub.health(account));
        assertLt(health, 1e18, "liquidatable");
        assertEq(readerB.readingOf(account).hubBlock, vm.getBlockNumber());
    }

    function test_healthOf_refusesNoReadingAndStaleOnes() public {
        _deployReader();
        AccountId account = _aliceLong();
        vm.expectRevert(abi.encodeWithSelector(IHealthReader.NoReading.selector, account));
        readerB.healthOf(account, 60);

        (, bytes memory command) = _request(account);
        _deliver(_resolve(command));
        uint64 readAt = uint64(vm.getBlockTimestamp());
        vm.warp(vm.getBlockTimestamp() + 60);
        readerB.healthOf(account, 60);
        vm.warp(vm.getBlockTimestamp() + 1);
        vm.expectRevert(abi.encodeWithSelector(IHealthReader.StaleReading.selector, account, readAt, uint256(60)));
        readerB.healthOf(account, 60);
    }

    function test_read_hubThatCannotPriceKeepsThePreviousReading() public {
        _deployReader();
        AccountId account = _aliceLong();
        (, bytes memory command) = _request(account);
        _deliver(_resolve(command));
        uint64 firstBlock = readerB.readingOf(account).hubBlock;

        // Two hours on, the feeds are stale: accountFigures reverts on the hub.
        vm.warp(vm.getBlockTimestamp() + 2 hours);
        vm.roll(vm.getBlockNumber() + 10);
        (bytes32 guid, bytes memory command2) = _request(account);
        bytes memory answer = _resolve(command2);
        vm.recordLogs();
        _deliver(answer);
        (bytes32 topic1, bytes memory data) = _readerEvent(IHealthReader.FiguresUnavailable.selector, guid);
        assertEq(topic1, AccountId.unwrap(account));
        (uint64 hubBlock, bytes memory reason) = abi.decode(data, (uint64, bytes));
        assertEq(hubBlock, vm.getBlockNumber());
        assertEq(
            reason,
            abi.encodeWithSelector(IOracleGuard.StalePrice.selector, ethRisk, uint256(1_700_000_000), uint256(1 hours))
        );
        assertEq(readerB.readingOf(account).hubBlock, firstBlock, "the previous reading stays");
    }

    function test_read_anOlderAnswerNeverReplacesANewerOne() public {
        _deployReader();
        AccountId account = _aliceLong();
        (, bytes memory command) = _request(account);
        bytes memory older = _resolve(command);
        vm.roll(vm.getBlockNumber() + 5);
        (bytes32 guid2, bytes memory command2) = _request(account);
        bytes memory newer = _resolve(command2);

        // The first request's packet is answered with the newer state, the second with the older.
        verifyPackets(B_EID, addressToBytes32(address(readerB)), 1, address(0), newer);
        vm.recordLogs();
        verifyPackets(B_EID, addressToBytes32(address(readerB)), 1, address(0), older);
        (, bytes memory data) = _readerEvent(IHealthReader.ReadingSuperseded.selector, guid2);
        (uint64 ignored, uint64 kept) = abi.decode(data, (uint64, uint64));
        assertEq(ignored, vm.getBlockNumber() - 5);
        assertEq(kept, vm.getBlockNumber());
        assertEq(readerB.readingOf(account).hubBlock, vm.getBlockNumber());
        assertEq(AccountId.unwrap(readerB.requestedAccount(guid2)), bytes32(0), "answered requests are forgotten");
    }

    function test_request_refusesTheZeroAccountAndAMissingFee() public {
        _deployReader();
        vm.expectRevert(IHealthReader.ZeroAccount.selector);
        readerB.requestFigures(AccountId.wrap(0), "");
        MessagingFee memory fee = readerB.quoteRequest(_acct(alice, 0), "");
        assertGt(fee.nativeFee, 0, "lzRead is paid for");
        vm.expectRevert();
        readerB.requestFigures{value: fee.nativeFee - 1}(_acct(alice, 0), "");
    }

    function test_setReadChannel_onlyTheReadersChannel() public {
        _deployReader();
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(IHealthReader.NotReadChannel.selector, uint32(HUB_EID), DEFAULT_CHANNEL_ID)
        );
        readerB.setReadChannel(HUB_EID, true);
    }
}
