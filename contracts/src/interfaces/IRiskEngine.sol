// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarginMath} from "../risk/MarginMath.sol";
import {IRiskConfig} from "./IRiskConfig.sol";

/// @title IRiskEngine
/// @notice Everything the hub needs to know about risk, in one place: which collateral and markets
/// exist (IRiskConfig), their guarded oracle prices and volatilities (IOracleGuard), and the margin
/// model (docs/risk-model.md section 6). The hub keeps balances and hands the engine an account's
/// holdings; the engine answers with margin figures at guarded prices, marks, trade bands,
/// option settlements and liquidation sizes.
/// @dev Amounts are token units, sizes WAD of the underlying, USD figures and prices USD WAD.
/// A figure reverts with the oracle guard's named error when a price it needs cannot be trusted
/// (stale, out of band, sequencer down): a position's underlying, an option's volatility, the
/// asset a liquidation seizes. A collateral holding whose price or rate cannot be trusted counts
/// for nothing instead (docs/risk-model.md section 2.1).
interface IRiskEngine is IRiskConfig {
    /// @notice An account's holding of one collateral asset.
    struct Holding {
        uint16 assetId;
        /// @dev Token units.
        uint256 amount;
    }

    /// @notice An account's position in one market.
    struct Position {
        uint16 marketId;
        /// @dev WAD of the underlying; positive long, negative short.
        int256 size;
    }

    /// @notice An account's figures with its delta (units) and vega (USD per 1.0 of volatility)
    /// per underlying it is exposed to.
    struct Risk {
        MarginMath.Figures figures;
        uint16[] riskAssets;
        int256[] delta;
        int256[] vega;
    }

    /// @notice Margin figures of an account holding `holdings` and `positions` with `cash`, at
    /// guarded prices.
    /// @param cash The account's cash, USD WAD (negative: debt).
    /// @param holdings Its collateral, each asset at most once.
    /// @param positions Its open positions, each market at most once.
    /// @return Initial and maintenance equity and requirements, USD WAD.
    function figures(int256 cash, Holding[] calldata holdings, Position[] calldata positions)
        external
        view
        returns (MarginMath.Figures memory);

    /// @notice Maintenance equity and requirement only (what `figures` returns for them, to the
    /// wei), at about half the gas: the initial grid is not evaluated. For liquidation checks and
    /// trades that reduce risk.
    /// @param cash The account's cash, USD WAD (negative: debt).
    /// @param holdings Its collateral, each asset at most once.
    /// @param positions Its open positions, each market at most once.
    /// @return equity Maintenance equity, USD WAD.
    /// @return requirement Maintenance requirement, USD WAD.
    function maintenanceFigures(int256 cash, Holding[] calldata holdings, Position[] calldata positions)
        external
        view
        returns (int256 equity, uint256 requirement);

    /// @notice `figures` plus delta and vega per underlying.
    /// @param cash The account's cash, USD WAD (negative: debt).
    /// @param holdings Its collateral, each asset at most once.
    /// @param positions Its open positions, each market at most once.
    /// @return out The figures, and the delta and vega of each underlying the account is exposed
    /// to, in the order first met in `holdings` then `positions`.
    function risk(int256 cash, Holding[] calldata holdings, Position[] calldata positions)
        external
        view
        returns (Risk memory out);

    /// @notice Model value of one unit of a market: the spot for a perp, the Black-Scholes premium
    /// for a live option, the payoff of an expired one.
    /// @param marketId The market's id.
    /// @return USD WAD per unit of the underlying.
    function markPrice(uint16 marketId) external view returns (uint256);

    /// @notice The mark and the band around it a venue's trade price must fall in. Expired
    /// options cannot be traded (`MarketExpired`).
    /// @param marketId The market's id.
    /// @return mark The market's mark, USD WAD (as `markPrice`).
    /// @return band Farthest a trade price may be from `mark`, USD WAD.
    function tradeBand(uint16 marketId) external view returns (uint256 mark, uint256 band);

    /// @notice An expired option's settlement payoff per unit, at the price `fixSettlementPrice`
    /// fixed; reverts with `SettlementPriceNotFixed` until it is.
    /// @param marketId The option market's id.
    /// @return payoffPerUnit USD WAD per unit of the underlying.
    function settle(uint16 marketId) external view returns (uint256 payoffPerUnit);

    /// @notice How much of an unhealthy account's debt a liquidator may repay and how much of
    /// asset `assetId` it receives for it.
    /// @dev Repaying R of debt and seizing R * (1 + bonus) of collateral raises maintenance equity
    /// by R * k with k = 1 - (1 + bonus) * (1 - maintenance haircut). When k > 0 the repayment is
    /// cut to what lifts health to the target; it is always cut to the close factor of the debt
    /// (all of it below `fullCloseHealth`) and to what the held collateral can pay for.
    /// @param equity The account's maintenance equity (from `maintenanceFigures`), USD WAD.
    /// @param requirement Its maintenance requirement (from `maintenanceFigures`), USD WAD.
    /// @param debt Its negative cash as a positive USD WAD amount.
    /// @param assetId The collateral asset to seize.
    /// @param held Its units of the asset.
    /// @param maxRepay The most the liquidator offers, USD WAD.
    /// @param step The USD WAD of one settlement token unit: repay is a whole number of steps.
    /// @return repay USD WAD to repay (a multiple of `step`).
    /// @return seized Asset units to pay out.
    function liquidationAmounts(
        int256 equity,
        uint256 requirement,
        uint256 debt,
        uint16 assetId,
        uint256 held,
        uint256 maxRepay,
        uint256 step
    ) external view returns (uint256 repay, uint256 seized);
}
