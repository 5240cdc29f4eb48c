// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccountId} from "../libraries/AccountIdLib.sol";

/// @notice What an authorised trading venue (a perp or option exchange) calls on the hub to
/// record trades it matched. The hub is the only ledger: it books positions and cash for both
/// sides and refuses a trade that leaves either side short of margin.
/// A venue acts only for accounts whose owner authorised it (`setVenueAuthorization`, per owner
/// and revocable, as Morpho Blue's `setAuthorization`), and moves cash between accounts only
/// within the limit per period governance set for it (`setVenueLimit`).
interface IMarginVenue {
    /// @notice A venue's cash settlement limit: at most `cashPerPeriod` (USD WAD) over each
    /// `period` seconds (windows aligned to multiples of `period`); `used` so far in the window
    /// starting at `windowStart`.
    struct VenueLimit {
        uint128 cashPerPeriod;
        uint32 period;
        uint64 windowStart;
        uint128 used;
    }

    /// @notice `owner` authorised `venue` to trade and settle cash for its accounts, or revoked it.
    event VenueAuthorizationSet(address indexed owner, address indexed venue, bool authorized);

    /// @notice Governance set `venue`'s cash settlement limit.
    event VenueLimitSet(address indexed venue, uint128 cashPerPeriod, uint32 period);

    /// @notice Raised when a venue acts for an account whose owner has not authorised it.
    error VenueNotAuthorized(AccountId account, address venue);

    /// @notice Raised when a settlement would take `venue` past its limit for the period (0: none set).
    error VenueLimitExceeded(address venue, uint256 wouldUse, uint256 limit);

    /// @notice Raised for a limit with a zero period.
    error InvalidVenuePeriod();

    /// @notice Authorises (or revokes) `venue` to trade and settle cash for every account of the caller.
    function setVenueAuthorization(address venue, bool authorized) external;

    /// @notice Whether `owner` authorised `venue`.
    function isVenueAuthorized(address owner, address venue) external view returns (bool);

    /// @notice Sets `venue`'s cash settlement limit (DEFAULT_ADMIN_ROLE); the window in progress
    /// starts afresh.
    function setVenueLimit(address venue, uint128 cashPerPeriod, uint32 period) external;

    /// @notice `venue`'s cash settlement limit and its use in the current window.
    function venueLimit(address venue) external view returns (VenueLimit memory);

    /// @notice `buyer` buys and `seller` sells `size` (WAD of the underlying) of `marketId` at
    /// `price` (USD WAD). Both owners must have authorised the venue. A side that increases its
    /// exposure must meet initial margin afterwards; a side that only reduces must stay above
    /// maintenance.
    /// @param buyer The buying account.
    /// @param seller The selling account.
    /// @param marketId The market traded.
    /// @param size WAD of the underlying (positive, at most type(int128).max).
    /// @param price USD WAD per unit, within the market's band around its mark.
    function trade(AccountId buyer, AccountId seller, uint16 marketId, uint256 size, uint256 price) external;

    /// @notice Moves `amount` USD WAD of cash from `payer` to `receiver` (funding, fees, PnL
    /// settled off the hub). The payer's owner must have authorised the venue, and the amount
    /// counts against the venue's limit for the period. Owed payments go through even if they leave `payer` liquidatable;
    /// one that leaves `payer` with no collateral, no positions and negative cash resolves that
    /// as bad debt at once (insurance fund first), as a liquidation does.
    /// @param payer The account debited.
    /// @param receiver The account credited.
    /// @param amount USD WAD (positive, at most type(int128).max).
    function settleCash(AccountId payer, AccountId receiver, uint256 amount) external;
}
