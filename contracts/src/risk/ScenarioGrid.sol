// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SIGNED_WAD as WAD} from "../libraries/FixedPoint.sol";
import {FixedPointMathLib} from "solady/utils/FixedPointMathLib.sol";
import {OptionMath} from "./OptionMath.sol";
import {PortfolioMargin} from "./PortfolioMargin.sol";

/// @notice The scenario grids of the portfolio margin (docs/risk-model.md section 6): the largest
/// loss of everything exposed to one underlying over the maintenance grid and the initial grid.
/// Each grid: seven spot steps (0, +-1/3, +-2/3, +-1 of its range), each with volatility shifted
/// down and up, and two extreme moves at partial cover with volatility unchanged.
/// @dev The figures are those of valuing every scenario afresh, as `sdk/src/risk/portfolioMargin.ts`
/// does; this library only skips work whose result it already has:
/// - a (spot, volatility) pair both grids contain is priced once (with the default multiples, the
///   initial grid's steps 0 and +-1/3 are the maintenance grid's 0 and +-2/3);
/// - each option's expiry terms are worked out once, and each spot's log-moneyness once for both
///   volatility shifts;
/// - an underlying with no option, whose every holding moves the same way with spot, is valued
///   only at the step furthest against it (its loss is monotonic in spot, and both volatility
///   shifts value it the same) and at the two extremes.
library ScenarioGrid {
    /// @dev Spots per grid: seven steps, then the two extremes (down, up).
    uint256 internal constant GRID_SPOTS = 9;
    uint256 internal constant STEPS = 7;
    /// @dev Volatility states: shifted down and up (the steps), unchanged (the extremes).
    uint256 internal constant VOL_DOWN = 0;
    uint256 internal constant VOL_UP = 1;
    uint256 internal constant VOL_BASE = 2;
    uint256 internal constant VOL_STATES = 3;

    /// @dev A position on the underlying, with the pricing terms no scenario moves.
    struct Leg {
        uint8 kind;
        int256 size;
        int256 strike;
        int256 timeYears;
        int256 discountedStrike;
        int256 sqrtT;
        /// @dev Per volatility state: sigma * sqrt(t), and the drift of d1 when `eagerDrift`.
        int256[VOL_STATES] sigmaSqrtT;
        int256[VOL_STATES] drift;
        /// @dev The drift is worked out up front only when pricing at the current spot needs it
        /// anyway, so an input that overflows reverts exactly when pricing afresh would.
        bool eagerDrift;
    }

    /// @dev One underlying's scenario inputs, gathered once for both grids.
    struct Exposure {
        PortfolioMargin.Underlying und;
        /// @dev The collateral lines on the underlying.
        PortfolioMargin.Collateral[] lines;
        Leg[] legs;
        bool options;
        /// @dev What the positions are worth at the current spot and volatility.
        int256 basePositions;
        /// @dev Both grids' spots: maintenance at [0, 9), initial at [9, 18).
        int256[] spots;
        int256[VOL_STATES] vols;
        /// @dev With options: the positions' value at [spot * 3 + state] for the states a spot uses.
        int256[] values;
    }

    /// @notice The largest loss of the maintenance grid and, with `withInitial`, of the initial
    /// grid, of everything exposed to underlying `k` (`u`, `c` and `p` as `PortfolioMargin.compute`
    /// takes them; `basePositions` is what `k`'s positions are worth now).
    function worstLosses(
        PortfolioMargin.Underlying memory und,
        uint256 k,
        PortfolioMargin.Collateral[] memory c,
        PortfolioMargin.Position[] memory p,
        int256 basePositions,
        bool withInitial
    ) internal pure returns (int256 worstM, int256 worstI) {
        Exposure memory x;
        x.und = und;
        x.basePositions = basePositions;
        x.lines = _lines(c, k);
        x.spots = new int256[]((withInitial ? 2 : 1) * GRID_SPOTS);
        PortfolioMargin.RiskParams memory rp = und.params;
        _gridSpots(und.spot, rp.scanRange, rp.extremeMultiple, x.spots, 0);
        if (withInitial) {
            _gridSpots(und.spot, rp.scanRange * rp.initialMultiple / WAD, rp.extremeMultiple, x.spots, 1);
        }
        for (uint256 v; v < 2; ++v) {
            // forge-lint: disable-next-line(unsafe-typecast) v < 2
            int256 vol = und.vol + und.vol * rp.volShift * (int256(v) * 2 - 1) / WAD;
            x.vols[v] = vol < 0 ? int256(0) : vol;
        }
        x.vols[VOL_BASE] = und.vol;
        _legs(x, p, k);
        if (x.options) _priceOptions(x);
        worstM = _worst(x, 0);
        if (withInitial) worstI = _worst(x, 1);
    }

    /// @dev The spots of grid `g` into `spots[g * 9 ...]`: the seven steps from -range to +range,
    /// then the two extremes.
    function _gridSpots(int256 spot, int256 range, int256 extremeMultiple, int256[] memory spots, uint256 g)
        private
        pure
    {
        uint256 at = g * GRID_SPOTS;
        for (int256 step = -3; step <= 3; ++step) {
            spots[at++] = PortfolioMargin.shiftedSpot(spot, range * step / 3);
        }
        int256 extreme = range * extremeMultiple / WAD;
        spots[at++] = PortfolioMargin.shiftedSpot(spot, extreme * -1);
        spots[at] = PortfolioMargin.shiftedSpot(spot, extreme);
    }

    /// @dev The largest loss of grid `g` (0 maintenance, 1 initial).
    function _worst(Exposure memory x, uint256 g) private pure returns (int256 worst) {
        bool initial = g == 1;
        int256 base = _heldValue(x.lines, x.und.spot, initial) + x.basePositions;
        uint256 first = g * GRID_SPOTS;
        (uint256 from, uint256 to) = (first, first + STEPS);
        if (!x.options) {
            int256 direction = _direction(x, initial);
            if (direction != 0) {
                // The steps' spots run monotonically from the first to the last: the worst step
                // is the end whose spot is lowest (value rising with spot) or highest.
                bool firstIsLowest = x.spots[first] <= x.spots[first + STEPS - 1];
                from = (direction > 0) == firstIsLowest ? first : first + STEPS - 1;
                to = from + 1;
            }
        }
        for (uint256 i = from; i < to; ++i) {
            int256 held = _heldValue(x.lines, x.spots[i], initial);
            worst = PortfolioMargin.max(worst, base - (held + _positionsAt(x, i, VOL_DOWN)));
            // Without options both shifts value the positions the same.
            if (x.options) worst = PortfolioMargin.max(worst, base - (held + _positionsAt(x, i, VOL_UP)));
        }
        for (uint256 i = first + STEPS; i < first + GRID_SPOTS; ++i) {
            int256 loss = base - (_heldValue(x.lines, x.spots[i], initial) + _positionsAt(x, i, VOL_BASE));
            if (loss > 0) {
                worst = PortfolioMargin.max(worst, PortfolioMargin.mulWadUp(loss, x.und.params.extremeCover));
            }
        }
    }

    /// @dev +1 when every holding's value rises or stays with spot, -1 when every one falls or
    /// stays, 0 when they differ (a hedge): then every step is valued.
    function _direction(Exposure memory x, bool initial) private pure returns (int256) {
        bool rises;
        bool falls;
        for (uint256 i; i < x.lines.length; ++i) {
            PortfolioMargin.Collateral memory line = x.lines[i];
            int256 kept = WAD - (initial ? line.initialHaircut : line.maintenanceHaircut);
            if (line.amount == 0 || kept == 0) continue;
            if ((line.amount > 0) == (kept > 0)) rises = true;
            else falls = true;
        }
        for (uint256 l; l < x.legs.length; ++l) {
            if (x.legs[l].size > 0) rises = true;
            else if (x.legs[l].size < 0) falls = true;
        }
        if (rises && falls) return 0;
        return falls ? -1 : int256(1);
    }

    /// @dev The collateral lines on underlying `k`.
    function _lines(PortfolioMargin.Collateral[] memory c, uint256 k)
        private
        pure
        returns (PortfolioMargin.Collateral[] memory lines)
    {
        lines = new PortfolioMargin.Collateral[](c.length);
        uint256 n;
        for (uint256 i; i < c.length; ++i) {
            if (c[i].underlying == k) lines[n++] = c[i];
        }
        assembly ("memory-safe") {
            mstore(lines, n)
        }
    }

    /// @dev Value of the lines at `spot` after the grid's haircut.
    function _heldValue(PortfolioMargin.Collateral[] memory lines, int256 spot, bool initial)
        private
        pure
        returns (int256 v)
    {
        for (uint256 i; i < lines.length; ++i) {
            PortfolioMargin.Collateral memory line = lines[i];
            v += PortfolioMargin.collateralValue(line, spot, initial ? line.initialHaircut : line.maintenanceHaircut);
        }
    }

    /// @dev The positions' value at scenario spot `i` and volatility state `v`.
    function _positionsAt(Exposure memory x, uint256 i, uint256 v) private pure returns (int256 value) {
        if (x.options) return x.values[i * VOL_STATES + v];
        for (uint256 l; l < x.legs.length; ++l) {
            value += PortfolioMargin.mulWadDown(x.legs[l].size, x.spots[i]);
        }
    }

    /// @dev The positions on underlying `k`, with their expiry terms (rate 0, as every scenario).
    function _legs(Exposure memory x, PortfolioMargin.Position[] memory p, uint256 k) private pure {
        Leg[] memory legs = new Leg[](p.length);
        uint256 n;
        for (uint256 i; i < p.length; ++i) {
            if (p[i].underlying != k) continue;
            Leg memory leg = legs[n++];
            (leg.kind, leg.size, leg.strike, leg.timeYears) = (p[i].kind, p[i].size, p[i].strike, p[i].timeYears);
            if (leg.kind == PortfolioMargin.PERP) continue;
            x.options = true;
            (leg.discountedStrike, leg.sqrtT) = OptionMath.expiryTerms(leg.strike, leg.timeYears, 0);
            // Pricing at the current spot (the base, and step 0 of each grid) works out the drift
            // for every state with sigma * sqrt(t) > 0 whenever the moneyness there is not 0.
            leg.eagerDrift = OptionMath.divWad(x.und.spot, leg.strike) != 0;
            for (uint256 v; v < VOL_STATES; ++v) {
                leg.sigmaSqrtT[v] = OptionMath.mulWad(x.vols[v], leg.sqrtT);
                if (leg.eagerDrift && leg.sigmaSqrtT[v] != 0) {
                    leg.drift[v] = OptionMath.drift(x.vols[v], leg.timeYears, 0);
                }
            }
        }
        assembly ("memory-safe") {
            mstore(legs, n)
        }
        x.legs = legs;
    }

    /// @dev Prices the legs at every scenario spot, at the states the scenario uses (both shifts
    /// for a step, the current volatility for an extreme). A spot an earlier scenario of the same
    /// kind already priced is copied.
    function _priceOptions(Exposure memory x) private pure {
        x.values = new int256[](x.spots.length * VOL_STATES);
        for (uint256 i; i < x.spots.length; ++i) {
            (uint256 from, uint256 to) = i % GRID_SPOTS < STEPS ? (VOL_DOWN, VOL_UP + 1) : (VOL_BASE, VOL_BASE + 1);
            uint256 twin = _pricedTwin(x.spots, i);
            if (twin != i) {
                for (uint256 v = from; v < to; ++v) {
                    x.values[i * VOL_STATES + v] = x.values[twin * VOL_STATES + v];
                }
                continue;
            }
            for (uint256 l; l < x.legs.length; ++l) {
                _addLegValue(x, x.legs[l], i, from, to);
            }
        }
    }

    /// @dev An earlier scenario of the same kind (step or extreme) at the same spot, or `i`.
    function _pricedTwin(int256[] memory spots, uint256 i) private pure returns (uint256) {
        bool step = i % GRID_SPOTS < STEPS;
        for (uint256 j; j < i; ++j) {
            if (spots[j] == spots[i] && (j % GRID_SPOTS < STEPS) == step) return j;
        }
        return i;
    }

    /// @dev One option leg's mark at `spot` in volatility state `v` (`vol`).
    function _optionMark(Leg memory leg, int256 spot, int256 moneyness, int256 lnMoneyness, int256 vol, uint256 v)
        private
        pure
        returns (int256)
    {
        int256 sigmaSqrtT = leg.sigmaSqrtT[v];
        int256 drift = leg.eagerDrift || sigmaSqrtT == 0 || moneyness == 0
            ? leg.drift[v]
            : OptionMath.drift(vol, leg.timeYears, 0);
        int256 unitPrice = OptionMath.premiumFromTerms(
            spot, leg.discountedStrike, moneyness, lnMoneyness, sigmaSqrtT, drift, leg.kind == PortfolioMargin.CALL
        );
        return PortfolioMargin.mulWadDown(leg.size, unitPrice);
    }

    /// @dev Adds one leg's mark (size times unit price, rounded toward minus infinity) at spot `i`
    /// to the values of the states in [from, to).
    function _addLegValue(Exposure memory x, Leg memory leg, uint256 i, uint256 from, uint256 to) private pure {
        int256 spot = x.spots[i];
        if (leg.kind == PortfolioMargin.PERP) {
            int256 mark = PortfolioMargin.mulWadDown(leg.size, spot);
            for (uint256 v = from; v < to; ++v) {
                x.values[i * VOL_STATES + v] += mark;
            }
            return;
        }
        int256 moneyness = OptionMath.divWad(spot, leg.strike);
        int256 lnMoneyness = moneyness != 0 && leg.sqrtT != 0 ? FixedPointMathLib.lnWad(moneyness) : int256(0);
        for (uint256 v = from; v < to; ++v) {
            x.values[i * VOL_STATES + v] += _optionMark(leg, spot, moneyness, lnMoneyness, x.vols[v], v);
        }
    }
}
