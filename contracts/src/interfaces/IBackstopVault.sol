// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccountId} from "../libraries/AccountIdLib.sol";
import {IMarginHub} from "./IMarginHub.sol";

/// @title IBackstopVault
/// @notice The protocol's liquidity backstop, the step of the default waterfall between keepers
/// and the insurance fund (docs/risk-model.md section 8.3). Anyone deposits the settlement token
/// for ERC-4626 shares; the vault keeps it as cash on its own hub account, which is its margin.
/// Anyone may hand it a liquidatable account, which it takes over whole on the hub (collateral,
/// positions and cash, at the mark with the equity left) once the account's health is at or
/// below `backstopHealth`, or once it has been flagged liquidatable for `patienceBlocks`. The
/// caller is paid `rewardTokens`; depositors earn the equity the accounts brought and bear what
/// their positions lose after.
/// @dev The ERC-4626 functions it inherits are not repeated here. Its assets are the settlement
/// tokens it holds plus its hub account's maintenance equity, so reading them needs every price
/// that account depends on to be fresh.
interface IBackstopVault {
    /// @notice `account` was flagged liquidatable: it may be taken over from block
    /// `since + patienceBlocks` on if it is still liquidatable then.
    event AccountFlagged(AccountId indexed account, uint256 since, uint256 health);

    /// @notice The flag of an account found healthy again was cleared.
    event FlagCleared(AccountId indexed account, uint256 health);

    /// @notice The vault took `account` over whole.
    /// @param caller Who asked, paid `reward` settlement tokens.
    /// @param equity The account's maintenance equity when taken, USD WAD.
    /// @param requirement Its maintenance requirement then, USD WAD.
    event Backstopped(
        AccountId indexed account, address indexed caller, int256 equity, uint256 requirement, uint256 reward
    );

    /// @notice Raised at deployment when `backstopHealth` is above 1e18.
    error InvalidBackstopHealth(uint256 backstopHealth);
    /// @notice Raised when flagging or taking over an account whose health is 1e18 or more.
    error AccountNotLiquidatable(uint256 health);
    /// @notice Raised when an account is above `backstopHealth` and has not been flagged for
    /// `patienceBlocks` yet; `eligibleAt` is the block it will be (0: not flagged).
    error NotYetBackstoppable(uint256 health, uint256 backstopHealth, uint256 eligibleAt);
    /// @notice Raised when the account has no equity left: its shortfall is the insurance fund's
    /// and then positive cash's, not the depositors'.
    error AccountUnderwater(int256 equity);

    /// @notice The hub the vault backstops.
    function hub() external view returns (IMarginHub);

    /// @notice Health (WAD) at or below which an account is taken over at once.
    function backstopHealth() external view returns (uint256);

    /// @notice Blocks a flagged account must wait, while liquidatable, before it is taken over
    /// above `backstopHealth`.
    function patienceBlocks() external view returns (uint256);

    /// @notice Settlement tokens paid to whoever hands the vault an account (less if its free
    /// margin cannot pay them).
    function rewardTokens() external view returns (uint256);

    /// @notice The vault's account on the hub (its address, sub-account 0).
    function hubAccount() external view returns (AccountId);

    /// @notice The block `account` was flagged liquidatable (0: not flagged).
    function flaggedAt(AccountId account) external view returns (uint256);

    /// @notice Flags a liquidatable account, starting its `patienceBlocks`; clears the flag of
    /// one found healthy. Anyone may call it.
    /// @param account The account.
    function flag(AccountId account) external;

    /// @notice Takes a liquidatable account over whole, if it is at or below `backstopHealth` or
    /// its patience has run out, and pays the caller the reward. Anyone may call it.
    /// @dev Reverts AccountNotLiquidatable, NotYetBackstoppable, AccountUnderwater, or the hub's
    /// InsufficientMargin when the vault's margin cannot carry the account.
    /// @param account The account.
    /// @return equity The account's maintenance equity when taken, USD WAD.
    function backstop(AccountId account) external returns (int256 equity);
}
