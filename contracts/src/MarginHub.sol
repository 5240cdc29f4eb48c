// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {HubSpokeOApp} from "./oapp/HubSpokeOApp.sol";
import {MessageCodec} from "./libraries/MessageCodec.sol";
import {WAD} from "./libraries/FixedPoint.sol";
import {ZeroAmount, ZeroAddress, UnexpectedMessageType} from "./libraries/Errors.sol";
import {AccountId, AccountIdLib} from "./libraries/AccountIdLib.sol";
import {MarginMath} from "./risk/MarginMath.sol";
import {RiskEngine} from "./risk/RiskEngine.sol";
import {RiskConfig} from "./risk/RiskConfig.sol";
import {IMarginVenue} from "./interfaces/IMarginVenue.sol";

/// @title MarginHub
/// @notice The one ledger of the system: collateral per account, chain and token (as the vaults
/// reported it), USD cash, and positions recorded by venues. It alone decides withdrawals
/// (RELEASE) and liquidations (SEIZE), asking its RiskEngine for margin at guarded prices first.
contract MarginHub is HubSpokeOApp, AccessControl, ReentrancyGuardTransient, IMarginVenue {
    using SafeERC20 for IERC20;
    using AccountIdLib for AccountId;

    bytes32 public constant VENUE_ROLE = keccak256("VENUE_ROLE");

    /// @notice What the margin model sees of one account: the inputs `accountFigures` runs on.
    struct AccountHoldings {
        int256 cash;
        /// @dev In asset id order, only assets held.
        RiskEngine.Holding[] collateral;
        /// @dev In market id order, only open positions.
        RiskEngine.Position[] positions;
    }

    struct AccountState {
        int256 cash;
        /// @dev Bit i set: the account holds asset i. Bounds every per-account loop by MAX_ASSETS.
        uint64 assets;
        /// @dev Bit i set: the account has an open position in market i.
        uint64 markets;
    }

    /// @notice The hub chain's ERC-20 that cash is paid in and out with, 1 token = 1 USD.
    IERC20 public immutable settlementToken;
    /// @dev USD WAD per settlement token unit (1e12 for a 6-decimal token).
    uint256 public immutable settlementScale;
    /// @notice The margin model; fixed at deployment.
    RiskEngine public immutable riskEngine;

    mapping(AccountId => AccountState) internal _accounts;
    mapping(AccountId => mapping(uint16 assetId => uint256)) internal _collateral;
    mapping(AccountId => mapping(uint16 marketId => int256)) internal _positions;
    /// @notice Token units of each asset the hub ledger holds for all accounts together.
    mapping(uint16 assetId => uint256) public totalCollateral;
    /// @notice CREDIT ids already applied, per source chain.
    mapping(uint32 eid => mapping(uint64 id => bool)) public creditProcessed;
    /// @notice Id of the next RELEASE or SEIZE the hub sends.
    uint64 public nextOrderId = 1;

    /// @notice Sum of every account's cash (USD WAD). With the insurance fund and bad debt it
    /// always equals the settlement tokens the hub holds for accounts:
    /// totalCash + insuranceFund - badDebt == settlementHeld * settlementScale.
    int256 public totalCash;
    uint256 public insuranceFund;
    /// @notice Shortfall of bankrupt accounts the insurance fund could not cover (socialised).
    uint256 public badDebt;
    /// @notice Settlement tokens taken in minus paid out (excludes tokens sent here directly).
    uint256 public settlementHeld;

    event CollateralCredited(
        AccountId indexed account, uint16 indexed assetId, uint32 srcEid, uint64 creditId, uint256 amount
    );
    event WithdrawalRequested(
        AccountId indexed account,
        uint16 indexed assetId,
        uint256 amount,
        address recipient,
        uint64 orderId,
        bytes32 guid
    );
    event CollateralTransferred(AccountId indexed from, AccountId indexed to, uint16 indexed assetId, uint256 amount);
    event CashDeposited(AccountId indexed account, address indexed payer, uint256 tokens);
    event CashWithdrawn(AccountId indexed account, address recipient, uint256 tokens);
    event CashSettled(AccountId indexed payer, AccountId indexed receiver, uint256 amount, address venue);
    event Traded(
        AccountId indexed buyer,
        AccountId indexed seller,
        uint16 indexed marketId,
        uint256 size,
        uint256 price,
        address venue
    );
    event Liquidated(
        AccountId indexed account,
        address indexed keeper,
        uint16 indexed assetId,
        uint256 repaidTokens,
        uint256 seized,
        address receiver,
        uint64 orderId,
        bytes32 guid
    );
    event PositionLiquidated(
        AccountId indexed account,
        AccountId indexed keeper,
        uint16 indexed marketId,
        int256 sizeTaken,
        uint256 mark,
        uint256 penalty
    );
    event InsuranceFunded(address indexed payer, uint256 tokens);
    event OptionSettled(
        AccountId indexed account, uint16 indexed marketId, int256 size, uint256 payoffPerUnit, int256 cashDelta
    );
    event BadDebtResolved(AccountId indexed account, uint256 shortfall, uint256 coveredByInsurance, uint256 socialised);

    error SettlementDecimalsTooLarge(uint8 decimals);
    error InvalidTradeSize(uint256 size);
    error InvalidCashAmount(uint256 amount);
    error CreditAlreadyProcessed(uint32 srcEid, uint64 id);
    error InsufficientCollateral(uint256 held, uint256 amount);
    error InsufficientMargin(int256 equity, uint256 requirement);
    error AccountHealthy(uint256 health);
    error NoDebtToRepay();
    error NoCollateral(uint16 assetId);
    error InsufficientLiquidity(uint256 available, uint256 requested);
    error NoPosition();
    error NothingToLiquidate();
    error SameAccount();
    error TradePriceOutOfBand(uint256 price, uint256 mark);

    constructor(
        address endpoint_,
        address admin,
        IERC20 settlementToken_,
        uint8 settlementDecimals,
        RiskEngine riskEngine_
    ) HubSpokeOApp(endpoint_, admin) Ownable(admin) {
        if (settlementDecimals > 18) revert SettlementDecimalsTooLarge(settlementDecimals);
        if (address(riskEngine_) == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        settlementToken = settlementToken_;
        settlementScale = 10 ** (18 - settlementDecimals);
        riskEngine = riskEngine_;
    }

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

    /// @notice Fee in native gas for a RELEASE (withdraw) or SEIZE (liquidate) to `assetId`'s chain.
    function quoteOrder(uint16 assetId, uint8 msgType, bytes calldata options) external view returns (uint256) {
        RiskConfig.Asset memory a = riskEngine.asset(assetId);
        return
            _quoteDelivery(
                a.eid, msgType, _orderMessage(msgType, 0, AccountId.wrap(0), a.token, 0, address(0)), options
            );
    }

    /// @notice Withdraw collateral held on `assetId`'s chain to `recipient` there. Checked as if
    /// the collateral were already gone: the account must still meet initial margin.
    /// Send `quoteOrder(assetId, RELEASE, options)` as msg.value.
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

    /// @notice Move collateral between two of the caller's sub-accounts (cross pool = 0).
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

    /// @notice Pay settlement tokens into an account's cash (anyone may, e.g. to repay its debt).
    function depositCash(address owner_, uint32 subAccount, uint256 tokens) external nonReentrant {
        if (tokens == 0) revert ZeroAmount();
        AccountId account = AccountIdLib.toAccountId(owner_, subAccount);
        _changeCash(account, SafeCast.toInt256(tokens * settlementScale));
        settlementHeld += tokens;
        emit CashDeposited(account, msg.sender, tokens);
        settlementToken.safeTransferFrom(msg.sender, address(this), tokens);
    }

    /// @notice Take cash out in settlement tokens. Cash may go negative (borrowing against
    /// collateral) as long as the account still meets initial margin.
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

    /// @notice Add to the insurance fund, which covers bankrupt accounts before anything is socialised.
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
    }

    /// @notice Settle an account's position in an expired option at its settlement payoff
    /// (fixed by the engine at the first settlement after expiry). Anyone may call it.
    /// @dev The counterparty is the market's clearing account (this contract, sub-account =
    /// market id), so cash only moves between accounts and totalCash is unchanged; once every
    /// holder has settled, the clearing account's position is zero again.
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

    /// @notice Repay up to `maxRepayTokens` of an unhealthy account's cash debt (in settlement
    /// tokens, pulled from the caller) and receive its `assetId` collateral worth
    /// repay * (1 + bonus), paid to `receiver` on the chain that holds it. The repayment is cut
    /// to what restores the account's health (and to the close factor), so only as much is
    /// liquidated as needed. Send `quoteOrder(assetId, SEIZE, options)` as msg.value.
    function liquidate(
        AccountId account,
        uint16 assetId,
        uint256 maxRepayTokens,
        address receiver,
        bytes calldata options
    ) external payable nonReentrant returns (uint256 repaidTokens, uint256 seized, uint64 orderId) {
        if (receiver == address(0)) revert ZeroAddress();
        (int256 equity, uint256 requirement,) = _requireLiquidatable(account);
        int256 cash = _accounts[account].cash;
        if (cash >= 0) revert NoDebtToRepay();
        uint256 held = _collateral[account][assetId];
        if (held == 0) revert NoCollateral(assetId);

        // forge-lint: disable-next-line(unsafe-typecast) cash < 0 is checked above; -type(int256).min reverts
        uint256 debt = uint256(-cash);
        uint256 repay;
        (repay, seized) = riskEngine.liquidationAmounts(
            equity, requirement, debt, assetId, held, maxRepayTokens * settlementScale, settlementScale
        );
        repaidTokens = repay / settlementScale;
        if (repaidTokens == 0 || seized == 0) revert NothingToLiquidate();

        // forge-lint: disable-next-line(unsafe-typecast) at most the debt (-cash) plus one token unit
        _changeCash(account, int256(repaidTokens * settlementScale));
        settlementHeld += repaidTokens;
        _removeCollateral(account, assetId, seized);
        totalCollateral[assetId] -= seized;
        _resolveBadDebtIfBankrupt(account);

        settlementToken.safeTransferFrom(msg.sender, address(this), repaidTokens);
        bytes32 guid;
        (orderId, guid) = _sendOrder(MessageCodec.SEIZE, account, assetId, seized, receiver, options);
        emit Liquidated(account, msg.sender, assetId, repaidTokens, seized, receiver, orderId, guid);
    }

    /// @notice Take over up to `maxSize` of an unhealthy account's position in `marketId` at the
    /// oracle mark into the caller's sub-account `keeperSubAccount`. The account pays a penalty
    /// on the notional, shared between the keeper and the insurance fund.
    function liquidatePosition(AccountId account, uint16 marketId, uint256 maxSize, uint32 keeperSubAccount)
        external
        nonReentrant
        returns (uint256 sizeTaken)
    {
        AccountId keeper = AccountIdLib.toAccountId(msg.sender, keeperSubAccount);
        if (AccountId.unwrap(keeper) == AccountId.unwrap(account)) revert SameAccount();
        (,, uint256 h) = _requireLiquidatable(account);
        int256 position = _positions[account][marketId];
        if (position == 0) revert NoPosition();

        RiskConfig.LiquidationParams memory lp = riskEngine.liquidationParams();
        uint256 closeFactor = h < lp.fullCloseHealth ? WAD : lp.closeFactor;
        sizeTaken = Math.min(maxSize, Math.mulDiv(MarginMath.abs(position), closeFactor, WAD, Math.Rounding.Ceil));
        if (sizeTaken == 0) revert NothingToLiquidate();
        uint256 mark = riskEngine.markPrice(marketId);

        // The account leaves the position at mark; the keeper steps into it at the same price.
        // forge-lint: disable-next-line(unsafe-typecast) sizeTaken <= |position| <= type(int256).max
        int256 delta = position > 0 ? -int256(sizeTaken) : int256(sizeTaken);
        // forge-lint: disable-next-line(unsafe-typecast) mark < 2^128 (maxPrice, strike are uint128)
        int256 proceeds = -delta * int256(mark) / int256(WAD);
        _changePosition(account, marketId, delta, proceeds);
        _changePosition(keeper, marketId, -delta, -proceeds);

        uint256 penalty = Math.mulDiv(Math.mulDiv(sizeTaken, mark, WAD), lp.positionPenalty, WAD);
        uint256 toInsurance = Math.mulDiv(penalty, lp.insuranceShare, WAD);
        // penalty <= |proceeds| (positionPenalty <= 10%), which was computed in checked int256 above.
        // forge-lint: disable-next-line(unsafe-typecast) see above
        _changeCash(account, -int256(penalty));
        // forge-lint: disable-next-line(unsafe-typecast) see above
        _changeCash(keeper, int256(penalty - toInsurance));
        insuranceFund += toInsurance;

        emit PositionLiquidated(account, keeper, marketId, -delta, mark, penalty);
        _requireInitialMargin(keeper);
        _resolveBadDebtIfBankrupt(account);
    }

    // ================================================================ views

    /// @notice Initial and maintenance equity and requirements at guarded oracle prices.
    function accountFigures(AccountId account) external view returns (MarginMath.Figures memory) {
        return _figures(account);
    }

    /// @notice Figures plus the account's delta and vega per underlying.
    function accountRisk(AccountId account) external view returns (RiskEngine.Risk memory) {
        (int256 cash, RiskEngine.Holding[] memory holdings, RiskEngine.Position[] memory positions) = _holdings(account);
        return riskEngine.risk(cash, holdings, positions);
    }

    /// @notice Maintenance equity / maintenance requirement in WAD; below 1e18 is liquidatable.
    function health(AccountId account) external view returns (uint256) {
        (int256 equity, uint256 requirement) = _maintenanceFigures(account);
        return MarginMath.health(equity, requirement);
    }

    /// @notice The holdings of many accounts at one block, exactly as the margin check reads them,
    /// so an off-chain book of N accounts loads in N / batch calls instead of N. The loop is over
    /// the caller's list in a view, never in a transaction: its cost is the caller's to bound.
    function holdingsOf(AccountId[] calldata accounts) external view returns (AccountHoldings[] memory out) {
        out = new AccountHoldings[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            (out[i].cash, out[i].collateral, out[i].positions) = _holdings(accounts[i]);
        }
    }

    function accountState(AccountId account) external view returns (AccountState memory) {
        return _accounts[account];
    }

    function collateralOf(AccountId account, uint16 assetId) external view returns (uint256) {
        return _collateral[account][assetId];
    }

    function positionOf(AccountId account, uint16 marketId) external view returns (int256) {
        return _positions[account][marketId];
    }

    // ================================================================ internals: ledger

    function _addCollateral(AccountId account, uint16 assetId, uint256 amount) private {
        _collateral[account][assetId] += amount;
        _accounts[account].assets |= uint64(1) << assetId;
    }

    function _removeCollateral(AccountId account, uint16 assetId, uint256 amount) private {
        uint256 held = _collateral[account][assetId];
        if (held < amount) revert InsufficientCollateral(held, amount);
        _collateral[account][assetId] = held - amount;
        if (held == amount) _accounts[account].assets &= ~(uint64(1) << assetId);
    }

    function _changeCash(AccountId account, int256 delta) private {
        _accounts[account].cash += delta;
        totalCash += delta;
    }

    /// @return increased whether the position's absolute size grew (or flipped side).
    function _changePosition(AccountId account, uint16 marketId, int256 sizeDelta, int256 cashDelta)
        private
        returns (bool increased)
    {
        int256 before = _positions[account][marketId];
        int256 next = before + sizeDelta;
        _positions[account][marketId] = next;
        _changeCash(account, cashDelta);
        if (next == 0) _accounts[account].markets &= ~(uint64(1) << marketId);
        else _accounts[account].markets |= uint64(1) << marketId;
        increased =
            MarginMath.abs(next) > MarginMath.abs(before) || (before > 0 && next < 0) || (before < 0 && next > 0);
    }

    /// @dev An account left with no collateral and no positions but negative cash is bankrupt:
    /// the insurance fund covers the shortfall first, the rest is recorded as socialised bad debt.
    function _resolveBadDebtIfBankrupt(AccountId account) private {
        AccountState storage st = _accounts[account];
        if (st.assets != 0 || st.markets != 0 || st.cash >= 0) return;
        uint256 shortfall = uint256(-st.cash);
        uint256 covered = Math.min(shortfall, insuranceFund);
        insuranceFund -= covered;
        badDebt += shortfall - covered;
        // forge-lint: disable-next-line(unsafe-typecast) shortfall = -cash, with cash < 0
        _changeCash(account, int256(shortfall));
        emit BadDebtResolved(account, shortfall, covered, shortfall - covered);
    }

    function _sendOrder(
        uint8 msgType,
        AccountId account,
        uint16 assetId,
        uint256 amount,
        address recipient,
        bytes calldata options
    ) private returns (uint64 orderId, bytes32 guid) {
        RiskConfig.Asset memory a = riskEngine.asset(assetId);
        orderId = nextOrderId++;
        guid = _deliver(a.eid, msgType, _orderMessage(msgType, orderId, account, a.token, amount, recipient), options);
    }

    function _orderMessage(
        uint8 msgType,
        uint64 orderId,
        AccountId account,
        address token,
        uint256 amount,
        address recipient
    ) private pure returns (bytes memory) {
        return MessageCodec.encode(
            MessageCodec.Message({
                msgType: msgType,
                id: orderId,
                account: account.owner(),
                subAccount: account.subAccount(),
                token: token,
                amount: amount,
                recipient: recipient
            })
        );
    }

    // ================================================================ internals: margin

    function _figures(AccountId account) internal view returns (MarginMath.Figures memory) {
        (int256 cash, RiskEngine.Holding[] memory holdings, RiskEngine.Position[] memory positions) = _holdings(account);
        return riskEngine.figures(cash, holdings, positions);
    }

    /// @dev Maintenance figures only: what a liquidation or a risk-reducing trade checks, at
    /// about half the gas of `_figures`.
    function _maintenanceFigures(AccountId account) internal view returns (int256 equity, uint256 requirement) {
        (int256 cash, RiskEngine.Holding[] memory holdings, RiskEngine.Position[] memory positions) = _holdings(account);
        return riskEngine.maintenanceFigures(cash, holdings, positions);
    }

    /// @dev The account's cash, collateral and positions, read through its bitmaps (at most 64 each).
    function _holdings(AccountId account)
        internal
        view
        returns (int256 cash, RiskEngine.Holding[] memory holdings, RiskEngine.Position[] memory positions)
    {
        AccountState storage st = _accounts[account];
        uint64 bits = st.assets;
        holdings = new RiskEngine.Holding[](_popCount(bits));
        uint256 n;
        for (uint16 i; bits != 0; (++i, bits >>= 1)) {
            if (bits & 1 == 1) holdings[n++] = RiskEngine.Holding(i, _collateral[account][i]);
        }
        bits = st.markets;
        positions = new RiskEngine.Position[](_popCount(bits));
        n = 0;
        for (uint16 i; bits != 0; (++i, bits >>= 1)) {
            if (bits & 1 == 1) positions[n++] = RiskEngine.Position(i, _positions[account][i]);
        }
        cash = st.cash;
    }

    /// @dev Accounts with no positions and no debt depend on no price: they can always withdraw,
    /// even while a feed is stale.
    function _requireInitialMargin(AccountId account) private view {
        AccountState storage st = _accounts[account];
        if (st.markets == 0 && st.cash >= 0) return;
        MarginMath.Figures memory f = _figures(account);
        if (f.initialEquity < int256(f.initialRequirement)) {
            revert InsufficientMargin(f.initialEquity, f.initialRequirement);
        }
    }

    function _requireMarginAfterTrade(AccountId account, bool increased) private view {
        if (increased) return _requireInitialMargin(account);
        (int256 equity, uint256 requirement) = _maintenanceFigures(account);
        // forge-lint: disable-next-line(unsafe-typecast) requirements are int256 sums (PortfolioMargin)
        if (equity < int256(requirement)) revert InsufficientMargin(equity, requirement);
    }

    function _requireLiquidatable(AccountId account)
        private
        view
        returns (int256 equity, uint256 requirement, uint256 h)
    {
        (equity, requirement) = _maintenanceFigures(account);
        h = MarginMath.health(equity, requirement);
        if (h >= WAD) revert AccountHealthy(h);
    }

    function _popCount(uint64 x) private pure returns (uint256 n) {
        for (; x != 0; x &= x - 1) {
            ++n;
        }
    }
}
