// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccountId} from "../libraries/AccountIdLib.sol";
import {IAccountFigures} from "./IAccountFigures.sol";
import {IMarginVenue} from "./IMarginVenue.sol";
import {IMarginHubBase} from "./IMarginHubBase.sol";
import {INativeSweep} from "./INativeSweep.sol";

/// @title IMarginHub
/// @notice The one ledger of the system: collateral per account, chain and token (as the vaults
/// reported it), USD cash, and positions recorded by venues. It alone decides withdrawals
/// (RELEASE) and liquidations (SEIZE), asking its risk engine for margin at guarded prices first.
/// @dev An account is an owner and a sub-account packed into an `AccountId` (AccountIdLib);
/// sub-account 0 is the owner's cross-margin pool. Cash, equity and requirements are USD WAD;
/// collateral amounts are token units; `tokens` are settlement token units. The hub is a
/// LayerZero OApp with set-once peers (one vault per chain); the OApp and AccessControl functions
/// it inherits are not repeated here.
interface IMarginHub is INativeSweep, IMarginHubBase, IMarginVenue, IAccountFigures {
    // ---------------------------------------------------------------- withdrawals

    /// @notice Fee in native gas for a RELEASE (withdraw) or SEIZE (liquidate) to `assetId`'s chain.
    /// @param assetId The asset to be paid out.
    /// @param msgType MessageCodec.RELEASE or MessageCodec.SEIZE.
    /// @param options Type-3 LayerZero options added to the enforced ones (usually empty).
    /// @return Native gas to send as msg.value (0 when the asset's vault is on the hub chain).
    function quoteOrder(uint16 assetId, uint8 msgType, bytes calldata options) external view returns (uint256);

    /// @notice Withdraw collateral held on `assetId`'s chain to `recipient` there. Checked as if
    /// the collateral were already gone: the account must still meet initial margin.
    /// Send `quoteOrder(assetId, RELEASE, options)` as msg.value.
    /// @param subAccount The caller's sub-account to debit.
    /// @param assetId The asset to withdraw.
    /// @param amount Token units to withdraw.
    /// @param recipient Who the vault pays, on the asset's chain.
    /// @param options Type-3 LayerZero options added to the enforced ones (usually empty).
    /// @return orderId The RELEASE's id.
    function withdraw(uint32 subAccount, uint16 assetId, uint256 amount, address recipient, bytes calldata options)
        external
        payable
        returns (uint64 orderId);

    /// @notice Move collateral between two of the caller's sub-accounts (cross pool = 0). The
    /// sub-account debited must still meet initial margin.
    /// @param fromSub The sub-account debited.
    /// @param toSub The sub-account credited.
    /// @param assetId The asset to move.
    /// @param amount Token units to move.
    function transferCollateral(uint32 fromSub, uint32 toSub, uint16 assetId, uint256 amount) external;

    // ---------------------------------------------------------------- cash

    /// @notice Pay settlement tokens into an account's cash (anyone may, e.g. to repay its debt).
    /// The caller must have approved `tokens` to the hub.
    /// @param owner_ The account's owner.
    /// @param subAccount Its sub-account.
    /// @param tokens Settlement token units to pay in.
    function depositCash(address owner_, uint32 subAccount, uint256 tokens) external;

    /// @notice Take cash out in settlement tokens. Cash may go negative (borrowing against
    /// collateral) as long as the account still meets initial margin.
    /// @param subAccount The caller's sub-account to debit.
    /// @param tokens Settlement token units to pay out.
    /// @param recipient Who receives them.
    function withdrawCash(uint32 subAccount, uint256 tokens, address recipient) external;

    /// @notice Add to the insurance fund, which covers bankrupt accounts before anything is
    /// socialised. The caller must have approved `tokens` to the hub.
    /// @param tokens Settlement token units to pay in.
    function fundInsurance(uint256 tokens) external;

    /// @notice A deposit the vault took and the hub cannot count: a token the hub has not listed
    /// on that chain. The vault keeps it in custody for `refundCredit`.
    struct RefusedCredit {
        AccountId account;
        address token;
        uint256 amount;
    }

    /// @notice The CREDIT `creditId` from `srcEid` was of a token not listed there: not counted,
    /// and refundable to the account's owner.
    event CreditRefused(
        AccountId indexed account, uint32 indexed srcEid, uint64 indexed creditId, address token, uint256 amount
    );

