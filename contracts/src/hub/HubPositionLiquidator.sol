// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {AccountId, AccountIdLib} from "../libraries/AccountIdLib.sol";
import {WAD} from "../libraries/FixedPoint.sol";
import {MarginMath} from "../risk/MarginMath.sol";
import {IRiskConfig} from "../interfaces/IRiskConfig.sol";
import {IRiskEngine} from "../interfaces/IRiskEngine.sol";
import {HubLiquidations} from "./HubLiquidations.sol";
import {HubLedger} from "./HubLedger.sol";

/// @title HubPositionLiquidator
/// @notice MarginHub's takeovers, `liquidatePosition`, `liquidatePositions` and the backstop's
/// `takeOverAccount` (see IMarginHub), whose code runs in the hub's storage: the hub deploys this
/// contract with its own constructor arguments and delegates those calls to it.
/// @dev Built on the same `HubLedger` as the hub, so its storage layout and immutables are the
/// hub's. Called directly, it would act on its own storage, where no account exists; it refuses
/// that instead.
contract HubPositionLiquidator is HubLiquidations {
    /// @notice Raised when this contract is called other than through its hub's delegatecall.
    error NotThroughTheHub();

    address private immutable _self;

    constructor(
        address endpoint_,
        address admin,
        IERC20 settlementToken_,
        uint8 settlementDecimals,
        IRiskEngine riskEngine_
    ) HubLedger(endpoint_, admin, settlementToken_, settlementDecimals, riskEngine_) {
        _self = address(this);
    }

    modifier throughTheHub() {
        if (address(this) == _self) revert NotThroughTheHub();
        _;
    }

    /// @notice See `IMarginHub.liquidatePosition`.
    function liquidatePosition(AccountId account, uint16 marketId, uint256 maxSize, uint32 keeperSubAccount)
        external
        throughTheHub
        nonReentrant
        returns (uint256 sizeTaken)
    {
        AccountId keeper = AccountIdLib.toAccountId(msg.sender, keeperSubAccount);
        sizeTaken = _takeOver(keeper, account, marketId, maxSize, riskEngine.liquidationParams(), true);
        _requireInitialMargin(keeper);
    }

    /// @notice See `IMarginHub.liquidatePositions`.
    function liquidatePositions(PositionTakeover[] calldata takeovers, uint32 keeperSubAccount)
        external
        throughTheHub
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

    /// @notice See `IMarginHub.takeOverAccount`.
    function takeOverAccount(AccountId account, uint32 backstopSubAccount)
        external
        throughTheHub
        nonReentrant
        onlyRole(BACKSTOP_ROLE)
        returns (int256 equity, uint256 requirement)
    {
        AccountId backstop = AccountIdLib.toAccountId(msg.sender, backstopSubAccount);
        if (AccountId.unwrap(backstop) == AccountId.unwrap(account)) revert SameAccount();
        (equity, requirement) = _maintenanceFigures(account);
        uint256 h = MarginMath.health(equity, requirement);
        if (h >= WAD) revert AccountHealthy(h);
        AccountState storage st = _accounts[account];
        // The bitmaps are read once, before the moves clear them.
        uint64 bits = st.assets;
        for (uint16 i; bits != 0; (++i, bits >>= 1)) {
            if (bits & 1 == 1) {
                uint256 amount = _collateral[account][i];
                _removeCollateral(account, i, amount);
                _addCollateral(backstop, i, amount);
            }
        }
        bits = st.markets;
        for (uint16 i; bits != 0; (++i, bits >>= 1)) {
            if (bits & 1 == 1) {
                int256 size = _positions[account][i];
                _changePosition(account, i, -size, 0);
                _changePosition(backstop, i, size, 0);
            }
        }
        int256 cash = _cashValue(st.cash, cashIndex);
        _changeCash(account, -cash);
        _changeCash(backstop, cash);
        _requireInitialMargin(backstop);
        emit AccountTakenOver(account, backstop, equity, requirement);
    }

    /// @dev It has no peers, so the endpoint never delivers to it: the hub handles every message.
    function _handle(uint32, bytes calldata) internal pure override {
        revert NotThroughTheHub();
    }
}
