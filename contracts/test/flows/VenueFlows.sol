// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {AccountId} from "../../src/libraries/AccountIdLib.sol";
import {IMarginVenue} from "../../src/interfaces/IMarginVenue.sol";
import {FlowHelpers} from "./FlowHelpers.sol";

/// @notice Finding 3: a venue acts only for accounts whose owners authorised it, and moves cash
/// only within the limit per period governance set for it.
abstract contract VenueFlows is FlowHelpers {
    /// @dev Carol holds 1,000 USDC of collateral on the hub and never authorised the venue: it can neither
    /// debit her nor trade for her; once she does, it can; once she revokes, it cannot again.
    function test_venue_cannotDebitOrTradeForAnAccountThatDidNotAuthoriseIt() public {
        address carolOwner = makeAddr("carol");
        AccountId carol = _acct(carolOwner, 1);
        _depositHubUsdc(carolOwner, 1_000e6, 1);
        assertFalse(hub.isVenueAuthorized(carolOwner, venue));

        vm.startPrank(venue);
        vm.expectRevert(abi.encodeWithSelector(IMarginVenue.VenueNotAuthorized.selector, carol, venue));
        hub.settleCash(carol, _acct(bob, 0), 1_000e18);
        vm.expectRevert(abi.encodeWithSelector(IMarginVenue.VenueNotAuthorized.selector, carol, venue));
        hub.trade(_acct(bob, 0), carol, ethPerp, 0.1e18, 3000e18);
        vm.stopPrank();

        vm.expectEmit(address(hub));
        emit IMarginVenue.VenueAuthorizationSet(carolOwner, venue, true);
        vm.prank(carolOwner);
        hub.setVenueAuthorization(venue, true);
        vm.prank(venue);
        hub.settleCash(carol, _acct(bob, 0), 400e18);
        assertEq(hub.accountState(carol).cash, -400e18, "owed against her USDC collateral");

        vm.prank(carolOwner);
        hub.setVenueAuthorization(venue, false);
        vm.expectRevert(abi.encodeWithSelector(IMarginVenue.VenueNotAuthorized.selector, carol, venue));
        vm.prank(venue);
        hub.settleCash(carol, _acct(bob, 0), 1e18);
        // Receiving needs no consent: the venue still pays her.
        vm.prank(venue);
        hub.settleCash(_acct(bob, 0), carol, 1e18);
    }

    /// @dev A venue settles at most its limit in each window; a venue with no limit set settles nothing.
    function test_venue_settlesCashOnlyWithinItsLimitPerPeriod() public {
        _depositHubUsdc(alice, 10_000e6, 0);
        vm.expectEmit(address(hub));
        emit IMarginVenue.VenueLimitSet(venue, 1_000e18, 1 days);
        vm.prank(admin);
        hub.setVenueLimit(venue, 1_000e18, 1 days);

        vm.startPrank(venue);
        hub.settleCash(_acct(alice, 0), _acct(bob, 0), 600e18);
        vm.expectRevert(abi.encodeWithSelector(IMarginVenue.VenueLimitExceeded.selector, venue, 1_100e18, 1_000e18));
        hub.settleCash(_acct(alice, 0), _acct(bob, 0), 500e18);
        hub.settleCash(_acct(alice, 0), _acct(bob, 0), 400e18);
        assertEq(hub.venueLimit(venue).used, 1_000e18);
        vm.warp((block.timestamp / 1 days + 1) * 1 days); // the next window
        hub.settleCash(_acct(alice, 0), _acct(bob, 0), 500e18);
        vm.stopPrank();
        assertEq(hub.venueLimit(venue).used, 500e18);

        address other = makeAddr("other venue");
        bytes32 role = hub.VENUE_ROLE();
        vm.prank(admin);
        hub.grantRole(role, other);
        vm.prank(alice);
        hub.setVenueAuthorization(other, true);
        vm.expectRevert(abi.encodeWithSelector(IMarginVenue.VenueLimitExceeded.selector, other, 1e18, 0));
        vm.prank(other);
        hub.settleCash(_acct(alice, 0), _acct(bob, 0), 1e18);

        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, alice, hub.DEFAULT_ADMIN_ROLE()
            )
        );
        vm.prank(alice);
        hub.setVenueLimit(venue, type(uint128).max, 1 days);
        vm.expectRevert(IMarginVenue.InvalidVenuePeriod.selector);
        vm.prank(admin);
        hub.setVenueLimit(venue, 1e18, 0);
    }
}