    /// @notice A refused deposit goes back to its account's owner, by the RELEASE `orderId`.
    event CreditRefunded(AccountId indexed account, uint32 indexed srcEid, uint64 indexed creditId, uint64 orderId);

    /// @notice Raised when refunding a credit that was not refused, or was refunded already.
    error NoRefusedCredit(uint32 srcEid, uint64 creditId);

    /// @notice Raised when someone other than the account's owner asks for its refund.
    error NotTheDepositOwner(AccountId account, address caller);

    /// @notice The refused deposit `creditId` from `srcEid` (zero amount: none).
    function refusedCredit(uint32 srcEid, uint64 creditId) external view returns (RefusedCredit memory);

    /// @notice Fee in native gas for `refundCredit` (0 on the hub's own chain).
    function quoteRefund(uint32 srcEid, uint64 creditId, bytes calldata options) external view returns (uint256);

    /// @notice Sends a refused deposit back to its account's owner (the caller) on the chain it
    /// came from, with a RELEASE; pay `quoteRefund` as msg.value.
    function refundCredit(uint32 srcEid, uint64 creditId, bytes calldata options)
        external
        payable
        returns (uint64 orderId);

    // ---------------------------------------------------------------- options

    /// @notice Settle an account's position in an expired option at its settlement payoff
    /// (fixed by the engine at the first settlement after expiry). Anyone may call it.
    /// @dev The counterparty is the market's clearing account (the hub, sub-account = market id),
    /// so cash only moves between accounts and totalCash is unchanged; once every holder has
    /// settled, the clearing account's position is zero again. A clearing account left with no
    /// position and a debt (share rounding, a wei at a time, once the cash index is below WAD) is
    /// resolved as any bankrupt account is.
    /// @param account The account to settle.
    /// @param marketId The expired option market.
    /// @return cashDelta USD WAD added to (or, for a short, taken from) the account's cash.
    function settleExpired(AccountId account, uint16 marketId) external returns (int256 cashDelta);

    // ---------------------------------------------------------------- liquidations

    /// @notice Repay up to `maxRepayTokens` of an unhealthy account's cash debt (in settlement
    /// tokens, pulled from the caller) and receive its `assetId` collateral worth
    /// repay * (1 + bonus), paid to `receiver` on the chain that holds it. The repayment is cut
    /// to what restores the account's health (and to the close factor), so only as much is
    /// liquidated as needed. Send `quoteOrder(assetId, SEIZE, options)` as msg.value.
    /// @param account The account to liquidate (maintenance health below 1e18).
    /// @param assetId The collateral to seize.
    /// @param maxRepayTokens The most settlement token units the caller repays.
    /// @param receiver Who the vault pays, on the asset's chain.
    /// @param options Type-3 LayerZero options added to the enforced ones (usually empty).
    /// @return repaidTokens Settlement token units repaid (pulled from the caller).
    /// @return seized Token units of the asset seized.
    /// @return orderId The SEIZE's id.
    function liquidate(
        AccountId account,
        uint16 assetId,
        uint256 maxRepayTokens,
        address receiver,
        bytes calldata options
    ) external payable returns (uint256 repaidTokens, uint256 seized, uint64 orderId);

    /// @notice `liquidate` for many accounts and one asset, with one repayment and one SEIZE:
    /// the vault pays `receiver` the sum of what every account gave up, and the LayerZero send,
    /// the token pull and the vault's payout are paid once instead of once per account. An
    /// account the single call would refuse (healthy by now, no debt, nothing to take) is passed
    /// over with `LiquidationSkipped`. A batch that passes every account over pulls nothing,
    /// sends nothing and returns zeros, so each account's reason is in the receipt.
    /// @param accounts The accounts to liquidate, at most `MAX_LIQUIDATION_BATCH`.
    /// @param assetId The collateral to seize from each.
    /// @param maxRepayTokens The most settlement token units the caller repays, over the batch.
    /// @param receiver Who the vault pays, on the asset's chain.
    /// @param options Type-3 LayerZero options added to the enforced ones (usually empty).
    /// @return repaidTokens Settlement token units repaid in all (pulled from the caller).
    /// @return seized Token units of the asset seized in all: the SEIZE's amount.
    /// @return orderId The SEIZE's id, shared by the batch's `Liquidated` events (zero if none).
    function liquidateBatch(
        AccountId[] calldata accounts,
        uint16 assetId,
        uint256 maxRepayTokens,
        address receiver,
        bytes calldata options
    ) external payable returns (uint256 repaidTokens, uint256 seized, uint64 orderId);

