// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SIGNED_WAD as WAD} from "../libraries/FixedPoint.sol";
import {OptionMath} from "./OptionMath.sol";
import {ScenarioGrid} from "./ScenarioGrid.sol";

/// @notice SPAN-style portfolio margin (docs/risk-model.md section 6): per underlying, the worst
/// loss over a grid of spot and volatility scenarios of everything exposed to it (collateral,
/// perps, European options), with a short-option minimum; initial margin on a wider grid; a
/// credit for opposite exposures on correlated pairs of underlyings.
/// `sdk/src/risk/portfolioMargin.ts` gives the same figures to the wei: the same integer
/// operations per scenario, while `ScenarioGrid` here skips scenarios whose value it already has.
/// @dev Pure, so the hub, tests and the TypeScript model can feed it the same inputs and compare
/// outputs. All quantities are int256 WAD (see the spec for units); the only loops are over the
/// account's own holdings and positions, which the hub bounds.
library PortfolioMargin {
    uint8 internal constant PERP = 0;
    uint8 internal constant CALL = 1;
    uint8 internal constant PUT = 2;

    struct RiskParams {
        /// @dev Largest spot move of the maintenance grid, as a share of spot.
        int256 scanRange;
        /// @dev Volatility move, as a share of volatility, paired with every spot step.
        int256 volShift;
        /// @dev Extreme move as a multiple of the scan range, charged at `extremeCover`.
        int256 extremeMultiple;
        int256 extremeCover;
        /// @dev Initial grid = maintenance grid times this (>= 1).
        int256 initialMultiple;
        /// @dev Least charge per unit of short option, as a share of spot.
        int256 shortOptionMinimum;
    }

    struct Underlying {
        int256 spot;
        /// @dev Implied volatility from the underlying's volatility oracle (0 if it has none).
        int256 vol;
        RiskParams params;
    }

    struct Collateral {
        uint256 underlying;
        int256 amount;
        uint8 decimals;
        int256 initialHaircut;
        int256 maintenanceHaircut;
    }

    struct Position {
        uint256 underlying;
        uint8 kind;
        int256 size;
        int256 strike;
        int256 timeYears;
    }

    /// @dev Credit `credit` of the smaller requirement of `a` and `b` when the account's exposures to
    /// them point in opposite directions (long one, short the other).
    struct PairOffset {
        uint256 a;
        uint256 b;
        int256 credit;
    }

    struct Result {
        int256 initialEquity;
        int256 maintenanceEquity;
        int256 initialRequirement;
        int256 maintenanceRequirement;
        /// @dev Per underlying: units of exposure (collateral + perps + option deltas), WAD.
        int256[] delta;
        /// @dev Per underlying: USD per 1.0 of volatility, WAD.
        int256[] vega;
    }

    error UnknownUnderlying(uint256 index);
    error UnknownKind(uint8 kind);

    function compute(
        int256 cash,
        Underlying[] memory u,
        Collateral[] memory c,
        Position[] memory p,
        PairOffset[] memory offsets
    ) internal pure returns (Result memory r) {
        return _compute(cash, u, c, p, offsets, true);
    }

    /// @notice `compute` without the initial grid: the maintenance figures, delta and vega only
    /// (initial equity and requirement are left 0). Same numbers as `compute` for what it returns,
    /// at about half the cost: liquidation checks and risk-reducing trades need nothing more.
    function computeMaintenance(
        int256 cash,
        Underlying[] memory u,
        Collateral[] memory c,
        Position[] memory p,
        PairOffset[] memory offsets
    ) internal pure returns (Result memory r) {
        return _compute(cash, u, c, p, offsets, false);
    }

    function _compute(
        int256 cash,
        Underlying[] memory u,
        Collateral[] memory c,
        Position[] memory p,
        PairOffset[] memory offsets,
        bool withInitial
    ) private pure returns (Result memory r) {
        if (withInitial) r.initialEquity = cash;
        r.maintenanceEquity = cash;
        r.delta = new int256[](u.length);
        r.vega = new int256[](u.length);
        // What each underlying's positions are worth now: every scenario's loss is measured from it.
        int256[] memory basePositions = new int256[](u.length);
        for (uint256 i; i < c.length; ++i) {
            if (c[i].underlying >= u.length) revert UnknownUnderlying(c[i].underlying);
            int256 spot = u[c[i].underlying].spot;
            if (withInitial) r.initialEquity += collateralValue(c[i], spot, c[i].initialHaircut);
            r.maintenanceEquity += collateralValue(c[i], spot, c[i].maintenanceHaircut);
            r.delta[c[i].underlying] += c[i].amount * WAD / int256(10 ** c[i].decimals);
        }
        for (uint256 i; i < p.length; ++i) {
            if (p[i].underlying >= u.length) revert UnknownUnderlying(p[i].underlying);
            Underlying memory und = u[p[i].underlying];
            (int256 value, int256 delta, int256 vega) = positionValue(p[i], und.spot, und.vol);
            if (withInitial) r.initialEquity += value;
            r.maintenanceEquity += value;
            basePositions[p[i].underlying] += value;
            r.delta[p[i].underlying] += delta;
            r.vega[p[i].underlying] += vega;
        }
        // Nothing owed and nothing open: no move can make the account owe the protocol anything.
        if (p.length == 0 && cash >= 0) return r;
        int256[] memory reqM = new int256[](u.length);
        int256[] memory reqI = new int256[](withInitial ? u.length : 0);
        for (uint256 k; k < u.length; ++k) {
            int256 shortMin = shortOptionCharge(p, k, u[k].spot, u[k].params.shortOptionMinimum);
            (int256 worstM, int256 worstI) = ScenarioGrid.worstLosses(u[k], k, c, p, basePositions[k], withInitial);
            reqM[k] = max(worstM, shortMin);
            // At least the maintenance figure: the initial grid is wider but coarser, and opening
            // risk must never leave an account liquidatable.
            if (withInitial) reqI[k] = max(max(worstI, shortMin), reqM[k]);
        }
        r.maintenanceRequirement = afterOffsets(reqM, r.delta, offsets);
        if (withInitial) r.initialRequirement = afterOffsets(reqI, r.delta, offsets);
    }

    /// @return value size times the unit price (the spot for a perp, the Black-Scholes premium for
    /// an option), rounded toward minus infinity, @return delta units and @return vega USD of one
    /// position.
    function positionValue(Position memory pos, int256 spot, int256 vol)
        internal
        pure
        returns (int256 value, int256 delta, int256 vega)
    {
        int256 unitPrice = spot;
        if (pos.kind == PERP) {
            delta = pos.size;
        } else {
            if (pos.kind != CALL && pos.kind != PUT) revert UnknownKind(pos.kind);
            OptionMath.Greeks memory g =
                OptionMath.blackScholes(spot, pos.strike, vol, pos.timeYears, 0, pos.kind == CALL);
            unitPrice = g.price;
            delta = pos.size * g.delta / WAD;
            vega = pos.size * g.vega / WAD;
        }
        value = mulWadDown(pos.size, unitPrice);
    }

    /// @dev amount * spot / 10^decimals * (1 - haircut), each step rounded down (amounts are >= 0).
    function collateralValue(Collateral memory col, int256 spot, int256 haircut) internal pure returns (int256) {
        return col.amount * spot / int256(10 ** col.decimals) * (WAD - haircut) / WAD;
    }

    function shortOptionCharge(Position[] memory p, uint256 k, int256 spot, int256 minimum)
        internal
        pure
        returns (int256 charge)
    {
        for (uint256 i; i < p.length; ++i) {
            if (p[i].underlying == k && p[i].kind != PERP && p[i].size < 0) {
                charge += mulWadUp(mulWadUp(-p[i].size, spot), minimum);
            }
        }
    }

    /// @notice Sum of the per-underlying requirements less pair credits, never below the largest.
    /// @dev Each pair consumes the requirement it offsets, so one unit of risk earns one credit.
    function afterOffsets(int256[] memory req, int256[] memory delta, PairOffset[] memory offsets)
        internal
        pure
        returns (int256 total)
    {
        int256 largest;
        for (uint256 k; k < req.length; ++k) {
            total += req[k];
            largest = max(largest, req[k]);
        }
        for (uint256 i; i < offsets.length; ++i) {
            (uint256 a, uint256 b) = (offsets[i].a, offsets[i].b);
            if (a >= req.length || b >= req.length || a == b) revert UnknownUnderlying(a >= req.length ? a : b);
            if ((delta[a] > 0 && delta[b] < 0) || (delta[a] < 0 && delta[b] > 0)) {
                int256 matched = req[a] < req[b] ? req[a] : req[b];
                req[a] -= matched;
                req[b] -= matched;
                total -= matched * offsets[i].credit / WAD;
            }
        }
        total = max(total, largest);
    }

    /// @dev spot * (1 + move), never below 1 wei (a -100% move is a price of ~0, not a negative one).
    function shiftedSpot(int256 spot, int256 move) internal pure returns (int256 s) {
        s = spot + spot * move / WAD;
        if (s < 1) s = 1;
    }

    /// @dev a * b / WAD rounded toward minus infinity (a short's liability rounds up).
    function mulWadDown(int256 a, int256 b) internal pure returns (int256 q) {
        int256 prod = a * b;
        q = prod / WAD;
        if (prod < 0 && q * WAD != prod) q -= 1;
    }

    /// @dev a * b / WAD rounded up, for non-negative a and b (a charge rounds against the account).
    function mulWadUp(int256 a, int256 b) internal pure returns (int256 q) {
        int256 prod = a * b;
        q = prod / WAD;
        if (q * WAD != prod) q += 1;
    }

    function max(int256 a, int256 b) internal pure returns (int256) {
        return a > b ? a : b;
    }
}
