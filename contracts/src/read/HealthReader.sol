// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {OAppRead} from "@layerzerolabs/oapp-evm/contracts/oapp/OAppRead.sol";
import {OAppOptionsType3} from "@layerzerolabs/oapp-evm/contracts/oapp/libs/OAppOptionsType3.sol";
import {Origin, MessagingFee, MessagingReceipt} from "@layerzerolabs/oapp-evm/contracts/oapp/OApp.sol";
import {ReadCodecV1, EVMCallRequestV1} from "@layerzerolabs/oapp-evm/contracts/oapp/libs/ReadCodecV1.sol";
import {IAccountFigures} from "../interfaces/IAccountFigures.sol";
import {IHealthReader} from "../interfaces/IHealthReader.sol";
import {IMulticall3} from "../interfaces/IMulticall3.sol";
import {AccountId} from "../libraries/AccountIdLib.sol";
import {MarginMath} from "../risk/MarginMath.sol";

/// @title HealthReader
/// @notice Unified health on any chain: asks the MarginHub for an account's figures with
/// LayerZero lzRead and keeps the newest answer with the hub block and time it is from.
/// @dev One lzRead request per read, to Multicall3 on the hub chain: `getBlockNumber`,
/// `getCurrentBlockTimestamp` and `MarginHub.accountFigures(account)` (allowed to fail), so the
/// figures, the block and its time come from one and the same hub state. The request is as of
/// this chain's `block.timestamp`: the read DVNs resolve it to the last hub block at or before it
/// and wait `hubConfirmations` blocks on top. Health is recomputed here with the hub's own
/// `MarginMath.health`, so it is the hub's figure to the wei.
contract HealthReader is OAppRead, OAppOptionsType3, IHealthReader {
    /// @notice The message type enforced options are keyed by (the lzRead gas and answer size).
    uint16 public constant READ_FIGURES = 1;
    /// @notice The label the command carries (read DVNs pass it through; nothing depends on it).
    uint16 internal constant COMMAND_LABEL = 1;

    /// @notice The lzRead channel this reader sends on (LayerZero's read channel id).
    uint32 public immutable readChannel;
    /// @notice The hub chain's endpoint id, where the MarginHub is.
    uint32 public immutable hubEid;
    /// @notice The MarginHub on the hub chain.
    address public immutable hub;
    /// @notice Multicall3 on the hub chain.
    address public immutable multicall;
    /// @notice Hub blocks the read DVNs wait on top of the block they read.
    uint16 public immutable hubConfirmations;

    /// @notice The account each request in flight reads.
    mapping(bytes32 guid => AccountId) public requestedAccount;
    mapping(AccountId => Reading) internal _readings;

    constructor(
        address endpoint_,
        address owner_,
        uint32 readChannel_,
        uint32 hubEid_,
        address hub_,
        address multicall_,
        uint16 hubConfirmations_
    ) OAppRead(endpoint_, owner_) Ownable(owner_) {
        readChannel = readChannel_;
        hubEid = hubEid_;
        hub = hub_;
        multicall = multicall_;
        hubConfirmations = hubConfirmations_;
    }

    /// @notice Opens (or closes) this reader's read channel; other channels are refused.
    function setReadChannel(uint32 channelId, bool active) public override onlyOwner {
        if (channelId != readChannel) revert NotReadChannel(channelId, readChannel);
        super.setReadChannel(channelId, active);
    }

    /// @inheritdoc IHealthReader
    function requestFigures(AccountId account, bytes calldata extraOptions)
        external
        payable
        returns (MessagingReceipt memory receipt)
    {
        if (AccountId.unwrap(account) == bytes32(0)) revert ZeroAccount();
        uint64 asOf = uint64(block.timestamp);
        receipt = _lzSend(
            readChannel,
            readCommand(account, asOf),
            combineOptions(readChannel, READ_FIGURES, extraOptions),
            MessagingFee({nativeFee: msg.value, lzTokenFee: 0}),
            payable(msg.sender)
        );
        requestedAccount[receipt.guid] = account;
        emit FiguresRequested(account, receipt.guid, asOf, msg.sender);
    }

    /// @inheritdoc IHealthReader
    function quoteRequest(AccountId account, bytes calldata extraOptions) external view returns (MessagingFee memory) {
        return _quote(
            readChannel,
            readCommand(account, uint64(block.timestamp)),
            combineOptions(readChannel, READ_FIGURES, extraOptions),
            false
        );
    }

    /// @inheritdoc IHealthReader
    function readCommand(AccountId account, uint64 asOf) public view returns (bytes memory) {
        IMulticall3.Call3[] memory calls = new IMulticall3.Call3[](3);
        calls[0] = IMulticall3.Call3(multicall, false, abi.encodeCall(IMulticall3.getBlockNumber, ()));
        calls[1] = IMulticall3.Call3(multicall, false, abi.encodeCall(IMulticall3.getCurrentBlockTimestamp, ()));
        calls[2] = IMulticall3.Call3(hub, true, abi.encodeCall(IAccountFigures.accountFigures, (account)));
        EVMCallRequestV1[] memory requests = new EVMCallRequestV1[](1);
        requests[0] = EVMCallRequestV1({
            appRequestLabel: 1,
            targetEid: hubEid,
            isBlockNum: false,
            blockNumOrTimestamp: asOf,
            confirmations: hubConfirmations,
            to: multicall,
            callData: abi.encodeCall(IMulticall3.aggregate3, (calls))
        });
        return ReadCodecV1.encode(COMMAND_LABEL, requests);
    }

    /// @inheritdoc IHealthReader
    function readingOf(AccountId account) external view returns (Reading memory) {
        return _readings[account];
    }

    /// @inheritdoc IHealthReader
    function healthOf(AccountId account, uint256 maxAge) external view returns (uint256 health, uint64 hubTimestamp) {
        Reading storage r = _readings[account];
        if (r.hubBlock == 0) revert NoReading(account);
        hubTimestamp = r.hubTimestamp;
        // A hub clock ahead of this chain's counts as age 0: chains' clocks differ by seconds.
        if (block.timestamp > hubTimestamp && block.timestamp - hubTimestamp > maxAge) {
            revert StaleReading(account, hubTimestamp, maxAge);
        }
        return (r.health, hubTimestamp);
    }

    /// @dev The answer: Multicall3's results for (block number, block time, figures).
    function _lzReceive(Origin calldata origin, bytes32 guid, bytes calldata message, address, bytes calldata)
        internal
        override
    {
        if (origin.srcEid != readChannel) revert NotReadChannel(origin.srcEid, readChannel);
        AccountId account = requestedAccount[guid];
        if (AccountId.unwrap(account) == bytes32(0)) revert UnknownRequest(guid);
        requestedAccount[guid] = AccountId.wrap(0);

        IMulticall3.Result[] memory results = abi.decode(message, (IMulticall3.Result[]));
        if (results.length != 3) revert MalformedAnswer(results.length);
        uint64 hubBlock = uint64(abi.decode(results[0].returnData, (uint256)));
        uint64 hubTimestamp = uint64(abi.decode(results[1].returnData, (uint256)));
        if (!results[2].success) {
            emit FiguresUnavailable(account, guid, hubBlock, results[2].returnData);
            return;
        }
        // Answers can arrive out of order: an older hub block never replaces a newer one.
        uint64 kept = _readings[account].hubBlock;
        if (hubBlock < kept) {
            emit ReadingSuperseded(account, guid, hubBlock, kept);
            return;
        }
        MarginMath.Figures memory f = abi.decode(results[2].returnData, (MarginMath.Figures));
        uint256 health = MarginMath.health(f.maintenanceEquity, f.maintenanceRequirement);
        _readings[account] = Reading({
            initialEquity: f.initialEquity,
            maintenanceEquity: f.maintenanceEquity,
            initialRequirement: f.initialRequirement,
            maintenanceRequirement: f.maintenanceRequirement,
            health: health,
            hubBlock: hubBlock,
            hubTimestamp: hubTimestamp,
            receivedAt: uint64(block.timestamp)
        });
        emit FiguresRead(account, guid, hubBlock, hubTimestamp, health, f.maintenanceEquity, f.maintenanceRequirement);
    }
}
