// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SIGNED_WAD as WAD} from "../libraries/FixedPoint.sol";
import {FixedPointMathLib} from "solady/utils/FixedPointMathLib.sol";

/// @notice Option pricing in WAD fixed point: the normal distribution and Black-Scholes for
/// European calls and puts, with delta and vega. `sdk/src/risk/optionMath.ts` performs the same
/// integer operations in the same order, so both return the same value to the wei; the shared
/// vectors in contracts/test/vectors prove it.
///
/// Units: prices in USD WAD, volatility and rate as WAD fractions per year (0.8e18 = 80%), time
/// in WAD years. Signed products and quotients truncate toward zero, as Solidity does.
library OptionMath {
    // Abramowitz & Stegun 26.2.17 (|error| < 7.5e-8): N(x) = 1 - pdf(x) * t * poly(t), t = 1 / (1 + p x).
    int256 internal constant P = 231641900000000000;
    int256 internal constant B1 = 319381530000000000;
    int256 internal constant B2 = -356563782000000000;
    int256 internal constant B3 = 1781477937000000000;
    int256 internal constant B4 = -1821255978000000000;
    int256 internal constant B5 = 1330274429000000000;
    /// @dev 1 / sqrt(2 pi)
    int256 internal constant INV_SQRT_2PI = 398942280401432678;

    error InvalidOptionInput();

    function mulWad(int256 a, int256 b) internal pure returns (int256) {
        return a * b / WAD;
    }

    function divWad(int256 a, int256 b) internal pure returns (int256) {
        return a * WAD / b;
    }

    /// @notice Standard normal density at x.
    function normPdf(int256 x) internal pure returns (int256) {
        return mulWad(FixedPointMathLib.expWad(-mulWad(x, x) / 2), INV_SQRT_2PI);
    }

    /// @notice Standard normal cumulative distribution at x, in [0, WAD].
    function normCdf(int256 x) internal pure returns (int256) {
        if (x < 0) return WAD - normCdf(-x);
        int256 t = divWad(WAD, WAD + mulWad(P, x));
        int256 poly = mulWad(t, B1 + mulWad(t, B2 + mulWad(t, B3 + mulWad(t, B4 + mulWad(t, B5)))));
        int256 n = WAD - mulWad(normPdf(x), poly);
        return n < 0 ? int256(0) : n;
    }

    struct Greeks {
        int256 price;
        /// @dev dPrice/dSpot, WAD (calls 0..1, puts -1..0)
        int256 delta;
        /// @dev dPrice/dVol for a 1.0 (100 point) change in volatility, USD WAD
        int256 vega;
    }

    /// @notice Black-Scholes price, delta and vega of a European option on one unit of underlying.
    /// At expiry, at zero volatility, or when spot / strike is below 1e-18 (a spot shocked to dust),
    /// the price is the intrinsic value against the discounted strike.
    function blackScholes(int256 spot, int256 strike, int256 vol, int256 timeYears, int256 rate, bool isCall)
        internal
        pure
        returns (Greeks memory g)
    {
        (int256 discountedStrike, int256 sqrtT, int256 d1, int256 d2, bool intrinsicOnly) =
            _terms(spot, strike, vol, timeYears, rate);
        if (intrinsicOnly) {
            g.price = _intrinsic(spot, discountedStrike, isCall);
            g.delta = g.price > 0 ? (isCall ? WAD : -WAD) : int256(0);
            return g;
        }
        int256 callDelta;
        (g.price, callDelta) = _premium(spot, discountedStrike, d1, d2, isCall);
        g.delta = isCall ? callDelta : normCdf(d1) - WAD;
        g.vega = mulWad(mulWad(spot, normPdf(d1)), sqrtT);
    }

    /// @notice `blackScholes(...).price` without the greeks (same operations, same figure), for
    /// callers that only value the option, such as every scenario of the margin grid.
    function price(int256 spot, int256 strike, int256 vol, int256 timeYears, int256 rate, bool isCall)
        internal
        pure
        returns (int256 p)
    {
        (int256 discountedStrike,, int256 d1, int256 d2, bool intrinsicOnly) =
            _terms(spot, strike, vol, timeYears, rate);
        if (intrinsicOnly) return _intrinsic(spot, discountedStrike, isCall);
        (p,) = _premium(spot, discountedStrike, d1, d2, isCall);
    }

    /// @dev What the price and the greeks share: the discounted strike, sqrt(t), d1 and d2.
    /// `intrinsicOnly` when sigma * sqrt(t) or spot / strike is 0 (d1 and d2 are then left 0).
    function _terms(int256 spot, int256 strike, int256 vol, int256 timeYears, int256 rate)
        private
        pure
        returns (int256 discountedStrike, int256 sqrtT, int256 d1, int256 d2, bool intrinsicOnly)
    {
        if (spot <= 0 || strike <= 0 || vol < 0 || timeYears < 0 || rate < 0) revert InvalidOptionInput();
        discountedStrike = mulWad(strike, FixedPointMathLib.expWad(-mulWad(rate, timeYears)));
        // forge-lint: disable-next-line(unsafe-typecast) timeYears >= 0 (checked); its root is smaller
        sqrtT = int256(FixedPointMathLib.sqrtWad(uint256(timeYears)));
        int256 sigmaSqrtT = mulWad(vol, sqrtT);
        int256 moneyness = divWad(spot, strike);
        if (sigmaSqrtT == 0 || moneyness == 0) return (discountedStrike, sqrtT, 0, 0, true);
        d1 = divWad(FixedPointMathLib.lnWad(moneyness) + mulWad(rate + mulWad(vol, vol) / 2, timeYears), sigmaSqrtT);
        d2 = d1 - sigmaSqrtT;
    }

    /// @dev Intrinsic value against the discounted strike, floored at 0.
    function _intrinsic(int256 spot, int256 discountedStrike, bool isCall) private pure returns (int256) {
        int256 intrinsic = isCall ? spot - discountedStrike : discountedStrike - spot;
        return intrinsic > 0 ? intrinsic : int256(0);
    }

    /// @dev The Black-Scholes premium, floored at 0, and for a call N(d1), its delta (0 for a put,
    /// whose delta N(d1) - 1 the premium does not need).
    function _premium(int256 spot, int256 discountedStrike, int256 d1, int256 d2, bool isCall)
        private
        pure
        returns (int256 p, int256 callDelta)
    {
        if (isCall) {
            callDelta = normCdf(d1);
            p = mulWad(spot, callDelta) - mulWad(discountedStrike, normCdf(d2));
        } else {
            p = mulWad(discountedStrike, normCdf(-d2)) - mulWad(spot, normCdf(-d1));
        }
        if (p < 0) p = 0;
    }
}
