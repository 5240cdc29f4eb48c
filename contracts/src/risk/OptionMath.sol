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
    /// @dev The operations of `WAD - mulWad(normPdf(x), poly(t))` with t = divWad(WAD, WAD +
    /// mulWad(P, x)), in that order and with the same truncation. Only P * x and x * x can overflow
    /// (for an absurd x), so they stay checked; for x >= 0, t is in (0, WAD] and every later product
    /// is below 2^128, so the rest runs unchecked: the margin grid calls this a few hundred times.
    function normCdf(int256 x) internal pure returns (int256) {
        if (x < 0) return WAD - normCdf(-x);
        int256 px = P * x;
        int256 xx = x * x;
        int256 e = FixedPointMathLib.expWad(-(xx / WAD) / 2);
        int256 n;
        assembly ("memory-safe") {
            let w := 1000000000000000000
            let t := sdiv(mul(w, w), add(w, sdiv(px, w)))
            let poly := sdiv(mul(t, add(B4, sdiv(mul(t, B5), w))), w)
            poly := sdiv(mul(t, add(B3, poly)), w)
            poly := sdiv(mul(t, add(B2, poly)), w)
            poly := sdiv(mul(t, add(B1, poly)), w)
            n := sub(w, sdiv(mul(sdiv(mul(e, INV_SQRT_2PI), w), poly), w))
            if slt(n, 0) { n := 0 }
        }
        return n;
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
        (discountedStrike, sqrtT) = expiryTerms(strike, timeYears, rate);
        int256 sigmaSqrtT = mulWad(vol, sqrtT);
        int256 moneyness = divWad(spot, strike);
        if (sigmaSqrtT == 0 || moneyness == 0) return (discountedStrike, sqrtT, 0, 0, true);
        d1 = divWad(FixedPointMathLib.lnWad(moneyness) + drift(vol, timeYears, rate), sigmaSqrtT);
        d2 = d1 - sigmaSqrtT;
    }

    /// @notice The terms of an option that no spot or volatility scenario moves: the strike
    /// discounted at `rate` over `timeYears`, and sqrt(timeYears). Inputs as `blackScholes`, checked
    /// by the caller.
    function expiryTerms(int256 strike, int256 timeYears, int256 rate)
        internal
        pure
        returns (int256 discountedStrike, int256 sqrtT)
    {
        discountedStrike = mulWad(strike, FixedPointMathLib.expWad(-mulWad(rate, timeYears)));
        // forge-lint: disable-next-line(unsafe-typecast) timeYears >= 0 (checked); its root is smaller
        sqrtT = int256(FixedPointMathLib.sqrtWad(uint256(timeYears)));
    }

    /// @notice The drift (rate + sigma^2 / 2) * t of d1's numerator.
    function drift(int256 vol, int256 timeYears, int256 rate) internal pure returns (int256) {
        return mulWad(rate + mulWad(vol, vol) / 2, timeYears);
    }

    /// @notice The premium from terms that a caller pricing one option in many scenarios works
    /// out once: `expiryTerms` per option, per volatility sigmaSqrtT = mulWad(vol, sqrtT) and the
    /// `drift`, per spot the moneyness `divWad(spot, strike)` and its `lnWad`. The log-moneyness
    /// and the drift are not read when the moneyness or sigmaSqrtT is 0 (intrinsic value).
    /// Equals `price(spot, strike, vol, timeYears, rate, isCall)` to the wei.
    function premiumFromTerms(
        int256 spot,
        int256 discountedStrike,
        int256 moneyness,
        int256 lnMoneyness,
        int256 sigmaSqrtT,
        int256 driftTerm,
        bool isCall
    ) internal pure returns (int256 p) {
        if (sigmaSqrtT == 0 || moneyness == 0) return _intrinsic(spot, discountedStrike, isCall);
        if (!(_small(spot) && _small(discountedStrike) && _small(driftTerm) && _small(sigmaSqrtT))) {
            int256 d1 = divWad(lnMoneyness + driftTerm, sigmaSqrtT);
            (p,) = _premium(spot, discountedStrike, d1, d1 - sigmaSqrtT, isCall);
            return p;
        }
        // `_premium`'s operations, unchecked: with these four below 2^119 in magnitude (and
        // |lnWad| < 2^68), d1 and d2 stay below 2^182 and every product below 2^181, so nothing
        // can wrap. normCdf keeps its own checks.
        unchecked {
            int256 d1 = (lnMoneyness + driftTerm) * WAD / sigmaSqrtT;
            int256 d2 = d1 - sigmaSqrtT;
            p = isCall
                ? spot * normCdf(d1) / WAD - discountedStrike * normCdf(d2) / WAD
                : discountedStrike * normCdf(-d2) / WAD - spot * normCdf(-d1) / WAD;
        }
        if (p < 0) p = 0;
    }

    /// @dev |x| < 2^119.
    function _small(int256 x) private pure returns (bool) {
        unchecked {
            // forge-lint: disable-next-line(unsafe-typecast) a range check: x + 2^119 in [0, 2^120) iff |x| < 2^119
            return uint256(x + 2 ** 119) < 2 ** 120;
        }
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
