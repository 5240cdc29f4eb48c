// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MessagingFee, MessagingReceipt} from "@layerzerolabs/oapp-evm/contracts/oapp/OApp.sol";
import {AccountId} from "../libraries/AccountIdLib.sol";

/// @title IHealthReader
/// @notice An account's unified figures, read from the MarginHub on the hub chain with
/// LayerZero lzRead and kept on this chain with the hub block and time they were read at, so a
/// contract on any chain can ask "how healthy is this account?" and judge how old the answer is.
/// @dev The hub is read through Multicall3 in one call (block number, block time,
/// `MarginHub.accountFigures`), so every answer names the exact hub block its figures are from.
interface IHealthReader {
    /// @notice The hub's answer for one account.
    /// @param initialEquity Equity under the initial haircuts and scenarios, USD WAD.
    /// @param maintenanceEquity Equity under the maintenance haircuts and scenarios, USD WAD.
    /// @param initialRequirement Initial margin required, USD WAD.
    /// @param maintenanceRequirement Maintenance margin required, USD WAD.
    /// @param health maintenanceEquity / maintenanceRequirement in WAD (MarginMath.health, as
    /// `MarginHub.health` computes it); below 1e18 the account can be liquidated.
    /// @param hubBlock The hub block the figures are from.
    /// @param hubTimestamp That block's timestamp (hub clock, unix seconds).
    /// @param receivedAt When the answer arrived here (this chain's clock).
    struct Reading {
        int256 initialEquity;
        int256 maintenanceEquity;
        uint256 initialRequirement;
        uint256 maintenanceRequirement;
        uint256 health;
        uint64 hubBlock;
        uint64 hubTimestamp;
        uint64 receivedAt;
    }

    /// @notice A read of `account`'s figures was sent as of this chain's time `asOf`.
    event FiguresRequested(AccountId indexed account, bytes32 indexed guid, uint64 asOf, address requester);
    /// @notice The hub's figures for `account` at `hubBlock` are now this chain's reading.
    event FiguresRead(
        AccountId indexed account,
        bytes32 indexed guid,
        uint64 hubBlock,
        uint64 hubTimestamp,
        uint256 health,
        int256 maintenanceEquity,
        uint256 maintenanceRequirement
    );
    /// @notice The hub could not give figures at `hubBlock` (e.g. a stale price feed); `reason` is
    /// its revert data. The previous reading, if any, stays.
    event FiguresUnavailable(AccountId indexed account, bytes32 indexed guid, uint64 hubBlock, bytes reason);
    /// @notice An answer arrived after one from a later hub block; the later one stays.
    event ReadingSuperseded(AccountId indexed account, bytes32 indexed guid, uint64 hubBlock, uint64 keptHubBlock);

    /// @notice The zero account id names no account.
    error ZeroAccount();
    /// @notice No answer has arrived for `account` yet.
    error NoReading(AccountId account);
    /// @notice The reading of `account` is from `hubTimestamp`, more than `maxAge` seconds before now.
    error StaleReading(AccountId account, uint64 hubTimestamp, uint256 maxAge);
    /// @notice An answer came for a request this contract has no record of.
    error UnknownRequest(bytes32 guid);
    /// @notice Only `readChannel` carries this contract's reads; `channel` is not it.
    error NotReadChannel(uint32 channel, uint32 readChannel);
    /// @notice The answer is not Multicall3's three results (block, time, figures).
    error MalformedAnswer(uint256 results);

    /// @notice Asks the hub for `account`'s figures as of now; the answer arrives in a later
    /// transaction, delivered by LayerZero. Pay `quoteRequest`'s fee in msg.value; any excess is
    /// refunded to the caller.
    /// @param extraOptions Type-3 options added to the enforced lzRead options (usually empty).
    function requestFigures(AccountId account, bytes calldata extraOptions)
        external
        payable
        returns (MessagingReceipt memory receipt);

    /// @notice The LayerZero fee `requestFigures` costs for `account`.
    function quoteRequest(AccountId account, bytes calldata extraOptions)
        external
        view
        returns (MessagingFee memory fee);

    /// @notice The lzRead command `requestFigures` sends for `account` as of `asOf`.
    function readCommand(AccountId account, uint64 asOf) external view returns (bytes memory);

    /// @notice The latest reading of `account` (all zero before the first answer).
    function readingOf(AccountId account) external view returns (Reading memory);

    /// @notice `account`'s health from its latest reading, refused when the reading is older
    /// than `maxAge` seconds by this chain's clock.
    /// @return health maintenance health in WAD; below 1e18 the account can be liquidated.
    /// @return hubTimestamp when, on the hub, the figures were true.
    function healthOf(AccountId account, uint256 maxAge) external view returns (uint256 health, uint64 hubTimestamp);
}
