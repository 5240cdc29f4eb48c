// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccountId} from "../../src/libraries/AccountIdLib.sol";
import {IOracleGuard} from "../../src/interfaces/IOracleGuard.sol";
import {MarginMath} from "../../src/risk/MarginMath.sol";
import {IRiskConfig} from "../../src/interfaces/IRiskConfig.sol";
import {FlowHelpers} from "./FlowHelpers.sol";

/// @notice A price that cannot be trusted blocks only what needs it (docs/risk-model.md section
/// 2.1): a collateral holding it prices counts for nothing, so neither dust of a lagging asset nor
/// a stranger's deposit can block a liquidation or a withdrawal, and a crash below a price's band
/// leaves the account liquidatable through its other collateral.
abstract contract UntrustedPriceFlows is FlowHelpers {
    /// @dev An hour and a second on: BTC's feed (1 hour max age) is stale, ETH and USD answer again.
    function _btcFeedLags(int256 ethPrice8) private {
        vm.warp(block.timestamp + 1 hours + 1);
        vm.startPrank(admin);
        usdFeed.setAnswer(1e8);
        ethFeed.setAnswer(ethPrice8);
        vm.stopPrank();
    }

    /// @dev `from` deposits `sats` of WBTC on chain B into alice's sub-account 0.
    function _wbtcIntoAlicesAccount(address from, uint256 sats) private {
        wbtcB.mint(from, sats);
        vm.deal(from, 1 ether);
        vm.startPrank(from);
        wbtcB.approve(address(vaultB), sats);
        uint256 fee = vaultB.quoteDeposit(alice, 0, address(wbtcB), sats, "");
        vaultB.deposit{value: fee}(alice, 0, address(wbtcB), sats, "");
        vm.stopPrank();
        verifyPackets(HUB_EID, address(hub));
    }

    /// @dev Finding 1, the borrower's shield: one satoshi of WBTC whose feed lags changes nothing
    /// of the liquidation, to the wei of the same liquidation without it
    /// (test_liquidate_seizesOnTheCollateralChainAndRestoresHealth).
    function test_untrustedPrice_dustOfALaggingAssetDoesNotShieldFromLiquidation() public {
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        _wbtcIntoAlicesAccount(alice, 1);
        _btcFeedLags(2300e8);
        vm.expectRevert(abi.encodeWithSelector(IOracleGuard.StalePrice.selector, btcRisk, 1_700_000_000, 1 hours));
        engine.price(btcRisk);

        (uint256 repaid,) = _liquidate(a, wethAAsset, 20_000e6);
        assertEq(repaid, 13_733_720931, "as if the dust were not there");
        assertGe(_health(a), 1e18);
        assertEq(hub.collateralOf(a, wbtcBAsset), 1, "the dust stays");
    }

    /// @dev Finding 1, the griefer: a stranger's WBTC in alice's account, its feed lagging, does
    /// not stop her withdrawing WETH her other collateral covers.
    function test_untrustedPrice_aStrangersDepositOfALaggingAssetDoesNotLockWithdrawals() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _seedLiquidity(10_000e6);
        vm.prank(alice);
        hub.withdrawCash(0, 1000e6, alice);
        _wbtcIntoAlicesAccount(makeAddr("mallory"), 1);
        _btcFeedLags(3000e8);

        _withdraw(alice, 0, wethAAsset, 1e18, alice);
        verifyPackets(A_EID, address(vaultA));
        assertEq(wethA.balanceOf(alice), 1e18);
        assertEq(hub.collateralOf(_acct(alice, 0), wethAAsset), 9e18);
    }

    /// @dev Finding 1, the crash below the band: ETH at $0.50 (its floor is $1) is refused, so the
    /// WETH counts for nothing and the account is liquidated through its WBTC; the WETH itself,
    /// whose price a seizure needs, cannot be seized until it is trusted again.
    function test_untrustedPrice_aCrashBelowTheBandLeavesOtherCollateralLiquidatable() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _deposit(alice, vaultB, wbtcB, 1e8, 0);
        _seedLiquidity(1_000_000e6);
        vm.prank(alice);
        hub.withdrawCash(0, 50_000e6, alice);
        AccountId a = _acct(alice, 0);
        _setEthPrice(0.5e8);
        // WBTC alone: 60,000 x 0.8 against 50,000 borrowed, below its requirement.
        assertLt(_health(a), 1e18);

        uint256 fee = _keeperFunded(wethAAsset, 10_000e6);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleGuard.PriceOutOfBounds.selector, ethRisk, 0.5e18, 1e18, 1_000_000e18)
        );
        vm.prank(keeper);
        hub.liquidate{value: fee}(a, wethAAsset, 10_000e6, keeper, "");

        (uint256 repaid, uint256 seized) = _liquidate(a, wbtcBAsset, 50_000e6);
        assertGt(repaid, 0);
        assertEq(hub.collateralOf(a, wbtcBAsset), 1e8 - seized);
        verifyPackets(B_EID, address(vaultB));
        assertEq(wbtcB.balanceOf(keeper), seized, "paid on chain B");
    }

    /// @dev Finding 1, a position: alice is long 10 ETH-PERP against 3,200 USDC. While ETH's feed
    /// answers below its band, her perp is valued at ETH's last recorded price ($2,900) over the
    /// extreme move (5% x 2 = 10%), to the wei the figures a trusted $2,900 and a 10% scan range
    /// give, and she is liquidated through her USDC. Before any price was recorded, the failing
    /// feed still holds her figures.
    function test_untrustedPrice_aPositionOnAFailingFeedIsValuedAtItsRecordedPriceOverTheExtremeMove() public {
        _depositHubUsdc(alice, 3_200e6, 0);
        _depositHubUsdc(bob, 100_000e6, 0);
        vm.prank(venue);
        hub.trade(_acct(alice, 0), _acct(bob, 0), ethPerp, 10e18, 3000e18);
        AccountId a = _acct(alice, 0);
        _setEthPrice(2900e8);
        assertGe(_health(a), 1e18, "healthy while ETH's feed is trusted");

        _setEthPrice(0.5e8);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleGuard.PriceOutOfBounds.selector, ethRisk, 0.5e18, 1e18, 1_000_000e18)
        );
        hub.health(a);

        _setEthPrice(2900e8);
        vm.expectEmit(address(engine));
        emit IOracleGuard.PriceRecorded(ethRisk, 2900e18);
        assertEq(engine.recordPrice(ethRisk), 2900e18);
        _setEthPrice(0.5e8);
        MarginMath.Figures memory failing = hub.accountFigures(a);
        assertLt(_health(a), 1e18, "the extreme move from $2,900 is more than her margin");

        uint256 snapshot = vm.snapshotState();
        _setEthPrice(2900e8);
        IRiskConfig.ScenarioParams memory p = engine.scenarioParams(ethRisk);
        // forge-lint: disable-next-line(unsafe-typecast) 5% x 2 = 0.1e18
        p.scanRange = uint64(uint256(p.scanRange) * p.extremeMultiple / 1e18);
        vm.prank(admin);
        engine.setScenarioParams(ethRisk, p);
        MarginMath.Figures memory trusted = hub.accountFigures(a);
        assertEq(failing.maintenanceEquity, trusted.maintenanceEquity);
        assertEq(failing.maintenanceRequirement, trusted.maintenanceRequirement);
        assertEq(failing.initialRequirement, trusted.initialRequirement);
        vm.revertToState(snapshot);

        (uint256 repaid, uint256 seized) = _liquidate(a, usdcAsset, 10_000e6);
        assertGt(repaid, 0);
        assertGt(seized, 0);
    }
}
