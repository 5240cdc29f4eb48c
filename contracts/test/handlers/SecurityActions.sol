// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccountId, AccountIdLib} from "../../src/libraries/AccountIdLib.sol";
import {HandlerBase} from "./HandlerBase.sol";

/// @notice The handler's actions for the security review's findings: a deposit into someone else's account,
/// collateral moved between sub-accounts, a venue refused by an owner who revoked it, and a vault
/// paused while orders to it are in flight. Each asserts what must not happen where it happens.
abstract contract SecurityActions is HandlerBase {
    /// @notice One actor deposits into another's account (finding 1's griefer): the other is
    /// credited, and nothing the depositor does can lock the other out (the invariants read on).
    function depositForAnother(uint256 fromSeed, uint256 toSeed, uint256 collateralSeed, uint256 amountSeed) external {
        address from = _actor(fromSeed);
        address to = _actor(toSeed);
        if (to == from) to = _actor(fromSeed % actors.length + 1);
        uint256 ci = collateralSeed % collateral.length;
        Collateral memory c = collateral[ci];
        uint256 amount = bound(amountSeed, 1, 100 * c.unit);
        c.token.mint(from, amount);
        vm.deal(from, 10 ether);
        vm.startPrank(from);
        c.token.approve(address(c.vault), amount);
        uint256 fee = c.vault.quoteDeposit(to, 0, address(c.token), amount, "");
        (, uint256 credited) = c.vault.deposit{value: fee}(to, 0, address(c.token), amount, "");
        vm.stopPrank();
        if (c.eid != hub.localEid()) sent[0].push(Packet({collateralIndex: ci, amount: credited}));
        calls["depositForAnother"]++;
    }

    /// @notice An actor moves collateral between its two sub-accounts, refused where the one it
    /// leaves would fall short of initial margin.
    function transferCollateral(uint256 actorSeed, uint256 collateralSeed, uint256 amountSeed) external {
        address actor = _actor(actorSeed);
        Collateral memory c = collateral[collateralSeed % collateral.length];
        (uint32 fromSub, uint32 toSub) = amountSeed % 2 == 0 ? (uint32(0), uint32(1)) : (uint32(1), uint32(0));
        uint256 held = hub.collateralOf(AccountIdLib.toAccountId(actor, fromSub), c.assetId);
        if (held == 0) return;
        uint256 amount = bound(amountSeed, 1, held);
        vm.prank(actor);
        try hub.transferCollateral(fromSub, toSub, c.assetId, amount) {
            calls["transferCollateral"]++;
        } catch {
            calls["transferCollateral (refused)"]++;
        }
    }

    /// @notice Finding 3: an owner revokes the venue, which then cannot debit its account; the
    /// owner authorises it again.
    function revokeVenue(uint256 actorSeed, uint256 amountSeed) external {
        address actor = _actor(actorSeed);
        AccountId payer = AccountIdLib.toAccountId(actor, 0);
        AccountId payee = AccountIdLib.toAccountId(_actor(actorSeed % actors.length + 1), 0);
        vm.prank(actor);
        hub.setVenueAuthorization(venue, false);
        vm.prank(venue);
        try hub.settleCash(payer, payee, bound(amountSeed, 1, 1e24)) {
            revert("a venue debited an account whose owner revoked it");
        } catch {}
        vm.prank(actor);
        hub.setVenueAuthorization(venue, true);
        calls["revokeVenue"]++;
    }

    /// @notice A vault paused (its pauser is the fixture's admin, the oracle owner here) refuses
    /// deposits but still pays every RELEASE and SEIZE waiting for it; then it is unpaused.
    function pauseVault(uint256 collateralSeed, uint256 actorSeed) external {
        Collateral memory c = collateral[collateralSeed % collateral.length];
        vm.prank(oracleOwner);
        c.vault.pause();
        address actor = _actor(actorSeed);
        c.token.mint(actor, c.unit);
        vm.deal(actor, 10 ether);
        vm.startPrank(actor);
        c.token.approve(address(c.vault), c.unit);
        try c.vault.deposit{value: 1 ether}(actor, 0, address(c.token), c.unit, "") {
            revert("a paused vault took a deposit");
        } catch {}
        vm.stopPrank();
        for (uint256 d = 1; d < destinations.length; ++d) {
            if (destinations[d].receiver != address(c.vault)) continue;
            uint256 waiting = sent[d].length - delivered[d];
            if (waiting == 0) break;
            try courier.deliverSome(destinations[d].eid, destinations[d].receiver, waiting) {
                delivered[d] += waiting;
            } catch {
                refusedDeliveries++;
            }
        }
        vm.prank(oracleOwner);
        c.vault.unpause();
        calls["pauseVault"]++;
    }
}
