// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {MessageCodec} from "./libraries/MessageCodec.sol";
import {WAD} from "./libraries/FixedPoint.sol";
import {ZeroAmount, ZeroAddress, UnexpectedMessageType} from "./libraries/Errors.sol";
import {AccountId, AccountIdLib} from "./libraries/AccountIdLib.sol";
import {MarginMath} from "./risk/MarginMath.sol";
import {IRiskConfig} from "./interfaces/IRiskConfig.sol";
import {IRiskEngine} from "./interfaces/IRiskEngine.sol";
import {IMarginVenue} from "./interfaces/IMarginVenue.sol";
import {IAccountFigures} from "./interfaces/IAccountFigures.sol";
import {IMarginHub} from "./interfaces/IMarginHub.sol";
import {HubLiquidations} from "./hub/HubLiquidations.sol";
import {HubLedger} from "./hub/HubLedger.sol";
import {HubPositionLiquidator} from "./hub/HubPositionLiquidator.sol";
import {Delegation} from "./libraries/Delegation.sol";

/// @title MarginHub
/// @notice The one ledger of the system: collateral per account, chain and token (as the vaults
/// reported it), USD cash, and positions recorded by venues. It alone decides withdrawals
/// (RELEASE) and liquidations (SEIZE), asking its RiskEngine for margin at guarded prices first.
/// @dev Position and account takeovers run in `HubPositionLiquidator`, which this hub deploys and calls by
/// delegatecall: the same storage, address, events and ABI, with the code outside the hub's
/// 24,576-byte limit.
contract MarginHub is HubLiquidations, IMarginHub {
    using SafeERC20 for IERC20;
    using AccountIdLib for AccountId;

    /// @notice The code `liquidatePosition`, `liquidatePositions` and `takeOverAccount` run, in this
    /// hub's storage.
    address public immutable positionLiquidator;

    constructor(
        address endpoint_,
        address admin,
        IERC20 settlementToken_,
        uint8 settlementDecimals,
        IRiskEngine riskEngine_
    ) HubLedger(endpoint_, admin, settlementToken_, settlementDecimals, riskEngine_) {
        // Built with the hub's own arguments, so its immutables are the hub's.
        positionLiquidator =
            address(new HubPositionLiquidator(endpoint_, admin, settlementToken_, settlementDecimals, riskEngine_));
    }

    // ================================================================ credits from vaults

    mapping(uint32 srcEid => mapping(uint64 creditId => RefusedCredit)) private _refusedCredits;

    function _handle(uint32 srcEid, bytes calldata data) internal override {
        MessageCodec.Message memory m = MessageCodec.decode(data);
        if (m.msgType != MessageCodec.CREDIT) revert UnexpectedMessageType(m.msgType);
        if (creditProcessed[srcEid][m.id]) revert CreditAlreadyProcessed(srcEid, m.id);
        creditProcessed[srcEid][m.id] = true;
        AccountId account = AccountIdLib.toAccountId(m.account, m.subAccount);
        try riskEngine.assetIdOf(srcEid, m.token) returns (uint16 assetId) {
            _addCollateral(account, assetId, m.amount);
            totalCollateral[assetId] += m.amount;
            emit CollateralCredited(account, assetId, srcEid, m.id, m.amount);
        } catch (bytes memory reason) {
            // Only an unlisted token is refused; anything else (out of gas) fails the delivery.
            // forge-lint: disable-next-line(unsafe-typecast) the first four bytes are the error's selector, by design
            if (bytes4(reason) != IRiskConfig.UnknownAsset.selector) {
                assembly ("memory-safe") {
                    revert(add(reason, 0x20), mload(reason))
                }
            }
            _refusedCredits[srcEid][m.id] = RefusedCredit({account: account, token: m.token, amount: m.amount});
            emit CreditRefused(account, srcEid, m.id, m.token, m.amount);
        }
    }

    /// @inheritdoc IMarginHub
    function refusedCredit(uint32 srcEid, uint64 creditId) external view returns (RefusedCredit memory) {
        return _refusedCredits[srcEid][creditId];
    }

    /// @inheritdoc IMarginHub
    function quoteRefund(uint32 srcEid, uint64 creditId, bytes calldata options) external view returns (uint256) {
        RefusedCredit memory c = _refusedCredits[srcEid][creditId];
        return _quoteDelivery(
            srcEid,
            MessageCodec.RELEASE,
            _orderMessage(MessageCodec.RELEASE, 0, c.account, c.token, c.amount, address(0)),
            options
        );
    }

    /// @inheritdoc IMarginHub
    function refundCredit(uint32 srcEid, uint64 creditId, bytes calldata options)
        external
        payable
        nonReentrant
        returns (uint64 orderId)
    {
        RefusedCredit memory c = _refusedCredits[srcEid][creditId];
        if (c.amount == 0) revert NoRefusedCredit(srcEid, creditId);
        if (c.account.owner() != msg.sender) revert NotTheDepositOwner(c.account, msg.sender);
        delete _refusedCredits[srcEid][creditId];
        orderId = nextOrderId++;
        _deliver(
            srcEid,
            MessageCodec.RELEASE,
            _orderMessage(MessageCodec.RELEASE, orderId, c.account, c.token, c.amount, msg.sender),
            options
        );
        emit CreditRefunded(c.account, srcEid, creditId, orderId);
    }

    // ================================================================ withdrawals

    /// @inheritdoc IMarginHub
    function quoteOrder(uint16 assetId, uint8 msgType, bytes calldata options) external view returns (uint256) {
        IRiskConfig.Asset memory a = riskEngine.asset(assetId);
        return
            _quoteDelivery(
                a.eid, msgType, _orderMessage(msgType, 0, AccountId.wrap(0), a.token, 0, address(0)), options
            );
    }

    /// @inheritdoc IMarginHub
    function withdraw(uint32 subAccount, uint16 assetId, uint256 amount, address recipient, bytes calldata options)
        external
        payable
        nonReentrant
        returns (uint64 orderId)
    {
        if (amount == 0) revert ZeroAmount();
        if (recipient == address(0)) revert ZeroAddress();
        AccountId account = AccountIdLib.toAccountId(msg.sender, subAccount);
        _removeCollateral(account, assetId, amount);
        totalCollateral[assetId] -= amount;
        _requireInitialMargin(account);

        bytes32 guid;
        (orderId, guid) = _sendOrder(MessageCodec.RELEASE, account, assetId, amount, recipient, options);
        emit WithdrawalRequested(account, assetId, amount, recipient, orderId, guid);
    }

    /// @inheritdoc IMarginHub
    function transferCollateral(uint32 fromSub, uint32 toSub, uint16 assetId, uint256 amount) external nonReentrant {
        if (fromSub == toSub) revert SameAccount();
        if (amount == 0) revert ZeroAmount();
        AccountId from = AccountIdLib.toAccountId(msg.sender, fromSub);
        AccountId to = AccountIdLib.toAccountId(msg.sender, toSub);
        _removeCollateral(from, assetId, amount);
        _addCollateral(to, assetId, amount);
        _requireInitialMargin(from);
        emit CollateralTransferred(from, to, assetId, amount);
    }

    // ================================================================ cash

    /// @inheritdoc IMarginHub
    function depositCash(address owner_, uint32 subAccount, uint256 tokens) external nonReentrant {
        if (tokens == 0) revert ZeroAmount();
        AccountId account = AccountIdLib.toAccountId(owner_, subAccount);
        _changeCash(account, SafeCast.toInt256(tokens * settlementScale));
        settlementHeld += tokens;
        emit CashDeposited(account, msg.sender, tokens);
        settlementToken.safeTransferFrom(msg.sender, address(this), tokens);
    }

    /// @inheritdoc IMarginHub
    function withdrawCash(uint32 subAccount, uint256 tokens, address recipient) external nonReentrant {
        if (tokens == 0) revert ZeroAmount();
        if (recipient == address(0)) revert ZeroAddress();
        AccountId account = AccountIdLib.toAccountId(msg.sender, subAccount);
        if (tokens > settlementHeld) revert InsufficientLiquidity(settlementHeld, tokens);
        _changeCash(account, -SafeCast.toInt256(tokens * settlementScale));
        settlementHeld -= tokens;
        _requireInitialMargin(account);
        emit CashWithdrawn(account, recipient, tokens);
        settlementToken.safeTransfer(recipient, tokens);
    }

    /// @inheritdoc IMarginHub
    function fundInsurance(uint256 tokens) external nonReentrant {
        if (tokens == 0) revert ZeroAmount();
        insuranceFund += tokens * settlementScale;
        settlementHeld += tokens;
        emit InsuranceFunded(msg.sender, tokens);
        settlementToken.safeTransferFrom(msg.sender, address(this), tokens);
    }

    // ================================================================ venues

    /// @inheritdoc IMarginVenue
    mapping(address owner => mapping(address venue => bool)) public isVenueAuthorized;
    mapping(address venue => VenueLimit) private _venueLimits;

    /// @inheritdoc IMarginVenue
    function setVenueAuthorization(address venue, bool authorized) external {
        isVenueAuthorized[msg.sender][venue] = authorized;
        emit VenueAuthorizationSet(msg.sender, venue, authorized);
    }

    /// @inheritdoc IMarginVenue
    function setVenueLimit(address venue, uint128 cashPerPeriod, uint32 period) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (period == 0) revert InvalidVenuePeriod();
        _venueLimits[venue] = VenueLimit({cashPerPeriod: cashPerPeriod, period: period, windowStart: 0, used: 0});
        emit VenueLimitSet(venue, cashPerPeriod, period);
    }

    /// @inheritdoc IMarginVenue
    function venueLimit(address venue) external view returns (VenueLimit memory) {
        return _venueLimits[venue];
    }

    /// @inheritdoc IMarginVenue
    function trade(AccountId buyer, AccountId seller, uint16 marketId, uint256 size, uint256 tradePrice)
        external
        onlyRole(VENUE_ROLE)
        nonReentrant
    {
        if (AccountId.unwrap(buyer) == AccountId.unwrap(seller)) revert SameAccount();
        _requireVenueAuthorized(buyer);
        _requireVenueAuthorized(seller);
        if (size == 0 || size > uint256(uint128(type(int128).max))) revert InvalidTradeSize(size);
        (uint256 mark, uint256 band) = riskEngine.tradeBand(marketId);
        if (tradePrice + band < mark || tradePrice > mark + band) revert TradePriceOutOfBand(tradePrice, mark);

        int256 cost = int256(Math.mulDiv(size, tradePrice, WAD));
        // forge-lint: disable-next-line(unsafe-typecast) size <= type(int128).max, checked above
        bool buyerIncreased = _changePosition(buyer, marketId, int256(size), -cost);
        // forge-lint: disable-next-line(unsafe-typecast) size <= type(int128).max, checked above
        bool sellerIncreased = _changePosition(seller, marketId, -int256(size), cost);
        emit Traded(buyer, seller, marketId, size, tradePrice, msg.sender);
        _requireMarginAfterTrade(buyer, buyerIncreased);
        _requireMarginAfterTrade(seller, sellerIncreased);
    }

    /// @inheritdoc IMarginVenue
    function settleCash(AccountId payer, AccountId receiver, uint256 amount)
        external
        onlyRole(VENUE_ROLE)
        nonReentrant
    {
        if (AccountId.unwrap(payer) == AccountId.unwrap(receiver)) revert SameAccount();
        if (amount == 0 || amount > uint256(uint128(type(int128).max))) revert InvalidCashAmount(amount);
        _requireVenueAuthorized(payer);
        _useVenueLimit(amount);
        // forge-lint: disable-next-line(unsafe-typecast) amount <= type(int128).max, checked above
        _changeCash(payer, -int256(amount));
        // forge-lint: disable-next-line(unsafe-typecast) amount <= type(int128).max, checked above
        _changeCash(receiver, int256(amount));
        emit CashSettled(payer, receiver, amount, msg.sender);
        // A payment owed is owed whatever the payer's margin (the keeper liquidates it if short);
        // one that leaves nothing to liquidate is bad debt at once, as after a liquidation.
        _resolveBadDebtIfBankrupt(payer);
    }

    /// @inheritdoc IMarginHub
    function settleExpired(AccountId account, uint16 marketId) external nonReentrant returns (int256 cashDelta) {
        int256 size = _positions[account][marketId];
        if (size == 0) revert NoPosition();
        uint256 payoff = riskEngine.settle(marketId);
        AccountId clearing = AccountIdLib.toAccountId(address(this), marketId);
        // As the model counts a settled option (mulWadDown): a long's payoff rounds down, a
        // short's liability up, so the clearing account keeps the dust and no figure moves.
        uint256 value =
            Math.mulDiv(MarginMath.abs(size), payoff, WAD, size > 0 ? Math.Rounding.Floor : Math.Rounding.Ceil);
        cashDelta = size > 0 ? SafeCast.toInt256(value) : -SafeCast.toInt256(value);
        _changePosition(account, marketId, -size, cashDelta);
        _changePosition(clearing, marketId, size, -cashDelta);
        emit OptionSettled(account, marketId, size, payoff, cashDelta);
        _resolveBadDebtIfBankrupt(account);
        // Its cash is shares like anyone's: once the cash index is below WAD, each payment in
        // rounds down, and a clearing account whose positions have all settled can end a wei short.
        _resolveBadDebtIfBankrupt(clearing);
    }

    function _requireVenueAuthorized(AccountId account) private view {
        if (!isVenueAuthorized[account.owner()][msg.sender]) revert VenueNotAuthorized(account, msg.sender);
    }

    /// @dev Counts `amount` against the calling venue's limit in the current window; a venue
    /// without a limit set may not settle cash at all.
    function _useVenueLimit(uint256 amount) private {
        VenueLimit storage l = _venueLimits[msg.sender];
        uint256 period = l.period;
        if (period == 0) revert VenueLimitExceeded(msg.sender, amount, 0);
        uint256 windowStart = block.timestamp / period * period;
        uint256 used = (l.windowStart == windowStart ? l.used : 0) + amount;
        if (used > l.cashPerPeriod) revert VenueLimitExceeded(msg.sender, used, l.cashPerPeriod);
        // forge-lint: disable-next-line(unsafe-typecast) a timestamp fits 64 bits; used <= cashPerPeriod (uint128)
        (l.windowStart, l.used) = (uint64(windowStart), uint128(used));
    }

    // ================================================================ liquidations

    /// @inheritdoc IMarginHub
    function liquidate(
        AccountId account,
        uint16 assetId,
        uint256 maxRepayTokens,
        address receiver,
        bytes calldata options
    ) external payable nonReentrant returns (uint256 repaidTokens, uint256 seized, uint64 orderId) {
        if (receiver == address(0)) revert ZeroAddress();
        (repaidTokens, seized) = _seize(account, assetId, maxRepayTokens, true);
        settlementToken.safeTransferFrom(msg.sender, address(this), repaidTokens);
        bytes32 guid;
        (orderId, guid) = _sendOrder(MessageCodec.SEIZE, account, assetId, seized, receiver, options);
        emit Liquidated(account, msg.sender, assetId, repaidTokens, seized, receiver, orderId, guid);
    }

    /// @inheritdoc IMarginHub
    function liquidateBatch(
        AccountId[] calldata accounts,
        uint16 assetId,
        uint256 maxRepayTokens,
        address receiver,
        bytes calldata options
    ) external payable nonReentrant returns (uint256 repaidTokens, uint256 seized, uint64 orderId) {
        if (receiver == address(0)) revert ZeroAddress();
        uint256 n = accounts.length;
        if (n == 0 || n > MAX_LIQUIDATION_BATCH) revert InvalidBatchSize(n, MAX_LIQUIDATION_BATCH);
        uint256[] memory repaid = new uint256[](n);
        uint256[] memory taken = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            (repaid[i], taken[i]) = _seize(accounts[i], assetId, maxRepayTokens - repaidTokens, false);
            repaidTokens += repaid[i];
            seized += taken[i];
        }
        // Every account passed over (another keeper was first): nothing to pull, no SEIZE, and
        // the LayerZero fee goes back.
        if (seized == 0) {
            if (msg.value != 0) Address.sendValue(payable(msg.sender), msg.value);
            return (0, 0, 0);
        }
        settlementToken.safeTransferFrom(msg.sender, address(this), repaidTokens);
        bytes32 guid;
        // One SEIZE pays the receiver the batch's sum. It names no account (zero): the vault keeps
        // custody per token, and the Liquidated events below name each account with this order id.
        (orderId, guid) = _sendOrder(MessageCodec.SEIZE, AccountId.wrap(0), assetId, seized, receiver, options);
        for (uint256 i; i < n; ++i) {
            if (taken[i] != 0) {
                emit Liquidated(accounts[i], msg.sender, assetId, repaid[i], taken[i], receiver, orderId, guid);
            }
        }
    }

    /// @inheritdoc IMarginHub
    /// @dev Runs `HubPositionLiquidator`'s code in this hub's storage. The parameters are named
    /// for the ABI; the liquidator decodes them from the call it is handed whole.
    function liquidatePosition(AccountId account, uint16 marketId, uint256 maxSize, uint32 keeperSubAccount)
        external
        returns (uint256 sizeTaken)
    {
        (account, marketId, maxSize, keeperSubAccount, sizeTaken);
        _runPositionLiquidator();
    }

    /// @inheritdoc IMarginHub
    /// @dev As `liquidatePosition`.
    function liquidatePositions(PositionTakeover[] calldata takeovers, uint32 keeperSubAccount)
        external
        returns (uint256[] memory sizesTaken)
    {
        (takeovers, keeperSubAccount, sizesTaken);
        _runPositionLiquidator();
    }

    /// @inheritdoc IMarginHub
    /// @dev As `liquidatePosition`.
    function takeOverAccount(AccountId account, uint32 backstopSubAccount)
        external
        returns (int256 equity, uint256 requirement)
    {
        (account, backstopSubAccount, equity, requirement);
        _runPositionLiquidator();
    }

    /// @dev The liquidator's own functions take the reentrancy lock, in this hub's transient storage.
    function _runPositionLiquidator() private {
        Delegation.forward(positionLiquidator);
    }

    // ================================================================ views

    /// @inheritdoc IAccountFigures
    function accountFigures(AccountId account) external view returns (MarginMath.Figures memory) {
        return _figures(account);
    }

    /// @inheritdoc IMarginHub
    function health(AccountId account) external view returns (uint256) {
        (int256 equity, uint256 requirement) = _maintenanceFigures(account);
        return MarginMath.health(equity, requirement);
    }

    /// @inheritdoc IMarginHub
    function holdingsOf(AccountId[] calldata accounts) external view returns (AccountHoldings[] memory out) {
        out = new AccountHoldings[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            (out[i].cash, out[i].collateral, out[i].positions) = _holdings(accounts[i]);
        }
    }

    /// @inheritdoc IMarginHub
    function accountState(AccountId account) external view returns (AccountState memory st) {
        st = _accounts[account];
        st.cash = _cashValue(st.cash, cashIndex);
    }

    /// @inheritdoc IMarginHub
    function collateralOf(AccountId account, uint16 assetId) external view returns (uint256) {
        return _collateral[account][assetId];
    }

    /// @inheritdoc IMarginHub
    function positionOf(AccountId account, uint16 marketId) external view returns (int256) {
        return _positions[account][marketId];
    }
}
