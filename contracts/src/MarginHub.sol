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
import {HubLedger} from "./hub/HubLedger.sol";

/// @title MarginHub
/// @notice The one ledger of the system: collateral per account, chain and token (as the vaults
/// reported it), USD cash, and positions recorded by venues. It alone decides withdrawals
/// (RELEASE) and liquidations (SEIZE), asking its RiskEngine for margin at guarded prices first.
contract MarginHub is HubLedger {
    using SafeERC20 for IERC20;
    using AccountIdLib for AccountId;

    constructor(
        address endpoint_,
        address admin,
        IERC20 settlementToken_,
        uint8 settlementDecimals,
        IRiskEngine riskEngine_
    ) HubLedger(endpoint_, admin, settlementToken_, settlementDecimals, riskEngine_) {}

    // ================================================================ credits from vaults

    function _handle(uint32 srcEid, bytes calldata data) internal override {
        MessageCodec.Message memory m = MessageCodec.decode(data);
        if (m.msgType != MessageCodec.CREDIT) revert UnexpectedMessageType(m.msgType);
        if (creditProcessed[srcEid][m.id]) revert CreditAlreadyProcessed(srcEid, m.id);
        uint16 assetId = riskEngine.assetIdOf(srcEid, m.token);

        creditProcessed[srcEid][m.id] = true;
        AccountId account = AccountIdLib.toAccountId(m.account, m.subAccount);
        _addCollateral(account, assetId, m.amount);
        totalCollateral[assetId] += m.amount;
        emit CollateralCredited(account, assetId, srcEid, m.id, m.amount);
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
    function trade(AccountId buyer, AccountId seller, uint16 marketId, uint256 size, uint256 tradePrice)
        external
        onlyRole(VENUE_ROLE)
        nonReentrant
    {
        if (AccountId.unwrap(buyer) == AccountId.unwrap(seller)) revert SameAccount();
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
    function liquidatePosition(AccountId account, uint16 marketId, uint256 maxSize, uint32 keeperSubAccount)
        external
        nonReentrant
        returns (uint256 sizeTaken)
    {
        AccountId keeper = AccountIdLib.toAccountId(msg.sender, keeperSubAccount);
        sizeTaken = _takeOver(keeper, account, marketId, maxSize, riskEngine.liquidationParams(), true);
        _requireInitialMargin(keeper);
    }

    /// @inheritdoc IMarginHub
    function liquidatePositions(PositionTakeover[] calldata takeovers, uint32 keeperSubAccount)
        external
        nonReentrant
        returns (uint256[] memory sizesTaken)
    {
        uint256 n = takeovers.length;
        if (n == 0 || n > MAX_LIQUIDATION_BATCH) revert InvalidBatchSize(n, MAX_LIQUIDATION_BATCH);
        AccountId keeper = AccountIdLib.toAccountId(msg.sender, keeperSubAccount);
        IRiskConfig.LiquidationParams memory lp = riskEngine.liquidationParams();
        sizesTaken = new uint256[](n);
        bool tookAny;
        for (uint256 i; i < n; ++i) {
            PositionTakeover calldata t = takeovers[i];
            sizesTaken[i] = _takeOver(keeper, t.account, t.marketId, t.maxSize, lp, false);
            tookAny = tookAny || sizesTaken[i] != 0;
        }
        // Once for the batch: the keeper's margin after every position it took.
        if (tookAny) _requireInitialMargin(keeper);
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

    // ================================================================ internals: liquidation

    /// @dev Repays up to `budgetTokens` of `account`'s debt against its `assetId` collateral (the
    /// effects only; the caller pulls the tokens and sends the SEIZE). A refusal reverts when
    /// `strict`, and otherwise passes the account over, returning zeros.
    function _seize(AccountId account, uint16 assetId, uint256 budgetTokens, bool strict)
        private
        returns (uint256 repaidTokens, uint256 seized)
    {
        (int256 equity, uint256 requirement, bytes memory failure) = _liquidationFigures(account, strict);
        if (failure.length != 0) return _refuse(false, account, assetId, failure);
        uint256 h = MarginMath.health(equity, requirement);
        int256 cash = _accounts[account].cash;
        uint256 held = _collateral[account][assetId];
        if (h >= WAD) return _refuse(strict, account, assetId, abi.encodeWithSelector(AccountHealthy.selector, h));
        if (cash >= 0) return _refuse(strict, account, assetId, abi.encodeWithSelector(NoDebtToRepay.selector));
        if (held == 0) {
            return _refuse(strict, account, assetId, abi.encodeWithSelector(NoCollateral.selector, assetId));
        }
        // forge-lint: disable-next-line(unsafe-typecast) cash < 0 is checked above; -type(int256).min reverts
        uint256 debt = uint256(-cash);
        uint256 repay;
        (repay, seized) = riskEngine.liquidationAmounts(
            equity, requirement, debt, assetId, held, budgetTokens * settlementScale, settlementScale
        );
        repaidTokens = repay / settlementScale;
        if (repaidTokens == 0 || seized == 0) {
            return _refuse(strict, account, assetId, abi.encodeWithSelector(NothingToLiquidate.selector));
        }

        // forge-lint: disable-next-line(unsafe-typecast) at most the debt (-cash) plus one token unit
        _changeCash(account, int256(repaidTokens * settlementScale));
        settlementHeld += repaidTokens;
        _removeCollateral(account, assetId, seized);
        totalCollateral[assetId] -= seized;
        _resolveBadDebtIfBankrupt(account);
    }

    /// @dev Moves up to `maxSize` of `account`'s position in `marketId` to `keeper` at the mark,
    /// charging the penalty. A position that hedged another (taking it alone lowers health) is
    /// taken as the same fraction of every position instead. The caller checks the keeper's
    /// margin. A refusal reverts when `strict`, and otherwise passes the account over, returning 0.
    function _takeOver(
        AccountId keeper,
        AccountId account,
        uint16 marketId,
        uint256 maxSize,
        IRiskConfig.LiquidationParams memory lp,
        bool strict
    ) private returns (uint256 sizeTaken) {
        if (AccountId.unwrap(keeper) == AccountId.unwrap(account)) {
            _refuse(strict, account, marketId, abi.encodeWithSelector(SameAccount.selector));
            return 0;
        }
        (int256 equity, uint256 requirement, bytes memory refusal) = _liquidationFigures(account, strict);
        uint256 h = MarginMath.health(equity, requirement);
        int256 position = _positions[account][marketId];
        if (refusal.length == 0) {
            // The engine valued the account: is there anything to take?
            if (h >= WAD) {
                refusal = abi.encodeWithSelector(AccountHealthy.selector, h);
            } else if (position == 0) {
                refusal = abi.encodeWithSelector(NoPosition.selector);
            } else {
                uint256 closeFactor = h < lp.fullCloseHealth ? WAD : lp.closeFactor;
                sizeTaken =
                    Math.min(maxSize, Math.mulDiv(MarginMath.abs(position), closeFactor, WAD, Math.Rounding.Ceil));
                if (sizeTaken == 0) refusal = abi.encodeWithSelector(NothingToLiquidate.selector);
            }
        }
        if (refusal.length != 0) {
            _refuse(strict, account, marketId, refusal);
            return 0;
        }
        uint256 mark = riskEngine.markPrice(marketId);
        // The account leaves the position at mark; the keeper steps into it at the same price.
        // forge-lint: disable-next-line(unsafe-typecast) sizeTaken <= |position| <= type(int256).max
        int256 delta = position > 0 ? -int256(sizeTaken) : int256(sizeTaken);
        uint256 notional = _move(keeper, account, marketId, delta, mark);

        // A penalty never lowers the health of an account that still has equity: it is capped at
        // what keeps (equity − penalty) / requirement at its level before the takeover, and a
        // takeover that lowers health by itself is refused (docs/risk-model.md section 8.2).
        uint256 penalty = Math.mulDiv(notional, lp.positionPenalty, WAD);
        if (equity > 0) {
            (int256 e, uint256 r) = _maintenanceFigures(account);
            if (MarginMath.health(e, r) < h) {
                _move(keeper, account, marketId, -delta, mark);
                // A hedge leg: the same fraction of the whole book keeps the hedge and frees
                // requirement, as Derive's auctions take a percentage of the whole portfolio.
                bool refused;
                (refused, notional) = _takeSlice(keeper, account, marketId, delta, h, strict);
                if (refused) return 0;
                penalty = Math.mulDiv(notional, lp.positionPenalty, WAD);
                (e, r) = _maintenanceFigures(account);
            }
            // (e − penalty) / r ≥ equity / requirement  ⟺  penalty ≤ e − equity × r / requirement
            // forge-lint: disable-next-line(unsafe-typecast) equity > 0
            int256 room = e - SafeCast.toInt256(Math.mulDiv(uint256(equity), r, requirement, Math.Rounding.Ceil));
            // forge-lint: disable-next-line(unsafe-typecast) room > 0 where it is cast
            penalty = room <= 0 ? 0 : Math.min(penalty, uint256(room));
        }
        uint256 toInsurance = Math.mulDiv(penalty, lp.insuranceShare, WAD);
        // penalty <= notional / 10 (positionPenalty <= 10%), which fits int256 (marks < 2^128).
        // forge-lint: disable-next-line(unsafe-typecast) see above
        _changeCash(account, -int256(penalty));
        // forge-lint: disable-next-line(unsafe-typecast) see above
        _changeCash(keeper, int256(penalty - toInsurance));
        insuranceFund += toInsurance;

        emit PositionLiquidated(account, keeper, marketId, -delta, mark, penalty);
        _resolveBadDebtIfBankrupt(account);
    }

    /// @dev Moves `delta` of `account`'s position in `marketId`, and the same fraction of each of its
    /// other positions, to `keeper` at the mark; or, when that too lowers health below `h`, moves
    /// it all back and refuses.
    /// @return refused whether it was refused; notional USD WAD moved.
    function _takeSlice(AccountId keeper, AccountId account, uint16 marketId, int256 delta, uint256 h, bool strict)
        private
        returns (bool refused, uint256 notional)
    {
        uint256 fraction = Math.mulDiv(MarginMath.abs(delta), WAD, MarginMath.abs(_positions[account][marketId]));
        int256[64] memory deltas;
        uint256[64] memory marks;
        uint64 bits = _accounts[account].markets;
        for (uint16 m; bits != 0; (++m, bits >>= 1)) {
            if (bits & 1 == 0) continue;
            // Rounds towards zero: the account never gives up more than the fraction of a leg.
            // forge-lint: disable-next-line(unsafe-typecast) fraction <= WAD
            deltas[m] = m == marketId ? delta : -_positions[account][m] * int256(fraction) / int256(WAD);
            marks[m] = riskEngine.markPrice(m);
            notional += _move(keeper, account, m, deltas[m], marks[m]);
        }
        (int256 e, uint256 r) = _maintenanceFigures(account);
        uint256 hAfter = MarginMath.health(e, r);
        refused = hAfter < h;
        for (uint16 m; m < 64; ++m) {
            if (deltas[m] == 0) continue;
            if (refused) _move(keeper, account, m, -deltas[m], marks[m]);
            else if (m != marketId) emit PositionLiquidated(account, keeper, m, -deltas[m], marks[m], 0);
        }
        if (refused) {
            _refuse(strict, account, marketId, abi.encodeWithSelector(TakeoverLowersHealth.selector, h, hAfter));
        }
    }

    /// @dev Changes `account`'s position in `marketId` by `delta` at `mark`, and `keeper`'s by the
    /// opposite (`-delta` undoes it exactly: the proceeds round towards zero either way).
    /// @return notional |delta| × mark, USD WAD.
    function _move(AccountId keeper, AccountId account, uint16 marketId, int256 delta, uint256 mark)
        private
        returns (uint256 notional)
    {
        // forge-lint: disable-next-line(unsafe-typecast) mark < 2^128 (maxPrice, strike are uint128)
        int256 proceeds = -delta * int256(mark) / int256(WAD);
        _changePosition(account, marketId, delta, proceeds);
        _changePosition(keeper, marketId, -delta, -proceeds);
        notional = MarginMath.abs(proceeds);
    }

    /// @dev The maintenance figures a liquidation checks. In a batch (not `strict`), an account
    /// the engine cannot value (a stale feed only it depends on, say) is passed over with the
    /// engine's error as `failure` rather than failing the whole batch.
    function _liquidationFigures(AccountId account, bool strict)
        private
        view
        returns (int256 equity, uint256 requirement, bytes memory failure)
    {
        if (strict) {
            (equity, requirement) = _maintenanceFigures(account);
            return (equity, requirement, failure);
        }
        (int256 cash, IRiskEngine.Holding[] memory holdings, IRiskEngine.Position[] memory positions) =
            _holdings(account);
        try riskEngine.maintenanceFigures(cash, holdings, positions) returns (int256 e, uint256 r) {
            return (e, r, failure);
        } catch (bytes memory reason) {
            // No reason at all is what running out of gas looks like: fail the whole batch, as
            // the single call would, rather than pass the account over for want of gas.
            if (reason.length == 0) {
                assembly ("memory-safe") {
                    revert(0, 0)
                }
            }
            return (0, 0, reason);
        }
    }

    /// @dev A liquidation refused: reverts with `reason` when `strict` (a single liquidation),
    /// and otherwise records that the batch passed the account over.
    function _refuse(bool strict, AccountId account, uint16 id, bytes memory reason)
        private
        returns (uint256, uint256)
    {
        if (strict) {
            assembly ("memory-safe") {
                revert(add(reason, 0x20), mload(reason))
            }
        }
        emit LiquidationSkipped(account, id, reason);
        return (0, 0);
    }
}
