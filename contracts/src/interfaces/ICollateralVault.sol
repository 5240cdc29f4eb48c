// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {INativeSweep} from "./INativeSweep.sol";

/// @title ICollateralVault
/// @notice Custody of collateral on one chain. Deposits are reported to the MarginHub with a
/// CREDIT message; tokens leave only on a RELEASE (withdrawal) or SEIZE (liquidation) from the hub.
/// No function here, the admin's included, moves custody any other way; what the LayerZero
/// delegate can do is in docs/security.md.
/// @dev The vault is a LayerZero OApp whose only peer is the hub (set once); the OApp and
/// AccessControl functions it inherits are not repeated here.
interface ICollateralVault is INativeSweep {
    /// @notice `token` was allowed as collateral or stopped (`allowed` false), with a custody cap.
    /// @param token The token.
    /// @param allowed Whether new deposits of it are accepted.
    /// @param cap Most of it this vault will hold, in token units.
    event TokenConfigured(address indexed token, bool allowed, uint256 cap);

    /// @notice A deposit arrived in custody and its CREDIT was sent to the hub.
    /// @param creditId The CREDIT message's id (per vault).
    /// @param account The account credited on the hub.
    /// @param subAccount Its sub-account.
    /// @param token The token deposited.
    /// @param amount Token units that arrived in custody (and are credited).
    /// @param depositor Who paid the tokens.
    /// @param guid The LayerZero message guid (zero when the hub is on this chain).
    event Deposited(
        uint64 indexed creditId,
        address indexed account,
        uint32 subAccount,
        address indexed token,
        uint256 amount,
        address depositor,
        bytes32 guid
    );

    /// @notice The hub's RELEASE (a withdrawal) was paid out.
    /// @param id The hub's order id.
    /// @param account The account that withdrew.
    /// @param token The token paid.
    /// @param amount Token units paid.
    /// @param recipient Who received them.
    event Released(
        uint64 indexed id, address indexed account, address indexed token, uint256 amount, address recipient
    );

    /// @notice The hub's SEIZE (a liquidation) was paid out.
    /// @param id The hub's order id.
    /// @param account The liquidated account, or zero for a batch of accounts (the hub's
    /// `Liquidated` events with this order id name each, and what each gave up).
    /// @param token The token paid.
    /// @param amount Token units paid.
    /// @param recipient The liquidator's receiver.
    event Seized(uint64 indexed id, address indexed account, address indexed token, uint256 amount, address recipient);

    /// @notice A RELEASE or SEIZE could not pay `recipient` (the token refused the transfer, a
    /// blocklist say, or moved less than asked): `amount` is kept for it, to `claim`.
    event PayoutDeferred(uint64 indexed id, address indexed recipient, address indexed token, uint256 amount);

    /// @notice `recipient` claimed what was kept for it, paid to `to`.
    event PayoutClaimed(address indexed recipient, address indexed token, uint256 amount, address to);

    /// @notice Raised when depositing a token that is not allowed.
    error TokenNotAllowed(address token);
    /// @notice Raised when a deposit would take custody of `token` to `custodied`, above its `cap`.
    error CapExceeded(address token, uint256 custodied, uint256 cap);
    /// @notice Raised when a deposit's transfer delivered no tokens.
    error NothingReceived(address token);
    /// @notice Raised when a hub order with this id was already applied.
    error MessageAlreadyProcessed(uint64 id);
    /// @notice Raised when a message comes from a chain other than the hub's.
    error NotFromHub(uint32 srcEid);
    /// @notice Raised when setting a peer on a chain other than the hub's.
    error NotHubEid(uint32 eid);
    /// @notice Raised when a hub order asks for more of `token` than the vault custodies (which a
    /// correct hub never does).
    error InsufficientCustody(address token, uint256 custodied, uint256 amount);
    /// @notice Raised when claiming with nothing kept for the caller in `token`.
    error NothingToClaim(address recipient, address token);

    /// @notice The role that may pause and unpause deposits.
    function PAUSER_ROLE() external view returns (bytes32);

    /// @notice The role that may allow tokens and set their caps.
    function LISTING_ROLE() external view returns (bytes32);

    /// @notice Endpoint id of the hub chain; the only chain this vault takes orders from.
    function hubEid() external view returns (uint32);

    /// @notice Whether `token` is accepted and how much of it the vault will hold.
    /// @param token The token.
    /// @return allowed Whether new deposits of it are accepted.
    /// @return cap Most of it this vault will hold, in token units; enforced here because a
    /// deposit is only synchronous on this chain (the hub learns of it a message later and
    /// cannot refuse it).
    function tokenConfig(address token) external view returns (bool allowed, uint256 cap);

    /// @notice Tokens this vault has taken in and not yet paid out. Tokens sent here directly
    /// (donations, positive rebases) are not counted and never credited.
    /// @param token The token.
    /// @return Token units in custody.
    function custodied(address token) external view returns (uint256);

    /// @notice Whether the hub order (RELEASE or SEIZE) with id `id` was applied.
    /// @param id The hub's order id.
    function processed(uint64 id) external view returns (bool);

    /// @notice Id of the next CREDIT this vault sends.
    function nextCreditId() external view returns (uint64);

    /// @notice Allow a token as collateral, or stop new deposits of it (LISTING_ROLE). Payouts of
    /// a delisted token still work: delisting must never trap what is already here.
    /// @param token The token (not zero).
    /// @param allowed Whether new deposits of it are accepted.
    /// @param cap Most of it this vault will hold, in token units.
    function configureToken(address token, bool allowed, uint256 cap) external;

    /// @notice Stops new deposits (PAUSER_ROLE). Releases and seizures the hub already approved
    /// are still paid.
    function pause() external;

    /// @notice Accepts deposits again after `pause` (PAUSER_ROLE).
    function unpause() external;

    /// @notice Fee in native gas the caller must send with `deposit` for the CREDIT message.
    /// @param account The account to credit on the hub.
    /// @param subAccount Its sub-account.
    /// @param token The token to deposit.
    /// @param amount Token units to deposit.
    /// @param options Type-3 LayerZero options added to the enforced ones (usually empty).
    /// @return nativeFee Native gas to send as msg.value (0 when the hub is on this chain).
    function quoteDeposit(address account, uint32 subAccount, address token, uint256 amount, bytes calldata options)
        external
        view
        returns (uint256 nativeFee);

    /// @notice Deposit `amount` of `token` into `account`'s sub-account on the hub. The deposit
    /// counts toward margin once the hub has the CREDIT. Send `quoteDeposit` as msg.value.
    /// @param account The account to credit on the hub (not zero; anyone may deposit for anyone).
    /// @param subAccount Its sub-account (0: the cross-margin pool).
    /// @param token An allowed token; the caller must have approved `amount` to the vault.
    /// @param amount Token units to transfer in.
    /// @param options Type-3 LayerZero options added to the enforced ones (usually empty).
    /// @return creditId The id of the CREDIT message, for tracking it to the hub.
    /// @return credited What arrived in custody (less than `amount` for a fee-on-transfer token).
    function deposit(address account, uint32 subAccount, address token, uint256 amount, bytes calldata options)
        external
        payable
        returns (uint64 creditId, uint256 credited);

    /// @notice What a RELEASE or SEIZE could not pay `recipient` in `token`, kept for it. It is
    /// outside `custodied`: the hub debited it already.
    function owed(address recipient, address token) external view returns (uint256);

    /// @notice Pays the caller's kept `token` to `to` (itself, or another address when a blocklist
    /// stops the first).
    function claim(address token, address to) external returns (uint256 amount);
}
