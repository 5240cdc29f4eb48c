// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {WAD} from "../libraries/FixedPoint.sol";

/// @title LiquidationGain
/// @notice The rule that a collateral liquidation always adds maintenance equity to the account it
/// rescues (docs/risk-model.md section 8.2). Each unit of debt repaid takes (1 + bonus) of the
/// asset's value, counted at (1 − maintenanceHaircut) in equity, so equity changes by
/// 1 − (1 + bonus)(1 − maintenanceHaircut) per unit; the whole bonus must leave `minGain` of it.
library LiquidationGain {
    /// @notice Whether an asset with this maintenance haircut and whole bonus (WAD) leaves at least
    /// `minGain` (WAD) of each unit repaid as equity.
    function holds(uint64 maintenanceHaircut, uint64 bonus, uint64 minGain) internal pure returns (bool) {
        return (WAD + bonus) * (WAD - maintenanceHaircut) <= (WAD - minGain) * WAD;
    }
}
