// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import { Math } from "@openzeppelin/contracts/utils/math/Math.sol";
import { MarginMath } from "./MarginMath.sol";
import { RiskConfig } from "./RiskConfig.sol";

/// @title RiskEngine
/// @notice Everything the hub needs to know about risk, in one place: which collateral and markets
/// exist, their guarded oracle prices, and the margin model. The hub keeps balances and hands the
/// engine an account's holdings; the engine answers with margin figures.
/// @dev A contract of its own because the model is the part that grows (portfolio scenarios,
/// option pricing) and the hub must stay under the 24 KB code-size limit. The hub fixes its
/// engine at deployment, so the model cannot be swapped under open positions.
contract RiskEngine is RiskConfig {
    struct Holding {
        uint16 assetId;
        uint256 amount;
    }

    struct Position {
        uint16 marketId;
        int256 size;
    }

    constructor(address admin) RiskConfig(admin) { }

    /// @notice Margin figures of an account holding `holdings` and `positions` with `cash`, at
    /// guarded prices (reverts with the oracle's named error if a needed price is untrusted).
    function figures(int256 cash, Holding[] calldata holdings, Position[] calldata positions)
        external
        view
        returns (MarginMath.Figures memory)
    {
        _checkSequencer();
        uint256[] memory prices = new uint256[](_riskAssets.length);
        MarginMath.CollateralLine[] memory c = new MarginMath.CollateralLine[](holdings.length);
        for (uint256 i; i < holdings.length; ++i) {
            Asset storage a = _assetOrRevert(holdings[i].assetId);
            c[i] = MarginMath.CollateralLine({
                amount: holdings[i].amount,
                decimals: a.decimals,
                price: _cachedPrice(a.riskAsset, prices),
                initialHaircut: a.initialHaircut,
                maintenanceHaircut: a.maintenanceHaircut
            });
        }
        MarginMath.PerpLine[] memory p = new MarginMath.PerpLine[](positions.length);
        for (uint256 i; i < positions.length; ++i) {
            Market storage m = _marketOrRevert(positions[i].marketId);
            p[i] = MarginMath.PerpLine({
                size: positions[i].size,
                price: _cachedPrice(m.riskAsset, prices),
                initialFactor: m.initialFactor,
                maintenanceFactor: m.maintenanceFactor
            });
        }
        return MarginMath.figures(cash, c, p);
    }

    /// @notice Guarded oracle mark of a market's underlying, in USD WAD.
    function markPrice(uint16 marketId) external view returns (uint256) {
        _checkSequencer();
        return _price(_marketOrRevert(marketId).riskAsset);
    }

    /// @notice How much of an unhealthy account's debt a liquidator may repay and how much of
    /// asset `assetId` it receives for it.
    /// @dev Repaying R of debt and seizing R * (1 + bonus) of collateral raises maintenance equity
    /// by R * k with k = 1 - (1 + bonus) * (1 - maintenance haircut). When k > 0 the repayment is
    /// cut to what lifts health to the target; it is always cut to the close factor of the debt
    /// (all of it below `fullCloseHealth`) and to what the held collateral can pay for.
    /// @param f the account's figures, @param debt its negative cash as a positive USD WAD amount,
    /// @param held its units of the asset, @param maxRepay the most the liquidator offers (USD WAD),
    /// @param step the USD WAD of one settlement token unit: repay is a whole number of steps.
    /// @return repay USD WAD to repay (a multiple of `step`), @return seized asset units to pay out.
    function liquidationAmounts(
        MarginMath.Figures calldata f,
        uint256 debt,
        uint16 assetId,
        uint256 held,
        uint256 maxRepay,
        uint256 step
    ) external view returns (uint256 repay, uint256 seized) {
        _checkSequencer();
        Asset storage a = _assetOrRevert(assetId);
        LiquidationParams memory lp = _liquidationParams;
        uint256 h = MarginMath.health(f.maintenanceEquity, f.maintenanceRequirement);
        uint256 limit = Math.mulDiv(debt, h < lp.fullCloseHealth ? WAD : lp.closeFactor, WAD);
        uint256 keep = Math.mulDiv(WAD + a.liquidationBonus, WAD - a.maintenanceHaircut, WAD);
        if (keep < WAD) {
            int256 gap = int256(Math.mulDiv(f.maintenanceRequirement, lp.targetHealth, WAD, Math.Rounding.Ceil))
                - f.maintenanceEquity;
            if (gap > 0) limit = Math.min(limit, Math.mulDiv(uint256(gap), WAD, WAD - keep, Math.Rounding.Ceil));
        }
        repay = Math.min(maxRepay, Math.ceilDiv(limit, step) * step);
        uint256 price = _price(a.riskAsset);
        seized = Math.mulDiv(Math.mulDiv(repay, WAD + a.liquidationBonus, WAD), 10 ** a.decimals, price);
        if (seized > held) {
            // Not enough collateral for the full reward: seize all of it, repay only what it is worth.
            seized = held;
            uint256 worth = Math.mulDiv(MarginMath.tokenValue(held, a.decimals, price), WAD, WAD + a.liquidationBonus, Math.Rounding.Ceil);
            repay = Math.min(maxRepay, Math.ceilDiv(worth, step) * step);
        }
    }

    function _cachedPrice(uint16 riskAssetId, uint256[] memory prices) private view returns (uint256 p) {
        p = prices[riskAssetId];
        if (p == 0) {
            p = _price(riskAssetId);
            prices[riskAssetId] = p;
        }
    }
}
