// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccountId} from "../libraries/AccountIdLib.sol";

/// @notice What an authorised trading venue (a perp or option exchange) calls on the hub to
/// record trades it matched. The hub is the only ledger: it books positions and cash for both
/// sides and refuses a trade that leaves either side short of margin.
interface IMarginVenue {
    /// @notice `buyer` buys and `seller` sells `size` (WAD of the underlying) of `marketId` at
    /// `price` (USD WAD). A side that increases its exposure must meet initial margin afterwards;
    /// a side that only reduces must stay above maintenance.
    /// @param buyer The buying account.
    /// @param seller The selling account.
    /// @param marketId The market traded.
    /// @param size WAD of the underlying (positive, at most type(int128).max).
    /// @param price USD WAD per unit, within the market's band around its mark.
    function trade(AccountId buyer, AccountId seller, uint16 marketId, uint256 size, uint256 price) external;

    /// @notice Moves `amount` USD WAD of cash from `payer` to `receiver` (funding, fees, PnL
    /// settled off the hub). Owed payments go through even if they leave `payer` liquidatable;
    /// one that leaves `payer` with no collateral, no positions and negative cash resolves that
    /// as bad debt at once (insurance fund first), as a liquidation does.
    /// @param payer The account debited.
    /// @param receiver The account credited.
    /// @param amount USD WAD (positive, at most type(int128).max).
    function settleCash(AccountId payer, AccountId receiver, uint256 amount) external;
}
