// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMulticall3} from "../interfaces/IMulticall3.sol";

/// @notice The read side of Multicall3 (mds1/multicall, MIT), which every public EVM network has at
/// 0xcA11bde05977b3631167028862bE2a173976CA11. The devnet places this contract's runtime code at
/// that address (anvil_setCode), so the relayer batches reads the same way on a devnet and on a
/// public network. Same function signatures and return encoding as the canonical contract.
contract Multicall3 is IMulticall3 {
    error CallFailed(uint256 index);

    /// @notice Calls each target in order; a failing call reverts the batch unless it allows failure.
    function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory returnData) {
        returnData = new Result[](calls.length);
        for (uint256 i; i < calls.length; ++i) {
            Call3 calldata c = calls[i];
            (bool success, bytes memory data) = c.target.call(c.callData);
            if (!success && !c.allowFailure) revert CallFailed(i);
            returnData[i] = Result({success: success, returnData: data});
        }
    }

    function getBlockNumber() external view returns (uint256) {
        return block.number;
    }

    function getCurrentBlockTimestamp() external view returns (uint256) {
        return block.timestamp;
    }

    function getEthBalance(address account) external view returns (uint256) {
        return account.balance;
    }
}
