// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title Timelock
/// @notice The delay between governance's decision and its effect, on each chain of a deployment:
/// the deploy tool hands it every power that decides what custody trusts (the OApps' ownership and
/// LayerZero delegate, the risk engine's feeds and parameters, the vaults' listings), so each change
/// is an event (`CallScheduled`) at least `getMinDelay()` before it can run.
/// @dev OpenZeppelin's TimelockController with no admin: only the timelock itself changes its roles
/// and delay. `guardian` may only cancel a scheduled operation (`CANCELLER_ROLE`), never propose or
/// execute one, so a guardian key that is lost or stolen can delay governance but not act for it.
contract Timelock is TimelockController {
    /// @param minDelay Seconds an operation waits between `schedule` and `execute`.
    /// @param proposers May schedule and cancel (the governance multisig).
    /// @param executors May execute a due operation; `address(0)` lets anyone.
    /// @param guardian May cancel a scheduled operation, nothing else.
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address guardian)
        TimelockController(minDelay, proposers, executors, address(0))
    {
        _grantRole(CANCELLER_ROLE, guardian);
    }
}
