// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccountId} from "../libraries/AccountIdLib.sol";
import {MarginMath} from "../risk/MarginMath.sol";

/// @notice The hub view a HealthReader calls: MarginHub's, declared apart so a spoke deploys no hub code.
interface IAccountFigures {
    /// @notice Initial and maintenance equity and requirements at guarded oracle prices.
    /// @param account The account.
    /// @return Its figures, USD WAD.
    function accountFigures(AccountId account) external view returns (MarginMath.Figures memory);
}
