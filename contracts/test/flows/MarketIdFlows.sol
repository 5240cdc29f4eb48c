// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccountIdLib} from "../../src/libraries/AccountIdLib.sol";
import {IRiskConfig} from "../../src/interfaces/IRiskConfig.sol";
import {FlowHelpers} from "./FlowHelpers.sol";

/// @notice Finding 6 of the security review: market ids are 64, so a settled option's id must be
/// listed again once nobody holds it, or weekly options would use them up in about a year.
abstract contract MarketIdFlows is FlowHelpers {
    /// @dev A weekly $3,300 ETH call, bought by bob from alice, expired, settled by both: 100 of
    /// them, one a week, on 64 ids (the perp keeps id 0).
    function test_marketIds_settledOptionsFreeTheirIdsSoMoreThan64MarketsAreListedOverTime() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _depositHubUsdc(bob, 100_000e6, 0);
        uint256 reused;
        for (uint256 week; week < 100; ++week) {
            uint16 id = _listEthCall(3300e18, 7 days);
            assertLt(id, engine.MAX_MARKETS());
            if (week >= engine.MAX_MARKETS() - 1) {
                assertEq(engine.marketCount(), engine.MAX_MARKETS(), "no id beyond the 64");
                assertEq(engine.market(id).settlementPrice, 0, "the new terms replace the settled option's");
                assertEq(engine.market(id).expiry, block.timestamp + 7 days);
                ++reused;
            }
            _tradeAndSettle(id);
        }
        assertEq(reused, 100 - (engine.MAX_MARKETS() - 1));
        assertEq(engine.market(0).kind == IRiskConfig.MarketKind.Perp, true, "the perp is never reused");
    }

    /// @dev An option still held, or not yet settled, keeps its id: with every id in use and none
    /// free, listing is refused by name.
    function test_marketIds_anOptionStillHeldKeepsItsId() public {
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _depositHubUsdc(bob, 100_000e6, 0);
        uint16 held = _listEthCall(3300e18, 7 days);
        uint256 mark = engine.markPrice(held);
        vm.prank(venue);
        hub.trade(_acct(bob, 0), _acct(alice, 0), held, 1e18, mark);
        while (engine.marketCount() < engine.MAX_MARKETS()) _listEthCall(3300e18, 7 days);
        vm.warp(block.timestamp + 7 days);
        _refreshFeeds();
        _fixSettlement(held);
        hub.settleExpired(_acct(bob, 0), held);
        assertEq(hub.marketHolders(held), 2, "alice and the clearing account still hold it");
        vm.expectRevert(IRiskConfig.TooManyMarkets.selector);
        _listEthCall(3300e18, 7 days);

        hub.settleExpired(_acct(alice, 0), held);
        assertEq(hub.marketHolders(held), 0);
        assertEq(_listEthCall(3300e18, 7 days), held, "the lowest free id");
    }

    function _tradeAndSettle(uint16 id) private {
        uint256 mark = engine.markPrice(id);
        vm.prank(venue);
        hub.trade(_acct(bob, 0), _acct(alice, 0), id, 1e18, mark);
        assertEq(hub.marketHolders(id), 2);
        vm.warp(engine.market(id).expiry);
        _refreshFeeds();
        _fixSettlement(id);
        hub.settleExpired(_acct(bob, 0), id);
        hub.settleExpired(_acct(alice, 0), id);
        assertEq(hub.marketHolders(id), 0, "bob, alice and the clearing account are flat");
        assertEq(hub.positionOf(AccountIdLib.toAccountId(address(hub), id), id), 0);
    }
}
