// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {AccountId} from "../../src/libraries/AccountIdLib.sol";
import {MarginMath} from "../../src/risk/MarginMath.sol";
import {IMarginHubBase} from "../../src/interfaces/IMarginHubBase.sol";
import {IBackstopVault} from "../../src/interfaces/IBackstopVault.sol";
import {BackstopVault} from "../../src/backstop/BackstopVault.sol";
import {FlowHelpers} from "./FlowHelpers.sol";

/// @notice The backstop vault, the waterfall's step between keepers and the insurance fund
/// (docs/risk-model.md section 8.3): it takes a liquidatable account over whole, with its own
/// margin, and its depositors keep the equity the account brought.
/// @dev Alice's borrower holds 10 WETH (maintenance haircut 15%) against 20,000 of debt. At ETH
/// $2,450 her maintenance equity is 20,825 - 20,000 = 825 against a requirement of 1,041.25
/// (health 0.79); at $2,470, 995 against 1,049.75 (0.948); at $2,300 she is underwater.
abstract contract BackstopFlows is FlowHelpers {
    address internal lp = makeAddr("lp");

    function _backstopVault(uint256 backstopHealth, uint256 patience, uint256 lpTokens)
        internal
        returns (BackstopVault v)
    {
        v = BackstopVault(_newBackstopVault(backstopHealth, patience, 5e6));
        assertTrue(address(v) != address(0), "deployed");
        vm.startPrank(admin);
        hub.grantRole(hub.BACKSTOP_ROLE(), address(v));
        vm.stopPrank();
        _lpDeposit(v, lpTokens);
    }

    /// @dev From the build output (`new` would embed the vault's creation code in the test), by
    /// CREATE so that a constructor's revert reaches `vm.expectRevert`.
    function _newBackstopVault(uint256 backstopHealth, uint256 patience, uint256 reward) internal returns (address v) {
        bytes memory code = abi.encodePacked(
            vm.getCode("BackstopVault.sol:BackstopVault"),
            abi.encode(hub, "Backstop USDC", "bUSDC", backstopHealth, patience, reward)
        );
        assembly ("memory-safe") {
            v := create(0, add(code, 0x20), mload(code))
        }
    }

    function _lpDeposit(BackstopVault v, uint256 tokens) internal {
        usdc.mint(lp, tokens);
        vm.startPrank(lp);
        usdc.approve(address(v), tokens);
        v.deposit(tokens, lp);
        vm.stopPrank();
    }

    function test_backstop_takesAnAccountWholeAtOnceBelowItsHealth() public {
        BackstopVault v = _backstopVault(0.8e18, 100, 100_000e6);
        assertEq(hub.accountState(v.hubAccount()).cash, 100_000e18, "deposits are the vault's hub cash");
        assertEq(v.totalAssets(), 100_000e6);
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        _setEthPrice(2450e8);
        assertLt(_health(a), 0.8e18);
        MarginMath.Figures memory f = hub.accountFigures(a);
        assertEq(f.maintenanceEquity, 825e18);
        uint256 shares = v.balanceOf(lp);

        vm.expectEmit(address(hub));
        emit IMarginHubBase.AccountTakenOver(a, v.hubAccount(), 825e18, f.maintenanceRequirement);
        vm.expectEmit(address(v));
        emit IBackstopVault.Backstopped(a, bob, 825e18, f.maintenanceRequirement, 5e6);
        vm.prank(bob);
        assertEq(v.backstop(a), 825e18);

        IMarginHubBase.AccountState memory st = hub.accountState(a);
        assertEq(st.assets, 0, "alice's account is empty");
        assertEq(st.markets, 0);
        assertEq(st.cash, 0);
        assertEq(hub.collateralOf(v.hubAccount(), wethAAsset), 10e18, "the collateral stays on the hub's ledger");
        assertEq(hub.accountState(v.hubAccount()).cash, 79_995e18, "her debt, and the caller's reward paid");
        assertEq(usdc.balanceOf(bob), 5e6);
        // The depositors gain her equity, less the reward: 100,000 + 825 - 5.
        assertEq(v.totalAssets(), 100_820e6);
        assertGt(v.convertToAssets(shares), 100_000e6);
        _assertCashBalances();
    }

    function test_backstop_takesALiquidatableAccountOnceFlaggedForItsPatience() public {
        BackstopVault v = _backstopVault(0.8e18, 100, 100_000e6);
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        _setEthPrice(2470e8);
        uint256 h = _health(a);
        assertGt(h, 0.8e18);
        assertLt(h, 1e18);
        vm.expectRevert(abi.encodeWithSelector(IBackstopVault.NotYetBackstoppable.selector, h, 0.8e18, 0));
        v.backstop(a);

        vm.expectEmit(address(v));
        emit IBackstopVault.AccountFlagged(a, block.number, h);
        v.flag(a);
        uint256 eligibleAt = block.number + 100;
        v.flag(a); // a second flag does not restart the wait
        assertEq(v.flaggedAt(a) + 100, eligibleAt);
        vm.roll(eligibleAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IBackstopVault.NotYetBackstoppable.selector, h, 0.8e18, eligibleAt));
        v.backstop(a);

        vm.roll(eligibleAt);
        vm.prank(bob);
        v.backstop(a);
        assertEq(hub.collateralOf(v.hubAccount(), wethAAsset), 10e18);
        assertEq(v.flaggedAt(a), 0, "the flag is spent");
        _assertCashBalances();
    }

    function test_backstop_refusesHealthyUnderwaterAndTooLargeAccountsAndStrangers() public {
        BackstopVault v = _backstopVault(1e18, 0, 10e6);
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        uint256 h = _health(a);
        vm.expectRevert(abi.encodeWithSelector(IBackstopVault.AccountNotLiquidatable.selector, h));
        v.backstop(a);
        vm.expectRevert(abi.encodeWithSelector(IBackstopVault.AccountNotLiquidatable.selector, h));
        v.flag(a);

        // 10 USDC of margin cannot carry 20,000 of debt: the hub refuses, nothing moves.
        _setEthPrice(2450e8);
        vm.expectPartialRevert(IMarginHubBase.InsufficientMargin.selector);
        v.backstop(a);
        assertEq(hub.collateralOf(a, wethAAsset), 10e18);

        // Underwater: the shortfall is the insurance fund's and positive cash's, not the depositors'.
        _lpDeposit(v, 100_000e6);
        _setEthPrice(2300e8);
        int256 equity = hub.accountFigures(a).maintenanceEquity;
        assertLt(equity, 0);
        vm.expectRevert(abi.encodeWithSelector(IBackstopVault.AccountUnderwater.selector, equity));
        v.backstop(a);

        // Only a backstop takes accounts over on the hub, and never a healthy one.
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, hub.BACKSTOP_ROLE())
        );
        vm.prank(bob);
        hub.takeOverAccount(a, 0);
        _setEthPrice(3000e8);
        h = _health(a);
        vm.expectRevert(abi.encodeWithSelector(IMarginHubBase.AccountHealthy.selector, h));
        vm.prank(address(v));
        hub.takeOverAccount(a, 0);
        AccountId own = v.hubAccount();
        vm.expectRevert(abi.encodeWithSelector(IMarginHubBase.SameAccount.selector));
        vm.prank(address(v));
        hub.takeOverAccount(own, 0);

        vm.expectRevert(abi.encodeWithSelector(IBackstopVault.InvalidBackstopHealth.selector, 1.1e18));
        _newBackstopVault(1.1e18, 0, 0);
    }

    function test_backstop_flagIsClearedOnceTheAccountIsHealthyAgain() public {
        BackstopVault v = _backstopVault(0.8e18, 100, 100_000e6);
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        _setEthPrice(2470e8);
        v.flag(a);
        _setEthPrice(3000e8);
        uint256 h = _health(a);
        vm.expectEmit(address(v));
        emit IBackstopVault.FlagCleared(a, h);
        v.flag(a);
        assertEq(v.flaggedAt(a), 0);
        // Liquidatable again: the wait starts over.
        _setEthPrice(2470e8);
        v.flag(a);
        vm.roll(block.number + 99);
        vm.expectPartialRevert(IBackstopVault.NotYetBackstoppable.selector);
        v.backstop(a);
    }

    function test_backstop_depositorsWithdrawThroughTheHubButNotTheMarginInUse() public {
        BackstopVault v = _backstopVault(0.8e18, 0, 30_000e6);
        AccountId a = _borrowedAgainstWeth(10e18, 20_000e6);
        _setEthPrice(2450e8);
        v.backstop(a);
        // The vault now owes alice's 20,000 against her 10 WETH: its depositors cannot take out
        // the cash that carries them.
        uint256 all = v.maxWithdraw(lp);
        vm.expectPartialRevert(IMarginHubBase.InsufficientMargin.selector);
        vm.prank(lp);
        v.withdraw(all, lp, lp);
        vm.prank(lp);
        v.withdraw(1_000e6, lp, lp);
        assertEq(usdc.balanceOf(lp), 1_000e6);
        assertEq(hub.accountState(v.hubAccount()).cash, 8_995e18, "30,000 - 20,000 - 5 - 1,000");
        _assertCashBalances();
    }
}