    /// @notice `liquidatePosition` for many accounts, checking the keeper's initial margin once,
    /// after every takeover. A takeover the single call would refuse is passed over with
    /// `LiquidationSkipped`; a batch that takes nothing returns zeros.
    /// @param takeovers The positions to take over, at most `MAX_LIQUIDATION_BATCH`.
    /// @param keeperSubAccount The caller's sub-account that takes the positions.
    /// @return sizesTaken WAD of the underlying taken over, per takeover (zero where passed over).
    function liquidatePositions(PositionTakeover[] calldata takeovers, uint32 keeperSubAccount)
        external
        returns (uint256[] memory sizesTaken);

    /// @notice Take over up to `maxSize` of an unhealthy account's position in `marketId` at the
    /// oracle mark into the caller's sub-account `keeperSubAccount`. The account pays a penalty
    /// on the notional, shared between the keeper and the insurance fund, capped so that it never
    /// lowers the health of an account with equity left. A position that hedges another (taking
    /// it alone would lower that health) is taken as a slice of the whole book instead: the same
    /// fraction of every position, each leg with its own `PositionLiquidated` (the penalty, on
    /// the slice's notional, on this market's). A slice that still lowers health is refused
    /// (`TakeoverLowersHealth`). The keeper's sub-account must meet initial margin afterwards.
    /// @param account The account to liquidate (maintenance health below 1e18).
    /// @param marketId The market of the position.
    /// @param maxSize The most to take over, WAD of the underlying.
    /// @param keeperSubAccount The caller's sub-account that takes the position.
    /// @return sizeTaken WAD of the underlying taken over (at most the close factor of the position).
    function liquidatePosition(AccountId account, uint16 marketId, uint256 maxSize, uint32 keeperSubAccount)
        external
        returns (uint256 sizeTaken);

    /// @notice Takes a liquidatable account over whole: every collateral line, position and the cash
    /// move to the caller's `backstopSubAccount` as they are, and the backstop's initial margin is
    /// checked after (docs/risk-model.md section 8.3). Only BACKSTOP_ROLE (a backstop vault, which
    /// decides which accounts it takes).
    /// @dev Reverts AccountHealthy (health 1e18 or more), SameAccount, or InsufficientMargin for
    /// the backstop's account.
    /// @param account The account to take over (maintenance health below 1e18).
    /// @param backstopSubAccount The caller's sub-account that receives it.
    /// @return equity The account's maintenance equity when taken over, USD WAD.
    /// @return requirement Its maintenance requirement then, USD WAD.
    function takeOverAccount(AccountId account, uint32 backstopSubAccount)
        external
        returns (int256 equity, uint256 requirement);

    // ---------------------------------------------------------------- views

    /// @notice Maintenance equity / maintenance requirement in WAD; below 1e18 is liquidatable.
    /// @param account The account.
    /// @return Maintenance health in WAD (type(uint256).max when nothing is required and equity
    /// is not negative).
    function health(AccountId account) external view returns (uint256);

    /// @notice The holdings of many accounts at one block, exactly as the margin check reads them,
    /// so an off-chain book of N accounts loads in N / batch calls instead of N. The loop is over
    /// the caller's list in a view, never in a transaction: its cost is the caller's to bound.
    /// @param accounts The accounts to read.
    /// @return out Each account's cash, collateral and positions, in the order of `accounts`.
    function holdingsOf(AccountId[] calldata accounts) external view returns (AccountHoldings[] memory out);

    /// @notice An account's cash and the bitmaps of the assets and markets it holds.
    /// @param account The account.
    /// @return Its cash (USD WAD) and asset and market bitmaps.
    function accountState(AccountId account) external view returns (AccountState memory);

    /// @notice Token units of an asset an account holds on the hub ledger.
    /// @param account The account.
    /// @param assetId The asset's id.
    /// @return Token units held.
    function collateralOf(AccountId account, uint16 assetId) external view returns (uint256);

    /// @notice An account's position in a market.
    /// @param account The account.
    /// @param marketId The market's id.
    /// @return WAD of the underlying; positive long, negative short, 0 none.
    function positionOf(AccountId account, uint16 marketId) external view returns (int256);
}
