// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {AccountId} from "../../src/libraries/AccountIdLib.sol";
import {MarginMath} from "../../src/risk/MarginMath.sol";
import {ManualAggregator} from "../../src/devnet/ManualAggregator.sol";
import {AggregatorV3Interface} from "../../src/interfaces/AggregatorV3Interface.sol";
import {IMarginHubBase} from "../../src/interfaces/IMarginHubBase.sol";
import {Vm} from "forge-std/Vm.sol";
import {IOracleGuard} from "../../src/interfaces/IOracleGuard.sol";
import {IRiskConfig} from "../../src/interfaces/IRiskConfig.sol";
import {FlowHelpers} from "./FlowHelpers.sol";

/// @notice liquidate -> SEIZE: single and batch collateral liquidations, position takeovers,
/// bad debt, and every refusal.
abstract contract LiquidationFlows is FlowHelpers {
    function test_liquidate_seizesOnTheCollateralChainAndRestoresHealth() public {
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        _setEthPrice(2300e8); // maintenance equity: 10 * 2300 * 0.85 - 20000 = -450
        assertEq(_health(a), 0);

        (uint256 repaid, uint256 seized) = _liquidate(a, wethAAsset, 20_000e6);
        // Enough to lift equity to 1.05 x the requirement (19,550 * 5% = 977.5) if the requirement
        // stayed put: (1026.375 + 450) / (1 - 1.05 * 0.85) = 13733.720930.. -> 13733.720931 USDC.
        // It falls as collateral leaves, so health ends above the target (section 8 of the spec).
        assertEq(repaid, 13_733_720931);
        assertEq(seized, repaid * 1e12 * 105 / 100 * 1e18 / 2300e18, "repay * (1 + bonus) at the oracle price");
        assertEq(hub.collateralOf(a, wethAAsset), 10e18 - seized);
        assertGe(_health(a), 1e18, "healthy again");
        assertEq(wethA.balanceOf(keeper), 0, "paid on chain A once the SEIZE arrives");

        verifyPackets(A_EID, address(vaultA));
        assertEq(wethA.balanceOf(keeper), seized);
        assertEq(vaultA.custodied(address(wethA)), 10e18 - seized);
    }

    /// @dev Just under health 1 the account pays part of the 5% bonus, by the urgency rule.
    function test_liquidate_paysTheUrgencyScaledBonus() public {
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        // ETH down in $10 steps until the account is just unhealthy.
        int256 price = 3000;
        uint256 h = 2e18;
        while (h >= 1e18) {
            price -= 10;
            _setEthPrice(price * 1e8);
            h = _health(a);
        }
        assertGt(h, 0.9e18);
        uint256 bonus = MarginMath.urgencyBonus(h, 0.05e18, 0.2e18, 0.9e18);
        assertLt(bonus, 0.05e18);
        (uint256 repaid, uint256 seized) = _liquidate(a, wethAAsset, 20_000e6);
        assertEq(
            seized,
            // forge-lint: disable-next-line(unsafe-typecast) a positive feed price
            repaid * 1e12 * (1e18 + bonus) / 1e18 * 1e18 / (uint256(price) * 1e18),
            "repay x (1 + the scaled bonus) at the oracle price"
        );
        assertGe(_health(a), 1e18, "healthy again");
    }

    function test_liquidate_partialWithCloseFactorAboveFullCloseHealth() public {
        // 100 WETH, 200k borrowed, long 10 ETH: equity 95p - 230k against 95 ETH * 5% * p, so
        // health is between 0.95 and 1 at $2545.
        AccountId a = _borrowedAgainstWeth(100e18, 200_000e6);
        _depositHubUsdc(bob, 1_000_000e6, 0);
        vm.prank(venue);
        hub.trade(a, _acct(bob, 0), ethPerp, 10e18, 3000e18);
        _setEthPrice(2545e8);
        uint256 h = _health(a);
        assertLt(h, 1e18);
        assertGt(h, 0.95e18);

        // At the edge of the rule (the largest bonus a 15% haircut allows, 0.99 / 0.85 - 1), each
        // dollar repaid adds one cent of equity, and the target is twice the requirement: out of
        // reach, so the close factor decides.
        vm.startPrank(admin);
        IRiskConfig.LiquidationParams memory lp = engine.liquidationParams();
        lp.minBonusShare = 1e18; // the whole bonus at any health
        lp.targetHealth = 2e18;
        engine.setLiquidationParams(lp);
        engine.setAssetRisk(wethAAsset, 0.2e18, 0.15e18, 164_705_882_352_941_176);
        vm.stopPrank();
        (uint256 repaid,) = _liquidate(a, wethAAsset, 1_000_000e6);
        assertEq(repaid, 115_000e6, "half the 230k debt: the close factor");
    }

    function test_liquidate_revertsForAssetTheAccountDoesNotHold() public {
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        _setEthPrice(2000e8);
        vm.expectRevert(abi.encodeWithSelector(IMarginHubBase.NoCollateral.selector, wethBAsset));
        vm.prank(keeper);
        hub.liquidate(a, wethBAsset, 1000e6, keeper, "");
    }

    function test_liquidate_revertsForHealthyAccount() public {
        AccountId a = _borrowedAgainstWeth(10e18, 10_000e6);
        uint256 h = _health(a);
        _keeperFunded(wethAAsset, 1000e6);
        vm.expectRevert(abi.encodeWithSelector(IMarginHubBase.AccountHealthy.selector, h));
        vm.prank(keeper);
        hub.liquidate{value: 1 ether}(a, wethAAsset, 1000e6, keeper, "");
    }

    function test_liquidate_revertsOnStalePrice() public {
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        vm.prank(admin);
        ethFeed.setAnswerAt(2000e8, block.timestamp);
        vm.warp(block.timestamp + 1 hours + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleGuard.StalePrice.selector, ethRisk, block.timestamp - 1 hours - 1, 1 hours)
        );
        vm.prank(keeper);
        hub.liquidate(a, wethAAsset, 1000e6, keeper, "");
    }

    function test_liquidate_revertsOnOutOfBoundsOrNonPositivePrice() public {
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        _setEthPrice(0);
        vm.expectRevert(abi.encodeWithSelector(IOracleGuard.NonPositivePrice.selector, ethRisk, int256(0)));
        vm.prank(keeper);
        hub.liquidate(a, wethAAsset, 1000e6, keeper, "");

        _setEthPrice(0.5e8); // $0.50: below the $1 floor configured for ETH
        vm.expectRevert(
            abi.encodeWithSelector(IOracleGuard.PriceOutOfBounds.selector, ethRisk, 0.5e18, 1e18, 1_000_000e18)
        );
        vm.prank(keeper);
        hub.liquidate(a, wethAAsset, 1000e6, keeper, "");
    }

    function test_liquidate_waitsForSequencerGracePeriod() public {
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        _setEthPrice(2000e8);
        vm.startPrank(admin);
        ManualAggregator sequencer = new ManualAggregator(0, 1); // 1 = down
        engine.setSequencerFeed(AggregatorV3Interface(address(sequencer)), 1 hours);
        vm.stopPrank();
        vm.expectRevert(IOracleGuard.SequencerDown.selector);
        vm.prank(keeper);
        hub.liquidate(a, wethAAsset, 1000e6, keeper, "");

        vm.prank(admin);
        sequencer.setAnswer(0); // back up just now
        vm.expectRevert(
            abi.encodeWithSelector(IOracleGuard.SequencerGracePeriodNotOver.selector, block.timestamp, 1 hours)
        );
        vm.prank(keeper);
        hub.liquidate(a, wethAAsset, 1000e6, keeper, "");

        vm.warp(block.timestamp + 1 hours);
        _refreshFeeds();
        (uint256 repaid,) = _liquidate(a, wethAAsset, 1000e6);
        assertEq(repaid, 1000e6);
    }

    /// @dev Arbitrum's sequencer feed answers a round with `startedAt` 0 before its first status;
    /// a grace period counted from 0 is long over, so such a round would pass for "up for ages".
    function test_liquidate_refusesASequencerRoundThatNeverStarted() public {
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        _setEthPrice(2000e8);
        vm.startPrank(admin);
        ManualAggregator sequencer = new ManualAggregator(0, 0);
        sequencer.setAnswerAt(0, 0); // "up", in a round that never started
        engine.setSequencerFeed(AggregatorV3Interface(address(sequencer)), 1 hours);
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(IOracleGuard.SequencerRoundInvalid.selector, uint80(2)));
        vm.prank(keeper);
        hub.liquidate(a, wethAAsset, 1000e6, keeper, "");
        vm.expectRevert(abi.encodeWithSelector(IOracleGuard.SequencerRoundInvalid.selector, uint80(2)));
        engine.price(ethRisk);
    }

    function test_liquidate_isolatedSubAccountLeavesTheOthersAlone() public {
        _deposit(alice, vaultA, wethA, 10e18, 0); // cross pool, no debt
        AccountId isolated = _acct(alice, 1);
        _deposit(alice, vaultB, wethB, 10e18, 1);
        _seedLiquidity(100_000e6);
        vm.prank(alice);
        hub.withdrawCash(1, 20_000e6, alice);
        _setEthPrice(2000e8);

        _liquidate(isolated, wethBAsset, 100_000e6);
        assertEq(hub.collateralOf(_acct(alice, 0), wethAAsset), 10e18, "cross pool untouched");
        assertEq(hub.accountState(_acct(alice, 0)).cash, 0);
        vm.expectRevert(abi.encodeWithSelector(IMarginHubBase.AccountHealthy.selector, type(uint256).max));
        vm.prank(keeper);
        hub.liquidate(_acct(alice, 0), wethAAsset, 1, keeper, "");
    }

    function test_liquidatePosition_thenCollateral_badDebtHitsInsuranceFirst() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _depositHubUsdc(bob, 1_000_000e6, 0);
        _depositHubUsdc(keeper, 1_000_000e6, 0);
        _fundInsurance(1000e6);
        vm.prank(venue);
        hub.trade(_acct(alice, 0), _acct(bob, 0), ethPerp, 20e18, 3000e18);
        _setEthPrice(2000e8); // alice: 17k of collateral against a 20k loss

        vm.prank(keeper);
        uint256 taken = hub.liquidatePosition(_acct(alice, 0), ethPerp, type(uint256).max, 0);
        assertEq(taken, 20e18, "health 0 is below fullCloseHealth: all of it");
        assertEq(hub.positionOf(_acct(keeper, 0), ethPerp), 20e18, "the keeper holds it now");
        // penalty 2% of 40k = 800: 400 to the keeper, 400 to the insurance fund.
        assertEq(hub.accountState(_acct(alice, 0)).cash, -20_800e18);
        assertEq(hub.insuranceFund(), 1400e18);

        (uint256 repaid, uint256 seized) = _liquidate(_acct(alice, 0), wethAAsset, 1_000_000e6);
        assertEq(seized, 10e18, "all of it");
        assertEq(repaid, 19_047_619048, "20k of WETH / 1.05, rounded up");
        // Shortfall 20800 - 19047.619048 = 1752.380952: insurance covers 1400, the rest (352.380952)
        // is charged to positive cash, which only bob has: the 60,000 alice paid him for the perp
        // he is short (his USDC is collateral). The keeper owes 39,600 for the position it took
        // (40,000 less its 400 of penalty) and bears nothing.
        assertEq(hub.accountState(_acct(alice, 0)).cash, 0);
        assertEq(hub.insuranceFund(), 0);
        assertEq(hub.socialisedLoss(), 352.380952e18);
        assertEq(hub.unownedLoss(), 0);
        assertEq(hub.cashIndex(), Math.mulDiv(1e18, 60_000e18 - 352.380952e18, 60_000e18));
        assertApproxEqAbs(hub.accountState(_acct(bob, 0)).cash, 60_000e18 - 352.380952e18, 1e6);
        assertEq(hub.accountState(_acct(keeper, 0)).cash, -39_600e18);
        _assertCashBalances();
    }

    function test_liquidatePosition_revertsForHealthyAccountOrSelf() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _depositHubUsdc(bob, 1_000_000e6, 0);
        vm.prank(venue);
        hub.trade(_acct(alice, 0), _acct(bob, 0), ethPerp, 1e18, 3000e18);
        vm.expectRevert(IMarginHubBase.SameAccount.selector);
        vm.prank(alice);
        hub.liquidatePosition(_acct(alice, 0), ethPerp, 1e18, 0);
        uint256 h = _health(_acct(alice, 0));
        vm.expectRevert(abi.encodeWithSelector(IMarginHubBase.AccountHealthy.selector, h));
        vm.prank(keeper);
        hub.liquidatePosition(_acct(alice, 0), ethPerp, 1e18, 0);
    }

    // ============================================================ batch liquidations

    function test_liquidateBatch_oneSeizePaysWhatSingleLiquidationsWould() public {
        _seedLiquidity(1_000_000e6);
        AccountId[] memory accounts = new AccountId[](3);
        accounts[0] = _borrower(1, 10e18, 20_000e6);
        accounts[1] = _borrower(2, 10e18, 5_000e6); // healthy at $2300
        accounts[2] = _borrower(3, 8e18, 17_000e6);
        _setEthPrice(2300e8);
        uint256 healthy = _health(accounts[1]);
        assertGe(healthy, 1e18);

        // What two single liquidations take from this state.
        uint256 snapshot = vm.snapshotState();
        (uint256 r0, uint256 s0) = _liquidate(accounts[0], wethAAsset, 100_000e6);
        (uint256 r2, uint256 s2) = _liquidate(accounts[2], wethAAsset, 100_000e6);
        vm.revertToState(snapshot);

        uint64 nextOrder = hub.nextOrderId();
        vm.recordLogs();
        (uint256 repaid, uint256 seized, uint64 orderId) = _liquidateBatch(accounts, 100_000e6);
        assertEq(orderId, nextOrder);
        assertEq(hub.nextOrderId(), nextOrder + 1, "one order for the batch");
        assertEq(repaid, r0 + r2, "each account repays what a single liquidation repays");
        assertEq(seized, s0 + s2);
        assertEq(hub.collateralOf(accounts[0], wethAAsset), 10e18 - s0);
        assertEq(hub.collateralOf(accounts[1], wethAAsset), 10e18, "the healthy account is passed over");
        assertEq(hub.collateralOf(accounts[2], wethAAsset), 8e18 - s2);
        assertEq(usdc.balanceOf(keeper), 100_000e6 - repaid);

        (AccountId[] memory liquidated, uint64[] memory orders, bytes[] memory skipped) = _batchLogs();
        assertEq(liquidated.length, 2);
        assertEq(AccountId.unwrap(liquidated[0]), AccountId.unwrap(accounts[0]));
        assertEq(AccountId.unwrap(liquidated[1]), AccountId.unwrap(accounts[2]));
        assertEq(orders[0], orderId, "every Liquidated event names the batch's order");
        assertEq(orders[1], orderId);
        assertEq(skipped.length, 1);
        assertEq(skipped[0], abi.encodeWithSelector(IMarginHubBase.AccountHealthy.selector, healthy));

        assertTrue(_hasPendingPackets(A_EID, address(vaultA)), "the batch sends a SEIZE");
        verifyPackets(A_EID, addressToBytes32(address(vaultA)), 1, address(0), "");
        assertFalse(_hasPendingPackets(A_EID, address(vaultA)), "one SEIZE for the batch");
        assertEq(wethA.balanceOf(keeper), seized, "the vault pays the sum once");
        assertEq(vaultA.custodied(address(wethA)), 28e18 - seized);
        _assertCashBalances();
    }

    function test_liquidateBatch_sharesOneBudgetAndRefusesEmptyOrOversizedBatches() public {
        _seedLiquidity(1_000_000e6);
        AccountId[] memory accounts = new AccountId[](2);
        accounts[0] = _borrower(1, 10e18, 20_000e6);
        accounts[1] = _borrower(2, 10e18, 20_000e6);
        _setEthPrice(2300e8);
        uint256 snapshot = vm.snapshotState();
        (uint256 first,) = _liquidate(accounts[0], wethAAsset, 100_000e6);
        vm.revertToState(snapshot);

        // A budget the first account uses up: the second is passed over, not liquidated for nothing.
        vm.recordLogs();
        (uint256 repaid,,) = _liquidateBatch(accounts, first);
        assertEq(repaid, first);
        (AccountId[] memory liquidated,, bytes[] memory skipped) = _batchLogs();
        assertEq(liquidated.length, 1);
        assertEq(skipped[0], abi.encodeWithSelector(IMarginHubBase.NothingToLiquidate.selector));
        assertEq(hub.collateralOf(accounts[1], wethAAsset), 10e18);

        vm.startPrank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IMarginHubBase.InvalidBatchSize.selector, 0, 64));
        hub.liquidateBatch(new AccountId[](0), wethAAsset, 1, keeper, "");
        vm.expectRevert(abi.encodeWithSelector(IMarginHubBase.InvalidBatchSize.selector, 65, 64));
        hub.liquidateBatch(new AccountId[](65), wethAAsset, 1, keeper, "");
        // A batch that passes everyone over sends nothing, pulls nothing, and says why in its logs.
        AccountId[] memory second = new AccountId[](1);
        second[0] = accounts[1];
        uint64 nextOrder = hub.nextOrderId();
        vm.recordLogs();
        (uint256 none, uint256 seized, uint64 orderId) = hub.liquidateBatch(second, wethAAsset, 0, keeper, "");
        vm.stopPrank();
        assertEq(none + seized + orderId, 0);
        assertEq(hub.nextOrderId(), nextOrder, "no SEIZE");
        (liquidated,, skipped) = _batchLogs();
        assertEq(liquidated.length, 0);
        assertEq(skipped[0], abi.encodeWithSelector(IMarginHubBase.NothingToLiquidate.selector));
    }

    function test_liquidatePositions_takesWhatSingleTakeoversWouldAndChecksTheKeeperOnce() public {
        _depositHubUsdc(bob, 1_000_000e6, 0);
        IMarginHubBase.PositionTakeover[] memory takeovers = new IMarginHubBase.PositionTakeover[](3);
        for (uint32 sub = 1; sub <= 3; ++sub) {
            _deposit(alice, vaultA, wethA, 10e18, sub);
            vm.prank(venue);
            hub.trade(_acct(alice, sub), _acct(bob, 0), ethPerp, sub == 2 ? 1e18 : 20e18, 3000e18);
            takeovers[sub - 1] =
                IMarginHubBase.PositionTakeover({account: _acct(alice, sub), marketId: ethPerp, maxSize: 20e18});
        }
        _setEthPrice(2000e8); // 17k of collateral against a 20k loss; sub-account 2 lost 1k
        uint256 healthy = _health(_acct(alice, 2));
        assertGe(healthy, 1e18);

        // The keeper's sub-account 7 has no margin for 40 ETH: the batch checks it after all.
        vm.expectPartialRevert(IMarginHubBase.InsufficientMargin.selector);
        vm.prank(keeper);
        hub.liquidatePositions(takeovers, 7);

        _depositHubUsdc(keeper, 1_000_000e6, 0);
        uint256 snapshot = vm.snapshotState();
        vm.startPrank(keeper);
        uint256 t1 = hub.liquidatePosition(_acct(alice, 1), ethPerp, 20e18, 0);
        uint256 t3 = hub.liquidatePosition(_acct(alice, 3), ethPerp, 20e18, 0);
        vm.stopPrank();
        int256 cash1 = hub.accountState(_acct(alice, 1)).cash;
        uint256 insurance = hub.insuranceFund();
        vm.revertToState(snapshot);

        vm.recordLogs();
        vm.prank(keeper);
        uint256[] memory sizes = hub.liquidatePositions(takeovers, 0);
        assertEq(sizes[0], t1);
        assertEq(sizes[1], 0, "the healthy account is passed over");
        assertEq(sizes[2], t3);
        assertEq(t1 + t3, 40e18, "health 0 is below fullCloseHealth: all of both");
        assertEq(hub.positionOf(_acct(keeper, 0), ethPerp), 40e18);
        assertEq(hub.positionOf(_acct(alice, 2), ethPerp), 1e18);
        assertEq(hub.accountState(_acct(alice, 1)).cash, cash1);
        assertEq(hub.insuranceFund(), insurance);
        (,, bytes[] memory skipped) = _batchLogs();
        assertEq(skipped.length, 1);
        assertEq(skipped[0], abi.encodeWithSelector(IMarginHubBase.AccountHealthy.selector, healthy));

        // The keeper itself is passed over; taking nothing needs no margin from the keeper's sub-account 7.
        IMarginHubBase.PositionTakeover[] memory none = new IMarginHubBase.PositionTakeover[](1);
        none[0] = IMarginHubBase.PositionTakeover({account: _acct(keeper, 7), marketId: ethPerp, maxSize: 1e18});
        vm.recordLogs();
        vm.prank(keeper);
        sizes = hub.liquidatePositions(none, 7);
        assertEq(sizes[0], 0);
        (,, skipped) = _batchLogs();
        assertEq(skipped[0], abi.encodeWithSelector(IMarginHubBase.SameAccount.selector));
        vm.expectRevert(abi.encodeWithSelector(IMarginHubBase.InvalidBatchSize.selector, 0, 64));
        vm.prank(keeper);
        hub.liquidatePositions(new IMarginHubBase.PositionTakeover[](0), 0);
        _assertCashBalances();
    }

    function _liquidateBatch(AccountId[] memory accounts, uint256 maxRepayTokens)
        internal
        returns (uint256 repaid, uint256 seized, uint64 orderId)
    {
        uint256 fee = _keeperFunded(wethAAsset, maxRepayTokens);
        vm.prank(keeper);
        (repaid, seized, orderId) = hub.liquidateBatch{value: fee}(accounts, wethAAsset, maxRepayTokens, keeper, "");
    }

    /// @dev The hub's Liquidated accounts and order ids, and LiquidationSkipped reasons, since vm.recordLogs().
    function _batchLogs()
        internal
        returns (AccountId[] memory liquidated, uint64[] memory orders, bytes[] memory skipped)
    {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        liquidated = new AccountId[](logs.length);
        orders = new uint64[](logs.length);
        skipped = new bytes[](logs.length);
        (uint256 l, uint256 k) = (0, 0);
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(hub)) continue;
            if (logs[i].topics[0] == IMarginHubBase.Liquidated.selector) {
                liquidated[l] = AccountId.wrap(logs[i].topics[1]);
                (,,, orders[l++],) = abi.decode(logs[i].data, (uint256, uint256, address, uint64, bytes32));
            } else if (logs[i].topics[0] == IMarginHubBase.LiquidationSkipped.selector) {
                skipped[k++] = abi.decode(logs[i].data, (bytes));
            }
        }
        assembly ("memory-safe") {
            mstore(liquidated, l)
            mstore(orders, l)
            mstore(skipped, k)
        }
    }
}
