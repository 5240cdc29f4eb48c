// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SIGNED_WAD as WAD} from "../../src/libraries/FixedPoint.sol";
import {OptionMath} from "../../src/risk/OptionMath.sol";
import {PortfolioMargin} from "../../src/risk/PortfolioMargin.sol";

/// @notice The scenario grid as the spec reads: every scenario valued afresh, every option priced
/// from scratch. `ScenarioGrid` skips repeated work; the tests hold it to this, to the wei.
library NaiveScenarioGrid {
    /// @notice Largest loss over one grid's 16 scenarios of everything exposed to underlying `k`.
    function worstLoss(
        PortfolioMargin.Underlying memory und,
        uint256 k,
        PortfolioMargin.Collateral[] memory c,
        PortfolioMargin.Position[] memory p,
        int256 range,
        bool initial
    ) internal pure returns (int256 worst) {
        int256 base = exposureValue(k, c, p, und.spot, und.vol, initial);
        for (int256 step = -3; step <= 3; ++step) {
            int256 spot = PortfolioMargin.shiftedSpot(und.spot, range * step / 3);
            for (int256 sign = -1; sign <= 1; sign += 2) {
                int256 vol = und.vol + und.vol * und.params.volShift * sign / WAD;
                worst =
                    PortfolioMargin.max(worst, base - exposureValue(k, c, p, spot, vol < 0 ? int256(0) : vol, initial));
            }
        }
        int256 extreme = range * und.params.extremeMultiple / WAD;
        for (int256 sign = -1; sign <= 1; sign += 2) {
            int256 spot = PortfolioMargin.shiftedSpot(und.spot, extreme * sign);
            int256 loss = base - exposureValue(k, c, p, spot, und.vol, initial);
            if (loss > 0) worst = PortfolioMargin.max(worst, PortfolioMargin.mulWadUp(loss, und.params.extremeCover));
        }
    }

    /// @notice Value of everything exposed to underlying `k` at the given spot and volatility.
    function exposureValue(
        uint256 k,
        PortfolioMargin.Collateral[] memory c,
        PortfolioMargin.Position[] memory p,
        int256 spot,
        int256 vol,
        bool initial
    ) internal pure returns (int256 v) {
        for (uint256 i; i < c.length; ++i) {
            if (c[i].underlying != k) continue;
            v += PortfolioMargin.collateralValue(c[i], spot, initial ? c[i].initialHaircut : c[i].maintenanceHaircut);
        }
        for (uint256 i; i < p.length; ++i) {
            if (p[i].underlying != k) continue;
            int256 unitPrice = p[i].kind == PortfolioMargin.PERP
                ? spot
                : OptionMath.price(spot, p[i].strike, vol, p[i].timeYears, 0, p[i].kind == PortfolioMargin.CALL);
            v += PortfolioMargin.mulWadDown(p[i].size, unitPrice);
        }
    }
}
