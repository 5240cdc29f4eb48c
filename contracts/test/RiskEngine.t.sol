// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {RiskEngine} from "../src/risk/RiskEngine.sol";
import {MarginMath} from "../src/risk/MarginMath.sol";
import {PortfolioMargin} from "../src/risk/PortfolioMargin.sol";
import {ManualAggregator} from "../src/devnet/ManualAggregator.sol";
import {AggregatorV3Interface} from "../src/interfaces/AggregatorV3Interface.sol";
import {IOracleGuard} from "../src/interfaces/IOracleGuard.sol";
import {IRiskConfig} from "../src/interfaces/IRiskConfig.sol";
import {IRiskEngine} from "../src/interfaces/IRiskEngine.sol";

/// @notice The engine on its own (no LayerZero fixture): it hands PortfolioMargin the right
/// inputs (prices, pair credits for the underlyings the account touches) and keeps the risk
/// admin's parameters within bounds.
contract RiskEngineTest is Test {
    RiskEngine internal engine;
    uint16 internal eth;
    uint16 internal btc;
    uint16 internal ethPerp;
    uint16 internal btcPerp;

    function setUp() public {
        vm.warp(1_700_000_000);
        engine = RiskEngine(deployCode("RiskEngine.sol:RiskEngine", abi.encode(address(this))));
        eth = engine.addRiskAsset(AggregatorV3Interface(address(new ManualAggregator(8, 3000e8))), 1 hours, 1e18, 1e24);
        btc =
            engine.addRiskAsset(AggregatorV3Interface(address(new ManualAggregator(8, 60_000e8))), 1 hours, 1e18, 1e25);
        engine.setScenarioParams(
            eth, IRiskConfig.ScenarioParams(0.1e18, 0.25e18, 2e18, 0.35e18, 2e18, 0.01e18, engine.NO_VOL_FEED())
        );
        engine.setScenarioParams(
            btc, IRiskConfig.ScenarioParams(0.1e18, 0.25e18, 2e18, 0.35e18, 2e18, 0.01e18, engine.NO_VOL_FEED())
        );
        ethPerp = engine.listMarket(eth, IRiskConfig.MarketKind.Perp, 0, 0, 0.05e18);
        btcPerp = engine.listMarket(btc, IRiskConfig.MarketKind.Perp, 0, 0, 0.05e18);
    }

    function _positions(int256 ethSize, int256 btcSize) internal view returns (IRiskEngine.Position[] memory p) {
        p = new IRiskEngine.Position[](2);
        p[0] = IRiskEngine.Position(ethPerp, ethSize);
        p[1] = IRiskEngine.Position(btcPerp, btcSize);
    }

    /// @dev Long $60k of ETH against short $60k of BTC: each alone needs $6,000 (10% move); the
    /// 50% pair credit takes half of the smaller back. Long both: no credit.
    function test_pairCreditOnlyForOppositeExposures() public {
        engine.setPairOffset(eth, btc, 0.5e18);
        IRiskEngine.Holding[] memory none = new IRiskEngine.Holding[](0);
        MarginMath.Figures memory spread = engine.figures(100_000e18, none, _positions(20e18, -1e18));
        assertEq(spread.maintenanceRequirement, 12_000e18 - 3000e18);
        MarginMath.Figures memory same = engine.figures(0, none, _positions(20e18, 1e18));
        assertEq(same.maintenanceRequirement, 12_000e18);
        engine.setPairOffset(btc, eth, 0); // the same pair, either order: neutralised
        assertEq(engine.pairOffsets().length, 1);
        assertEq(engine.figures(100_000e18, none, _positions(20e18, -1e18)).maintenanceRequirement, 12_000e18);
    }

    function test_figuresEqualTheLibraryOnTheSameInputs() public view {
        IRiskEngine.Holding[] memory none = new IRiskEngine.Holding[](0);
        IRiskEngine.Risk memory r = engine.risk(-5000e18, none, _positions(3e18, -0.2e18));
        PortfolioMargin.Underlying[] memory u = new PortfolioMargin.Underlying[](2);
        PortfolioMargin.RiskParams memory rp = PortfolioMargin.RiskParams(0.1e18, 0.25e18, 2e18, 0.35e18, 2e18, 0.01e18);
        u[0] = PortfolioMargin.Underlying(3000e18, 0, rp);
        u[1] = PortfolioMargin.Underlying(60_000e18, 0, rp);
        PortfolioMargin.Position[] memory p = new PortfolioMargin.Position[](2);
        p[0] = PortfolioMargin.Position(0, PortfolioMargin.PERP, 3e18, 0, 0);
        p[1] = PortfolioMargin.Position(1, PortfolioMargin.PERP, -0.2e18, 0, 0);
        PortfolioMargin.Result memory expected = PortfolioMargin.compute(
            -5000e18, u, new PortfolioMargin.Collateral[](0), p, new PortfolioMargin.PairOffset[](0)
        );
        assertEq(r.figures.maintenanceEquity, expected.maintenanceEquity);
        assertEq(r.figures.initialRequirement, uint256(expected.initialRequirement));
        assertEq(r.figures.maintenanceRequirement, uint256(expected.maintenanceRequirement));
        assertEq(r.riskAssets.length, 2);
        assertEq(r.delta[1], -0.2e18);
    }

    function test_scenarioParametersStayWithinBounds() public {
        IRiskConfig.ScenarioParams memory p =
            IRiskConfig.ScenarioParams(0.1e18, 0.25e18, 2e18, 0.35e18, 2e18, 0.01e18, engine.NO_VOL_FEED());
        p.scanRange = 0;
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.InvalidScenarioParams.selector, eth));
        engine.setScenarioParams(eth, p);
        p.scanRange = 0.1e18;
        p.initialMultiple = 0.9e18; // an initial grid narrower than maintenance
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.InvalidScenarioParams.selector, eth));
        engine.setScenarioParams(eth, p);
        p.initialMultiple = 2e18;
        p.volFeed = eth; // its own price as its volatility
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.VolatilityFeedIsUnderlying.selector, eth));
        engine.setScenarioParams(eth, p);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.InvalidPairOffset.selector, eth, btc, 0.81e18));
        engine.setPairOffset(eth, btc, 0.81e18);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.InvalidPairOffset.selector, eth, eth, 0.5e18));
        engine.setPairOffset(eth, eth, 0.5e18);
        vm.prank(address(0xbad));
        vm.expectRevert();
        engine.setPairOffset(eth, btc, 0.5e18);
    }

    /// @dev wstETH-like collateral: 10 tokens at a rate of 1.15 ETH each, 5% depeg assumed, count
    /// as 10.925 ETH of the ETH risk asset, so a short ETH perp hedges them; the keeper is paid at
    /// the market rate, 1.15 x the ETH price.
    function test_yieldBearingCollateralIsRateTimesPriceAfterTheDepeg() public {
        ManualAggregator rateFeed = new ManualAggregator(8, 1.15e8);
        uint16 rate = engine.addRiskAsset(AggregatorV3Interface(address(rateFeed)), 1 hours, 0.5e18, 2e18);
        uint16 wsteth = engine.listAsset(40_102, address(0x57e7), 18, eth);
        engine.setAssetRisk(wsteth, 0.2e18, 0.15e18, 0.05e18);
        vm.expectEmit(address(engine));
        emit IRiskConfig.AssetYieldSet(wsteth, rate, 0.05e18);
        engine.setAssetYield(wsteth, rate, 0.05e18);
        (uint16 feed, uint64 depeg) = engine.yieldTerms(wsteth);
        assertEq(feed, rate);
        assertEq(depeg, 0.05e18);

        IRiskEngine.Holding[] memory held = new IRiskEngine.Holding[](1);
        held[0] = IRiskEngine.Holding(wsteth, 10e18);
        IRiskEngine.Position[] memory hedge = new IRiskEngine.Position[](1);
        hedge[0] = IRiskEngine.Position(ethPerp, -10.925e18);
        // Cash: the short's proceeds (10.925 x $3,000) less 1,000 borrowed.
        MarginMath.Figures memory f = engine.figures(31_775e18, held, hedge);
        // 10.925 ETH x $3,000 x 0.85, plus cash, plus the short perp at its mark (-10.925 x 3,000).
        assertEq(f.maintenanceEquity, int256(10.925e18 * 3000 * 85 / 100) + 31_775e18 - 10.925e18 * 3000);
        // The exposure left is the haircut part only: 10.925 x 0.85 - 10.925 ETH, far below the unhedged 10% of $32,775.
        assertLt(f.maintenanceRequirement, 1000e18);
        (int256 equity, uint256 requirement) = engine.maintenanceFigures(31_775e18, held, hedge);
        assertEq(equity, f.maintenanceEquity, "the maintenance-only path agrees");
        assertEq(requirement, f.maintenanceRequirement, "the maintenance-only path agrees");

        // Paid at the market rate: repay x 1.05 / (3,000 x 1.15).
        (uint256 repay, uint256 seized) = engine.liquidationAmounts(-1e18, 1e18, 1000e18, wsteth, 10e18, 100e18, 1);
        assertEq(seized, repay * 105 / 100 * 1e18 / 3450e18);

        // The rate is guarded like a price: stale, the holding counts for nothing (the figures are
        // those without it), and seizing it, which needs the rate, is refused.
        vm.warp(block.timestamp + 2 hours);
        ManualAggregator(address(engine.riskAsset(eth).feed)).setAnswer(3000e8);
        MarginMath.Figures memory untrusted = engine.figures(31_775e18, held, hedge);
        MarginMath.Figures memory without = engine.figures(31_775e18, new IRiskEngine.Holding[](0), hedge);
        assertEq(untrusted.initialEquity, without.initialEquity);
        assertEq(untrusted.maintenanceEquity, without.maintenanceEquity);
        assertEq(untrusted.initialRequirement, without.initialRequirement);
        assertEq(untrusted.maintenanceRequirement, without.maintenanceRequirement);
        assertLt(untrusted.maintenanceEquity, f.maintenanceEquity);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleGuard.StalePrice.selector, rate, block.timestamp - 2 hours, 1 hours)
        );
        engine.liquidationAmounts(-1e18, 1e18, 1000e18, wsteth, 10e18, 100e18, 1);
    }

    /// @dev Finding 1 on the engine: a feed that reverts, answers 0, or answers outside its band
    /// makes the holdings it prices count for nothing, never the figures revert.
    function test_untrustedPrice_aHoldingWhosePriceFailsCountsForNothing() public {
        uint16 weth = engine.listAsset(40_102, address(0xe7), 18, eth);
        uint16 wbtc = engine.listAsset(40_102, address(0xb7c), 8, btc);
        engine.setAssetRisk(weth, 0.2e18, 0.15e18, 0.05e18);
        engine.setAssetRisk(wbtc, 0.25e18, 0.2e18, 0.06e18);
        IRiskEngine.Holding[] memory both = new IRiskEngine.Holding[](2);
        both[0] = IRiskEngine.Holding(weth, 10e18);
        both[1] = IRiskEngine.Holding(wbtc, 1e8);
        IRiskEngine.Holding[] memory wethOnly = new IRiskEngine.Holding[](1);
        wethOnly[0] = both[0];
        IRiskEngine.Position[] memory none = new IRiskEngine.Position[](0);
        MarginMath.Figures memory expected = engine.figures(-1000e18, wethOnly, none);
        ManualAggregator btcFeed = ManualAggregator(address(engine.riskAsset(btc).feed));

        btcFeed.setAnswer(0);
        _assertSameFigures(engine.figures(-1000e18, both, none), expected);
        btcFeed.setAnswer(1); // $0.00000001, below the band
        _assertSameFigures(engine.figures(-1000e18, both, none), expected);
        vm.mockCallRevert(address(btcFeed), abi.encodeWithSignature("latestRoundData()"), "feed down");
        _assertSameFigures(engine.figures(-1000e18, both, none), expected);
        (int256 equity,) = engine.maintenanceFigures(-1000e18, both, none);
        assertEq(equity, expected.maintenanceEquity);
    }

    function _assertSameFigures(MarginMath.Figures memory a, MarginMath.Figures memory b) private pure {
        assertEq(a.initialEquity, b.initialEquity);
        assertEq(a.maintenanceEquity, b.maintenanceEquity);
        assertEq(a.initialRequirement, b.initialRequirement);
        assertEq(a.maintenanceRequirement, b.maintenanceRequirement);
    }

    function test_setAssetYield_refusesAnUnboundedDepegOrTheUnderlyingAsItsRate() public {
        uint16 wsteth = engine.listAsset(40_102, address(0x57e7), 18, eth);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.DepegTooLarge.selector, 0.6e18, 0.5e18));
        engine.setAssetYield(wsteth, btc, 0.6e18);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RateFeedIsUnderlying.selector, wsteth, eth));
        engine.setAssetYield(wsteth, eth, 0.05e18);
        vm.expectRevert();
        engine.setAssetYield(wsteth, 77, 0.05e18);
        engine.setAssetYield(wsteth, engine.NO_RATE_FEED(), 0.05e18);
        (uint16 feed, uint64 depeg) = engine.yieldTerms(wsteth);
        assertEq(feed, engine.NO_RATE_FEED());
        assertEq(depeg, 0, "a plain token has no depeg");
    }

    /// @dev 100 WETH ($300,000) against a $1M depth at 5% impact: both haircuts rise by
    /// 5% x sqrt(0.3) = 2.7386...%; one WETH pays a tenth of that per dollar.
    function test_concentrationAddOnRaisesAHoldingsHaircutsWithItsSize() public {
        uint16 weth = engine.listAsset(40_102, address(0xe7), 18, eth);
        engine.setAssetRisk(weth, 0.2e18, 0.15e18, 0.05e18);
        IRiskEngine.Holding[] memory whale = new IRiskEngine.Holding[](1);
        whale[0] = IRiskEngine.Holding(weth, 100e18);
        IRiskEngine.Position[] memory none = new IRiskEngine.Position[](0);
        MarginMath.Figures memory flat = engine.figures(0, whale, none);
        assertEq(flat.maintenanceEquity, 255_000e18);

        vm.expectEmit(address(engine));
        emit IRiskConfig.AssetConcentrationSet(weth, 1_000_000e18, 0.05e18, 0.3e18);
        engine.setAssetConcentration(weth, 1_000_000e18, 0.05e18, 0.3e18);
        IRiskConfig.ConcentrationTerms memory t = engine.concentrationTerms(weth);
        assertEq(t.depthUsd, 1_000_000e18);
        MarginMath.Figures memory f = engine.figures(0, whale, none);
        uint256 addOn = 27_386_127_875_258_305;
        assertEq(f.maintenanceEquity, int256(300_000e18 * (0.85e18 - addOn) / 1e18));
        assertEq(f.initialEquity, int256(300_000e18 * (0.8e18 - addOn) / 1e18));
        (int256 equity,) = engine.maintenanceFigures(0, whale, none);
        assertEq(equity, f.maintenanceEquity, "the maintenance-only path agrees");

        whale[0].amount = 1e18;
        assertEq(engine.figures(0, whale, none).maintenanceEquity, int256(3000e18 * (0.85e18 - addOn / 10) / 1e18));
        // At a third of the price the same holding is worth a third: the add-on falls with it.
        ManualAggregator(address(engine.riskAsset(eth).feed)).setAnswer(1000e8);
        whale[0].amount = 100e18;
        assertGt(engine.figures(0, whale, none).maintenanceEquity, int256(100_000e18 * (0.85e18 - addOn) / 1e18));
    }

    function test_setAssetConcentration_refusesUnboundedTermsOrTermsWithoutDepth() public {
        uint16 weth = engine.listAsset(40_102, address(0xe7), 18, eth);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.ConcentrationCapTooLarge.selector, 0.6e18, 0.5e18));
        engine.setAssetConcentration(weth, 1e24, 0.05e18, 0.6e18);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.ConcentrationImpactTooLarge.selector, 1.5e18, 1e18));
        engine.setAssetConcentration(weth, 1e24, 1.5e18, 0.3e18);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.ConcentrationWithoutDepth.selector, weth));
        engine.setAssetConcentration(weth, 0, 0.05e18, 0.3e18);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.UnknownAssetId.selector, weth + 1));
        engine.setAssetConcentration(weth + 1, 1e24, 0.05e18, 0.3e18);
        vm.prank(address(0xbad));
        vm.expectRevert();
        engine.setAssetConcentration(weth, 1e24, 0.05e18, 0.3e18);
        engine.setAssetConcentration(weth, 0, 0, 0);
        assertEq(engine.concentrationTerms(weth).cap, 0);
    }

    /// @dev A 15% maintenance haircut with a 20% bonus keeps 1.2 x 0.85 = 1.02 of each dollar a
    /// liquidation repays: the account would lose equity. 10% with 10% keeps exactly 0.99, the
    /// line the default 1% gain draws; one wei more bonus crosses it.
    function test_setAssetRisk_refusesABonusThatTakesEquityOutOfTheAccount() public {
        uint16 weth = engine.listAsset(40_102, address(0xe7), 18, eth);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRiskConfig.LiquidationTakesEquity.selector, weth, uint64(0.15e18), uint64(0.2e18), uint64(0.01e18)
            )
        );
        engine.setAssetRisk(weth, 0.2e18, 0.15e18, 0.2e18);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRiskConfig.LiquidationTakesEquity.selector, weth, uint64(0.1e18), uint64(0.1e18 + 1), uint64(0.01e18)
            )
        );
        engine.setAssetRisk(weth, 0.2e18, 0.1e18, 0.1e18 + 1);
        engine.setAssetRisk(weth, 0.2e18, 0.1e18, 0.1e18);
        assertEq(engine.asset(weth).liquidationBonus, 0.1e18);
    }

    /// @dev The urgency-scaled bonus is on by default (a fifth at health 1, all of it at 0.9); its
    /// floor share is at most the whole bonus and its full-bonus health below 1.
    function test_liquidationParams_urgencyBonusWithinBounds() public {
        IRiskConfig.LiquidationParams memory p = engine.liquidationParams();
        assertEq(p.minBonusShare, 0.2e18);
        assertEq(p.fullBonusHealth, 0.9e18);
        p.minBonusShare = 1e18 + 1;
        vm.expectRevert(IRiskConfig.InvalidLiquidationParams.selector);
        engine.setLiquidationParams(p);
        p.minBonusShare = 1e18;
        p.fullBonusHealth = 1e18;
        vm.expectRevert(IRiskConfig.InvalidLiquidationParams.selector);
        engine.setLiquidationParams(p);
        p.fullBonusHealth = 0.8e18;
        engine.setLiquidationParams(p);
        assertEq(engine.liquidationParams().fullBonusHealth, 0.8e18);
    }

    /// @dev Volatility prices options only: a stale volatility feed blocks the accounts holding an
    /// option on that underlying, never one with only its perps or collateral.
    function test_staleVolatilityFeedOnlyBlocksOptionHolders() public {
        ManualAggregator volFeed = new ManualAggregator(8, 0.8e8);
        uint16 vol = engine.addRiskAsset(AggregatorV3Interface(address(volFeed)), 1 hours, 0.01e18, 5e18);
        engine.setScenarioParams(eth, IRiskConfig.ScenarioParams(0.1e18, 0.25e18, 2e18, 0.35e18, 2e18, 0.01e18, vol));
        uint16 call =
            engine.listMarket(eth, IRiskConfig.MarketKind.Call, 3300e18, uint64(block.timestamp + 30 days), 0.01e18);
        volFeed.setAnswerAt(0.8e8, block.timestamp - 2 hours);
        IRiskEngine.Holding[] memory none = new IRiskEngine.Holding[](0);
        IRiskEngine.Position[] memory perpOnly = new IRiskEngine.Position[](1);
        perpOnly[0] = IRiskEngine.Position(ethPerp, 1e18);
        assertEq(engine.figures(0, none, perpOnly).maintenanceRequirement, 300e18);
        IRiskEngine.Position[] memory withCall = new IRiskEngine.Position[](2);
        (withCall[0], withCall[1]) = (perpOnly[0], IRiskEngine.Position(call, -1e18));
        vm.expectRevert();
        engine.figures(0, none, withCall);
    }

    function test_newRiskAssetIsFullyMarginedUntilItsGridIsSet() public {
        uint16 sol =
            engine.addRiskAsset(AggregatorV3Interface(address(new ManualAggregator(8, 100e8))), 1 hours, 1e16, 1e22);
        uint16 solPerp = engine.listMarket(sol, IRiskConfig.MarketKind.Perp, 0, 0, 0.05e18);
        IRiskEngine.Position[] memory p = new IRiskEngine.Position[](1);
        p[0] = IRiskEngine.Position(solPerp, 10e18);
        // A 100% fall: the shocked spot is floored at 1 wei, so 10 SOL keep 10 wei of value.
        assertEq(engine.figures(0, new IRiskEngine.Holding[](0), p).maintenanceRequirement, 1000e18 - 10, "a 100% move");
    }
}
