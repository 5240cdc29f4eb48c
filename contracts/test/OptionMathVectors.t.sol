// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {OptionMath} from "../src/risk/OptionMath.sol";
import {FixedPointMathLib} from "solady/utils/FixedPointMathLib.sol";
import {OptionMathHarness} from "./harness/OptionMathHarness.sol";

/// @notice The Solidity option maths equals the TypeScript model to the wei on every shared vector
/// (written by sdk/vectors/optionMathVectors.ts), and agrees with textbook values.
contract OptionMathVectorsTest is Test {
    struct OptionVector {
        int256 spot;
        int256 strike;
        int256 vol;
        int256 timeYears;
        int256 rate;
        bool isCall;
        int256 price;
        int256 delta;
        int256 vega;
    }

    struct CdfVector {
        int256 x;
        int256 n;
    }

    function test_sharedVectorsMatchTypeScriptExactly() public view {
        bytes memory data = vm.parseBytes(vm.trim(vm.readFile("contracts/test/vectors/option-math.hex")));
        (OptionVector[] memory options, CdfVector[] memory cdf) = abi.decode(data, (OptionVector[], CdfVector[]));
        assertEq(options.length, 1000);
        assertEq(cdf.length, 400);
        for (uint256 i; i < options.length; ++i) {
            OptionVector memory v = options[i];
            OptionMath.Greeks memory g = OptionMath.blackScholes(v.spot, v.strike, v.vol, v.timeYears, v.rate, v.isCall);
            assertEq(g.price, v.price, string.concat("price, vector ", vm.toString(i)));
            assertEq(g.delta, v.delta, string.concat("delta, vector ", vm.toString(i)));
            assertEq(g.vega, v.vega, string.concat("vega, vector ", vm.toString(i)));
        }
        for (uint256 i; i < cdf.length; ++i) {
            assertEq(OptionMath.normCdf(cdf[i].x), cdf[i].n, string.concat("normCdf, vector ", vm.toString(i)));
        }
    }

    /// @dev Hull, Options, Futures and Other Derivatives, example 15.6: S 42, K 40, r 10%, vol 20%,
    /// T 0.5 gives c = 4.76, p = 0.81, N(d1) = 0.7791.
    function test_textbookBlackScholes() public pure {
        OptionMath.Greeks memory c = OptionMath.blackScholes(42e18, 40e18, 0.2e18, 0.5e18, 0.1e18, true);
        OptionMath.Greeks memory p = OptionMath.blackScholes(42e18, 40e18, 0.2e18, 0.5e18, 0.1e18, false);
        assertApproxEqAbs(c.price, 4.7594e18, 0.0001e18);
        assertApproxEqAbs(p.price, 0.8086e18, 0.0001e18);
        assertApproxEqAbs(c.delta, 0.7791e18, 0.0001e18);
        assertApproxEqAbs(p.delta, -0.2209e18, 0.0001e18);
    }

    /// @dev Put-call parity, C - P = S - K e^(-rT), holds to within a few wei at any input.
    function testFuzz_putCallParity(uint64 spotSeed, uint64 strikeSeed, uint64 volSeed, uint64 tSeed, uint64 rSeed)
        public
        pure
    {
        int256 spot = int256(bound(spotSeed, 1e18, 1e24));
        // forge-lint: disable-next-line(unsafe-typecast) spot is a bounded positive price
        int256 strike = int256(bound(strikeSeed, uint256(spot) / 5, uint256(spot) * 5));
        int256 vol = int256(bound(volSeed, 0.05e18, 3e18));
        int256 t = int256(bound(tSeed, 0, 3e18));
        int256 r = int256(bound(rSeed, 0, 0.2e18));
        OptionMath.Greeks memory c = OptionMath.blackScholes(spot, strike, vol, t, r, true);
        OptionMath.Greeks memory p = OptionMath.blackScholes(spot, strike, vol, t, r, false);
        int256 forward = spot - OptionMath.mulWad(strike, FixedPointMathLib.expWad(-OptionMath.mulWad(r, t)));
        // N(x) is accurate to 7.5e-8, so parity holds to that share of the spot.
        // forge-lint: disable-next-line(unsafe-typecast) spot is a bounded positive price
        assertApproxEqAbs(c.price - p.price, forward, uint256(spot) / 1e7 + 10);
        if (c.price == 0 && p.price == 0) {
            // At the money at expiry (no time value, no intrinsic): delta is undefined; both are 0.
            assertEq(c.delta, 0);
            assertEq(p.delta, 0);
        } else {
            assertApproxEqAbs(c.delta - p.delta, 1e18, 2);
        }
    }

    /// @dev Gas of one evaluation (price, delta and vega), recorded in snapshots/option-math.json.
    function test_gas_blackScholes() public {
        OptionMathHarness h = new OptionMathHarness();
        h.blackScholes(3000e18, 3300e18, 0.8e18, 0.25e18, 0, true);
        vm.snapshotGasLastCall("option-math", "blackScholes call (price, delta, vega)");
        h.normCdf(1.5e18);
        vm.snapshotGasLastCall("option-math", "normCdf");
    }

    function test_normalCdfKnownValues() public pure {
        assertApproxEqAbs(OptionMath.normCdf(0), 0.5e18, 1e9);
        assertApproxEqAbs(OptionMath.normCdf(1.96e18), 0.9750021e18, 1e11);
        assertApproxEqAbs(OptionMath.normCdf(-1e18), 0.1586553e18, 1e11);
        assertEq(OptionMath.normCdf(-50e18), 0);
        assertEq(OptionMath.normCdf(50e18), 1e18);
    }
}
