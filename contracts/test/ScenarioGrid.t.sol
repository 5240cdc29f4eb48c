// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {PortfolioMargin} from "../src/risk/PortfolioMargin.sol";
import {ScenarioGrid} from "../src/risk/ScenarioGrid.sol";
import {NaiveScenarioGrid} from "./harness/NaiveScenarioGrid.sol";

/// @notice The scenario grid, which prices a repeated scenario once and values a one-way
/// portfolio at its worst step only, gives the figures of valuing every scenario afresh.
contract ScenarioGridTest is Test {
    int256 internal constant WAD = 1e18;

    /// @dev Random portfolios on one underlying (a second one holds noise the grid must ignore):
    /// options, perps long and short, collateral, with the default grid multiples half the time
    /// so the two grids share spots, and one-way books often enough to take the shortcut.
    function testFuzz_gridEqualsValuingEveryScenarioAfresh(uint256 seed) public pure {
        (
            PortfolioMargin.Underlying memory und,
            PortfolioMargin.Collateral[] memory c,
            PortfolioMargin.Position[] memory p
        ) = _portfolio(seed);
        int256 basePositions;
        for (uint256 i; i < p.length; ++i) {
            if (p[i].underlying != 0) continue;
            (int256 value,,) = PortfolioMargin.positionValue(p[i], und.spot, und.vol);
            basePositions += value;
        }
        (int256 worstM, int256 worstI) = ScenarioGrid.worstLosses(und, 0, c, p, basePositions, true);
        PortfolioMargin.RiskParams memory rp = und.params;
        assertEq(worstM, NaiveScenarioGrid.worstLoss(und, 0, c, p, rp.scanRange, false), "maintenance grid");
        assertEq(
            worstI, NaiveScenarioGrid.worstLoss(und, 0, c, p, rp.scanRange * rp.initialMultiple / WAD, true), "initial"
        );
        (int256 maintenanceOnly,) = ScenarioGrid.worstLosses(und, 0, c, p, basePositions, false);
        assertEq(maintenanceOnly, worstM, "maintenance-only");
    }

    /// @dev A collateral-only book and a long-only one value fewer scenarios, and still give the
    /// worst step's loss: the lowest spot's.
    function test_oneWayBookLosesMostAtTheLowestStep() public pure {
        PortfolioMargin.Underlying memory und = _underlying(3000e18, 0.8e18, 0.05e18, 2e18, 2e18);
        PortfolioMargin.Collateral[] memory c = new PortfolioMargin.Collateral[](1);
        c[0] = PortfolioMargin.Collateral({
            underlying: 0, amount: 10e18, decimals: 18, initialHaircut: 0.2e18, maintenanceHaircut: 0.15e18
        });
        (int256 worstM,) = ScenarioGrid.worstLosses(und, 0, c, new PortfolioMargin.Position[](0), 0, true);
        // 10 ETH at 85% lose 5% of 3,000 each: 1,275; the extreme (-10%) at 35% cover is 892.5.
        assertEq(worstM, 1275e18);
    }

    function _portfolio(uint256 seed)
        internal
        pure
        returns (
            PortfolioMargin.Underlying memory und,
            PortfolioMargin.Collateral[] memory c,
            PortfolioMargin.Position[] memory p
        )
    {
        int256 spot = int256(_pick(seed, 0, 1e17, 1e23));
        int256 vol = int256(_pick(seed, 1, 0, 2e18));
        bool defaults = _pick(seed, 2, 0, 1) == 0;
        und = _underlying(
            spot,
            vol,
            int256(_pick(seed, 3, 0.01e18, 0.4e18)),
            defaults ? int256(2e18) : int256(_pick(seed, 4, 1e18, 3e18)),
            defaults ? int256(2e18) : int256(_pick(seed, 5, 1e18, 3e18))
        );
        // Books of one direction (kind 0) half the time: long collateral and long perps only.
        bool oneWay = _pick(seed, 6, 0, 1) == 0;
        c = new PortfolioMargin.Collateral[](_pick(seed, 7, 0, 3));
        for (uint256 i; i < c.length; ++i) {
            uint256 s = uint256(keccak256(abi.encode(seed, "c", i)));
            int256 maintenance = int256(_pick(s, 0, 0, 1e18));
            c[i] = PortfolioMargin.Collateral({
                underlying: _pick(s, 1, 0, 3) == 0 ? 1 : 0,
                amount: int256(_pick(s, 2, 0, 1e24)),
                decimals: uint8(_pick(s, 3, 6, 18)),
                initialHaircut: maintenance + (WAD - maintenance) * int256(_pick(s, 4, 0, 100)) / 100,
                maintenanceHaircut: maintenance
            });
        }
        p = new PortfolioMargin.Position[](_pick(seed, 8, 0, 5));
        for (uint256 i; i < p.length; ++i) {
            uint256 s = uint256(keccak256(abi.encode(seed, "p", i)));
            uint8 kind = oneWay ? PortfolioMargin.PERP : uint8(_pick(s, 0, 0, 2));
            int256 size = int256(_pick(s, 1, 0, 100e18));
            if (!oneWay && _pick(s, 2, 0, 1) == 0) size = -size;
            p[i] = PortfolioMargin.Position({
                underlying: _pick(s, 3, 0, 4) == 0 ? 1 : 0,
                kind: kind,
                size: size,
                strike: kind == PortfolioMargin.PERP ? int256(0) : spot * int256(_pick(s, 4, 50, 150)) / 100,
                timeYears: kind == PortfolioMargin.PERP ? int256(0) : int256(_pick(s, 5, 0, 1e18))
            });
        }
    }

    function _underlying(int256 spot, int256 vol, int256 scanRange, int256 extremeMultiple, int256 initialMultiple)
        internal
        pure
        returns (PortfolioMargin.Underlying memory)
    {
        return PortfolioMargin.Underlying({
            spot: spot,
            vol: vol,
            params: PortfolioMargin.RiskParams({
                scanRange: scanRange,
                volShift: 0.25e18,
                extremeMultiple: extremeMultiple,
                extremeCover: 0.35e18,
                initialMultiple: initialMultiple,
                shortOptionMinimum: 0.01e18
            })
        });
    }

    /// @dev A value in [lo, hi] drawn from `seed` and `salt`.
    function _pick(uint256 seed, uint256 salt, uint256 lo, uint256 hi) internal pure returns (uint256) {
        return lo + uint256(keccak256(abi.encode(seed, salt))) % (hi - lo + 1);
    }
}
