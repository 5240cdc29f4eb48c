// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {PortfolioMargin} from "../src/risk/PortfolioMargin.sol";
import {MarginModel} from "../src/risk/MarginModel.sol";

/// @notice The Solidity portfolio margin equals the TypeScript model to the wei on 2,000 shared
/// random portfolios (written by sdk/vectors/portfolioVectors.ts), and behaves as the spec says
/// on hand-made ones.
contract PortfolioMarginVectorsTest is Test {
    int256 internal constant WAD = 1e18;

    struct Vector {
        int256 cash;
        PortfolioMargin.Underlying[] underlyings;
        PortfolioMargin.Collateral[] collateral;
        PortfolioMargin.Position[] positions;
        PortfolioMargin.PairOffset[] offsets;
        PortfolioMargin.Result result;
    }

    MarginModel internal model;

    function setUp() public {
        model = MarginModel(deployCode("MarginModel.sol:MarginModel"));
    }

    // One test per file so forge checks the four in parallel.
    function test_sharedVectors0() public {
        _checkFile(0);
    }

    function test_sharedVectors1() public {
        _checkFile(1);
    }

    function test_sharedVectors2() public {
        _checkFile(2);
    }

    function test_sharedVectors3() public {
        _checkFile(3);
    }

    /// @dev Each portfolio is computed in an external call, so its scratch memory is freed after it
    /// (EVM memory only grows within a call, at a quadratic price).
    function _checkFile(uint256 index) internal {
        string memory path = string.concat("contracts/test/vectors/portfolio-margin-", vm.toString(index), ".hex");
        Vector[] memory vectors = abi.decode(vm.parseBytes(vm.trim(vm.readFile(path))), (Vector[]));
        assertEq(vectors.length, 500);
        for (uint256 i; i < vectors.length; ++i) {
            Vector memory v = vectors[i];
            PortfolioMargin.Result memory r =
                model.compute(v.cash, v.underlyings, v.collateral, v.positions, v.offsets, true);
            string memory at = string.concat(", file ", vm.toString(index), " vector ", vm.toString(i));
            assertEq(r.initialEquity, v.result.initialEquity, string.concat("initial equity", at));
            assertEq(r.maintenanceEquity, v.result.maintenanceEquity, string.concat("maintenance equity", at));
            assertEq(r.initialRequirement, v.result.initialRequirement, string.concat("initial requirement", at));
            assertEq(
                r.maintenanceRequirement, v.result.maintenanceRequirement, string.concat("maintenance requirement", at)
            );
            assertEq(r.delta, v.result.delta, string.concat("delta", at));
            assertEq(r.vega, v.result.vega, string.concat("vega", at));
            // The maintenance-only path (liquidation checks) gives the same maintenance figures.
            r = model.compute(v.cash, v.underlyings, v.collateral, v.positions, v.offsets, false);
            assertEq(r.maintenanceEquity, v.result.maintenanceEquity, string.concat("maintenance-only equity", at));
            assertEq(
                r.maintenanceRequirement,
                v.result.maintenanceRequirement,
                string.concat("maintenance-only requirement", at)
            );
            assertEq(r.delta, v.result.delta, string.concat("maintenance-only delta", at));
            assertEq(r.vega, v.result.vega, string.concat("maintenance-only vega", at));
            assertEq(r.initialRequirement, 0, string.concat("maintenance-only leaves the initial grid out", at));
        }
    }

    // ------------------------------------------------------------ behaviour on hand-made portfolios

    function _eth() internal pure returns (PortfolioMargin.Underlying memory) {
        return PortfolioMargin.Underlying({
            spot: 3000e18,
            vol: 0.8e18,
            params: PortfolioMargin.RiskParams({
                scanRange: 0.15e18,
                volShift: 0.25e18,
                extremeMultiple: 2e18,
                extremeCover: 0.35e18,
                initialMultiple: 1.5e18,
                shortOptionMinimum: 0.02e18
            })
        });
    }

    function _one(PortfolioMargin.Underlying memory x) internal pure returns (PortfolioMargin.Underlying[] memory u) {
        u = new PortfolioMargin.Underlying[](1);
        u[0] = x;
    }

    function _perp(int256 size) internal pure returns (PortfolioMargin.Position memory) {
        return
            PortfolioMargin.Position({underlying: 0, kind: PortfolioMargin.PERP, size: size, strike: 0, timeYears: 0});
    }

    function _weth(int256 amount) internal pure returns (PortfolioMargin.Collateral memory) {
        return PortfolioMargin.Collateral({
            underlying: 0, amount: amount, decimals: 18, initialHaircut: 0.05e18, maintenanceHaircut: 0.02e18
        });
    }

    /// @dev A long perp alone is charged its full down move; the same perp against short-hedging
    /// collateral... here, a short perp against ETH collateral is charged only the unhedged part.
    function test_collateralHedgesAShortPerp() public pure {
        PortfolioMargin.Collateral[] memory none = new PortfolioMargin.Collateral[](0);
        PortfolioMargin.Collateral[] memory eth = new PortfolioMargin.Collateral[](1);
        eth[0] = _weth(10e18);
        PortfolioMargin.Position[] memory p = new PortfolioMargin.Position[](1);
        p[0] = _perp(-10e18);
        PortfolioMargin.PairOffset[] memory noOffsets = new PortfolioMargin.PairOffset[](0);
        PortfolioMargin.Result memory naked = PortfolioMargin.compute(50_000e18, _one(_eth()), none, p, noOffsets);
        PortfolioMargin.Result memory hedged = PortfolioMargin.compute(30_000e18, _one(_eth()), eth, p, noOffsets);
        // Naked short 10 ETH: the +15% move costs 10 * 3000 * 0.15 = 4,500.
        assertEq(naked.maintenanceRequirement, 4500e18);
        // Hedged: 9.8 ETH of collateral (2% haircut) against the short leaves 0.2 ETH short: 90.
        assertEq(hedged.maintenanceRequirement, 90e18);
        assertEq(hedged.delta[0], 0);
    }

    function test_noPositionsAndNoDebtNeedsNothing() public pure {
        PortfolioMargin.Collateral[] memory eth = new PortfolioMargin.Collateral[](1);
        eth[0] = _weth(10e18);
        PortfolioMargin.Result memory r = PortfolioMargin.compute(
            0, _one(_eth()), eth, new PortfolioMargin.Position[](0), new PortfolioMargin.PairOffset[](0)
        );
        assertEq(r.maintenanceRequirement, 0);
        assertEq(r.initialRequirement, 0);
        // One dollar of debt and the collateral's price risk counts: 9.8 ETH * 3000 * 15%.
        r = PortfolioMargin.compute(
            -1e18, _one(_eth()), eth, new PortfolioMargin.Position[](0), new PortfolioMargin.PairOffset[](0)
        );
        assertEq(r.maintenanceRequirement, 4410e18);
    }

    /// @dev A short call far out of the money loses little in any scenario; the minimum charge holds.
    function test_shortOptionMinimum() public pure {
        PortfolioMargin.Position[] memory p = new PortfolioMargin.Position[](1);
        p[0] = PortfolioMargin.Position({
            underlying: 0, kind: PortfolioMargin.CALL, size: -1e18, strike: 30_000e18, timeYears: 0.02e18
        });
        PortfolioMargin.Result memory r = PortfolioMargin.compute(
            10_000e18, _one(_eth()), new PortfolioMargin.Collateral[](0), p, new PortfolioMargin.PairOffset[](0)
        );
        assertEq(r.maintenanceRequirement, 60e18); // 2% of 3,000
    }

    /// @dev Long ETH, short BTC earns the pair credit; long both does not.
    function test_pairOffsetOnlyForOppositeExposures() public pure {
        PortfolioMargin.Underlying[] memory u = new PortfolioMargin.Underlying[](2);
        u[0] = _eth();
        u[1] = _eth();
        u[1].spot = 60_000e18;
        PortfolioMargin.PairOffset[] memory offsets = new PortfolioMargin.PairOffset[](1);
        offsets[0] = PortfolioMargin.PairOffset({a: 0, b: 1, credit: 0.5e18});
        PortfolioMargin.Position[] memory p = new PortfolioMargin.Position[](2);
        p[0] = _perp(20e18); // $60k of ETH: 9,000 at 15%
        p[1] =
            PortfolioMargin.Position({underlying: 1, kind: PortfolioMargin.PERP, size: -1e18, strike: 0, timeYears: 0});
        PortfolioMargin.Collateral[] memory none = new PortfolioMargin.Collateral[](0);
        PortfolioMargin.Result memory spread = PortfolioMargin.compute(0, u, none, p, offsets);
        assertEq(spread.maintenanceRequirement, 18_000e18 - 4500e18);
        p[1].size = 1e18;
        PortfolioMargin.Result memory same = PortfolioMargin.compute(0, u, none, p, offsets);
        assertEq(same.maintenanceRequirement, 18_000e18);
    }

    /// @dev Gas of one margin computation by portfolio size, recorded in snapshots/portfolio-margin.json.
    function test_gas_marginByPortfolioSize() public {
        MarginModel h = MarginModel(deployCode("MarginModel.sol:MarginModel"));
        uint256[3] memory sizes = [uint256(1), 5, 20];
        for (uint256 s; s < sizes.length; ++s) {
            (
                PortfolioMargin.Underlying[] memory u,
                PortfolioMargin.Collateral[] memory c,
                PortfolioMargin.Position[] memory p
            ) = _mixedPortfolio(sizes[s]);
            h.compute(-20_000e18, u, c, p, new PortfolioMargin.PairOffset[](0), true);
            vm.snapshotGasLastCall(
                "portfolio-margin", string.concat(vm.toString(sizes[s]), " positions, 3 collateral, 2 underlyings")
            );
        }
    }

    /// @dev Two underlyings, three collateral lines, `n` positions: every third a perp, the rest
    /// calls and puts at strikes around the money.
    function _mixedPortfolio(uint256 n)
        internal
        pure
        returns (
            PortfolioMargin.Underlying[] memory u,
            PortfolioMargin.Collateral[] memory c,
            PortfolioMargin.Position[] memory p
        )
    {
        u = new PortfolioMargin.Underlying[](2);
        u[0] = _eth();
        u[1] = _eth();
        u[1].spot = 60_000e18;
        u[1].vol = 0.6e18;
        c = new PortfolioMargin.Collateral[](3);
        c[0] = _weth(5e18);
        c[1] = _weth(3e18);
        c[2] = PortfolioMargin.Collateral({
            underlying: 1, amount: 0.5e8, decimals: 8, initialHaircut: 0.05e18, maintenanceHaircut: 0.02e18
        });
        p = new PortfolioMargin.Position[](n);
        for (uint256 i; i < n; ++i) {
            uint256 und = i % 2;
            uint8 kind = i % 3 == 0 ? PortfolioMargin.PERP : (i % 3 == 1 ? PortfolioMargin.CALL : PortfolioMargin.PUT);
            int256 strike = kind == PortfolioMargin.PERP ? int256(0) : u[und].spot * int256(80 + 10 * (i % 5)) / 100;
            p[i] = PortfolioMargin.Position({
                underlying: und,
                kind: kind,
                size: (i % 2 == 0 ? int256(1) : -1) * 1e18,
                strike: strike,
                // forge-lint: disable-next-line(unsafe-typecast) i < 20
                timeYears: kind == PortfolioMargin.PERP ? int256(0) : 0.1e18 + int256(i) * 0.02e18
            });
        }
    }
}
