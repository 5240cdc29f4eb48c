// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {HubSpokeOApp} from "../oapp/HubSpokeOApp.sol";
import {MessageCodec} from "../libraries/MessageCodec.sol";
import {ZeroAddress} from "../libraries/Errors.sol";
import {WAD} from "../libraries/FixedPoint.sol";
import {AccountId, AccountIdLib} from "../libraries/AccountIdLib.sol";
import {MarginMath} from "../risk/MarginMath.sol";
import {IRiskConfig} from "../interfaces/IRiskConfig.sol";
import {IRiskEngine} from "../interfaces/IRiskEngine.sol";
import {IMarginHubBase} from "../interfaces/IMarginHubBase.sol";
import {IMarketHolders} from "../interfaces/IMarketHolders.sol";

/// @title HubLedger
/// @notice The hub's state and the internal moves every flow shares: the ledger of collateral,
/// cash and positions, bad-debt resolution, orders to the vaults, and the margin checks asked of
/// the RiskEngine. MarginHub builds the external flows (credits, withdrawals, cash, venues,
/// liquidations) on it.
abstract contract HubLedger is HubSpokeOApp, AccessControl, ReentrancyGuardTransient, IMarginHubBase {
    using SafeERC20 for IERC20;
    using AccountIdLib for AccountId;

    /// @inheritdoc IMarginHubBase
    bytes32 public constant VENUE_ROLE = keccak256("VENUE_ROLE");
    /// @inheritdoc IMarginHubBase
    bytes32 public constant BACKSTOP_ROLE = keccak256("BACKSTOP_ROLE");

    /// @inheritdoc IMarginHubBase
    IERC20 public immutable settlementToken;
    /// @inheritdoc IMarginHubBase
    uint256 public immutable settlementScale;
    /// @inheritdoc IMarginHubBase
    IRiskEngine public immutable riskEngine;

    mapping(AccountId => AccountState) internal _accounts;
    mapping(AccountId => mapping(uint16 assetId => uint256)) internal _collateral;
    mapping(AccountId => mapping(uint16 marketId => int256)) internal _positions;
    /// @inheritdoc IMarginHubBase
    mapping(uint16 assetId => uint256) public totalCollateral;
    /// @inheritdoc IMarketHolders
    mapping(uint16 marketId => uint256) public marketHolders;
    /// @inheritdoc IMarginHubBase
    mapping(uint32 eid => mapping(uint64 id => bool)) public creditProcessed;
    /// @inheritdoc IMarginHubBase
    uint64 public nextOrderId = 1;
    /// @inheritdoc IMarginHubBase
    uint256 public constant MAX_LIQUIDATION_BATCH = 64;

    /// @inheritdoc IMarginHubBase
    uint256 public insuranceFund;
    /// @inheritdoc IMarginHubBase
    uint256 public settlementHeld;
    /// @inheritdoc IMarginHubBase
    uint256 public cashIndex = WAD;
    /// @dev Sum of the shares every account with positive cash holds (`AccountState.cash` ≥ 0
    /// is a number of shares, worth `shares × cashIndex / WAD` USD WAD each).
    uint256 internal _cashShares;
    /// @dev Sum of every account's negative cash, USD WAD (debts are not shares: a loss is
    /// never charged to an account that owes).
    uint256 internal _cashDebt;
    /// @inheritdoc IMarginHubBase
    uint256 public socialisedLoss;
    /// @inheritdoc IMarginHubBase
    uint256 public unownedLoss;

    constructor(
        address endpoint_,
        address admin,
        IERC20 settlementToken_,
        uint8 settlementDecimals,
        IRiskEngine riskEngine_
    ) HubSpokeOApp(endpoint_, admin) Ownable(admin) {
        if (settlementDecimals > 18) revert SettlementDecimalsTooLarge(settlementDecimals);
        if (address(riskEngine_) == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        settlementToken = settlementToken_;
        settlementScale = 10 ** (18 - settlementDecimals);
        riskEngine = riskEngine_;
    }

    /// @inheritdoc IMarginHubBase
    function totalCash() external view returns (int256) {
        return SafeCast.toInt256(Math.mulDiv(_cashShares, cashIndex, WAD)) - SafeCast.toInt256(_cashDebt);
    }

    // ================================================================ internals: ledger

    function _addCollateral(AccountId account, uint16 assetId, uint256 amount) internal {
        _collateral[account][assetId] += amount;
        _accounts[account].assets |= uint64(1) << assetId;
    }

    function _removeCollateral(AccountId account, uint16 assetId, uint256 amount) internal {
        uint256 held = _collateral[account][assetId];
        if (held < amount) revert InsufficientCollateral(held, amount);
        _collateral[account][assetId] = held - amount;
        if (held == amount) _accounts[account].assets &= ~(uint64(1) << assetId);
    }

    /// @dev Positive cash is kept in shares of the cash index, so that a socialised loss lowers
    /// every positive balance at once (`_socialise`) without a loop over accounts; until the
    /// first such loss the index is WAD and a share is exactly a USD WAD. Rounding is down, in
    /// the hub's favour.
    function _changeCash(AccountId account, int256 delta) internal {
        AccountState storage st = _accounts[account];
        uint256 index = cashIndex;
        int256 stored = st.cash;
        // forge-lint: disable-next-line(unsafe-typecast) the sign is checked on each side
        if (stored >= 0) _cashShares -= uint256(stored);
        // forge-lint: disable-next-line(unsafe-typecast) the sign is checked on each side
        else _cashDebt -= uint256(-stored);
        int256 next = _cashValue(stored, index) + delta;
        if (next >= 0) {
            // forge-lint: disable-next-line(unsafe-typecast) next >= 0
            uint256 shares = Math.mulDiv(uint256(next), WAD, index);
            _cashShares += shares;
            stored = SafeCast.toInt256(shares);
        } else {
            // forge-lint: disable-next-line(unsafe-typecast) next < 0
            _cashDebt += uint256(-next);
            stored = next;
        }
        st.cash = stored;
    }

    /// @dev USD WAD of an account's stored cash: shares at `index` when positive, a debt as it is.
    function _cashValue(int256 stored, uint256 index) internal pure returns (int256) {
        // forge-lint: disable-next-line(unsafe-typecast) stored >= 0 where it is cast; index <= WAD
        return stored >= 0 ? int256(Math.mulDiv(uint256(stored), index, WAD)) : stored;
    }

    /// @dev What the insurance fund could not cover is charged to positive cash, pro rata, by
    /// lowering the cash index (docs/risk-model.md section 8.3). Positive cash always suffices
    /// while the hub's custody holds: a debt was someone's positive cash, and the hub holds the
    /// tokens of the rest. The index never reaches zero; a loss beyond all positive cash (only
    /// possible if custody was already broken) is left in `unownedLoss`.
    /// @return absorbed USD WAD by which positive cash fell (at least `loss`, but for dust).
    function _socialise(uint256 loss) internal returns (uint256 absorbed) {
        uint256 index = cashIndex;
        uint256 shares = _cashShares;
        uint256 positive = Math.mulDiv(shares, index, WAD);
        uint256 next = loss < positive ? Math.mulDiv(index, positive - loss, positive) : 0;
        if (next == 0) next = 1;
        cashIndex = next;
        absorbed = positive - Math.mulDiv(shares, next, WAD);
        if (absorbed < loss) unownedLoss += loss - absorbed;
        socialisedLoss += Math.min(absorbed, loss);
        emit CashIndexLowered(loss, next);
    }

    /// @return increased whether the position's absolute size grew (or flipped side).
    function _changePosition(AccountId account, uint16 marketId, int256 sizeDelta, int256 cashDelta)
        internal
        returns (bool increased)
    {
        int256 before = _positions[account][marketId];
        int256 next = before + sizeDelta;
        _positions[account][marketId] = next;
        _changeCash(account, cashDelta);
        // The holder count frees a settled option's id for a new market once nobody holds it.
        if (next == 0) {
            if (before != 0) {
                _accounts[account].markets &= ~(uint64(1) << marketId);
                --marketHolders[marketId];
            }
        } else if (before == 0) {
            _accounts[account].markets |= uint64(1) << marketId;
            ++marketHolders[marketId];
        }
        increased =
            MarginMath.abs(next) > MarginMath.abs(before) || (before > 0 && next < 0) || (before < 0 && next > 0);
    }

    /// @dev An account left with no collateral and no positions but negative cash is bankrupt:
    /// the insurance fund covers the shortfall first, the rest is socialised on positive cash.
    function _resolveBadDebtIfBankrupt(AccountId account) internal {
        AccountState storage st = _accounts[account];
        if (st.assets != 0 || st.markets != 0 || st.cash >= 0) return;
        // forge-lint: disable-next-line(unsafe-typecast) cash < 0
        uint256 shortfall = uint256(-st.cash);
        uint256 covered = Math.min(shortfall, insuranceFund);
        insuranceFund -= covered;
        // forge-lint: disable-next-line(unsafe-typecast) shortfall = -cash, with cash < 0
        _changeCash(account, int256(shortfall));
        uint256 rest = shortfall - covered;
        if (rest != 0) _socialise(rest);
        emit BadDebtResolved(account, shortfall, covered, rest);
    }

    function _sendOrder(
        uint8 msgType,
        AccountId account,
        uint16 assetId,
        uint256 amount,
        address recipient,
        bytes calldata options
    ) internal returns (uint64 orderId, bytes32 guid) {
        IRiskConfig.Asset memory a = riskEngine.asset(assetId);
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
    ) internal pure returns (bytes memory) {
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
        (int256 cash, IRiskEngine.Holding[] memory holdings, IRiskEngine.Position[] memory positions) =
            _holdings(account);
        return riskEngine.figures(cash, holdings, positions);
    }

    /// @dev Maintenance figures only: what a liquidation or a risk-reducing trade checks, at
    /// about half the gas of `_figures`.
    function _maintenanceFigures(AccountId account) internal view returns (int256 equity, uint256 requirement) {
        (int256 cash, IRiskEngine.Holding[] memory holdings, IRiskEngine.Position[] memory positions) =
            _holdings(account);
        return riskEngine.maintenanceFigures(cash, holdings, positions);
    }

    /// @dev The account's cash, collateral and positions, read through its bitmaps (at most 64 each).
    function _holdings(AccountId account)
        internal
        view
        returns (int256 cash, IRiskEngine.Holding[] memory holdings, IRiskEngine.Position[] memory positions)
    {
        AccountState storage st = _accounts[account];
        uint64 bits = st.assets;
        holdings = new IRiskEngine.Holding[](_popCount(bits));
        uint256 n;
        for (uint16 i; bits != 0; (++i, bits >>= 1)) {
            if (bits & 1 == 1) holdings[n++] = IRiskEngine.Holding(i, _collateral[account][i]);
        }
        bits = st.markets;
        positions = new IRiskEngine.Position[](_popCount(bits));
        n = 0;
        for (uint16 i; bits != 0; (++i, bits >>= 1)) {
            if (bits & 1 == 1) positions[n++] = IRiskEngine.Position(i, _positions[account][i]);
        }
        cash = _cashValue(st.cash, cashIndex);
    }

    /// @dev Accounts with no positions and no debt depend on no price: they can always withdraw,
    /// even while a feed is stale.
    function _requireInitialMargin(AccountId account) internal view {
        AccountState storage st = _accounts[account];
        if (st.markets == 0 && st.cash >= 0) return;
        MarginMath.Figures memory f = _figures(account);
        if (f.initialEquity < int256(f.initialRequirement)) {
            revert InsufficientMargin(f.initialEquity, f.initialRequirement);
        }
    }

    function _requireMarginAfterTrade(AccountId account, bool increased) internal view {
        if (increased) return _requireInitialMargin(account);
        (int256 equity, uint256 requirement) = _maintenanceFigures(account);
        // forge-lint: disable-next-line(unsafe-typecast) requirements are int256 sums (PortfolioMargin)
        if (equity < int256(requirement)) revert InsufficientMargin(equity, requirement);
    }

    function _popCount(uint64 x) internal pure returns (uint256 n) {
        for (; x != 0; x &= x - 1) {
            ++n;
        }
    }
}
