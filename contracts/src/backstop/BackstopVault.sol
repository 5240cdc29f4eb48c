// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccountId, AccountIdLib} from "../libraries/AccountIdLib.sol";
import {WAD} from "../libraries/FixedPoint.sol";
import {IMarginHub} from "../interfaces/IMarginHub.sol";
import {IBackstopVault} from "../interfaces/IBackstopVault.sol";

/// @title BackstopVault
/// @notice See IBackstopVault. Deposits go straight to the vault's hub account as cash, where
/// they are margin for what it takes over; withdrawals come back from it, so a withdrawal the
/// vault's positions still need is refused by the hub (InsufficientMargin).
contract BackstopVault is ERC4626, IBackstopVault {
    using SafeERC20 for IERC20;

    /// @inheritdoc IBackstopVault
    IMarginHub public immutable hub;
    /// @inheritdoc IBackstopVault
    uint256 public immutable backstopHealth;
    /// @inheritdoc IBackstopVault
    uint256 public immutable patienceBlocks;
    /// @inheritdoc IBackstopVault
    uint256 public immutable rewardTokens;
    /// @dev USD WAD per settlement token unit.
    uint256 private immutable _scale;

    /// @inheritdoc IBackstopVault
    mapping(AccountId => uint256) public flaggedAt;

    constructor(
        IMarginHub hub_,
        string memory name_,
        string memory symbol_,
        uint256 backstopHealth_,
        uint256 patienceBlocks_,
        uint256 rewardTokens_
    ) ERC20(name_, symbol_) ERC4626(hub_.settlementToken()) {
        if (backstopHealth_ > WAD) revert InvalidBackstopHealth(backstopHealth_);
        hub = hub_;
        backstopHealth = backstopHealth_;
        patienceBlocks = patienceBlocks_;
        rewardTokens = rewardTokens_;
        _scale = hub_.settlementScale();
        hub_.settlementToken().forceApprove(address(hub_), type(uint256).max);
    }

    /// @inheritdoc IBackstopVault
    function hubAccount() public view returns (AccountId) {
        return AccountIdLib.toAccountId(address(this), 0);
    }

    /// @notice Settlement tokens held here plus the hub account's maintenance equity (collateral
    /// at its maintenance haircut, positions at the mark), never below zero.
    function totalAssets() public view override returns (uint256) {
        int256 equity = hub.accountFigures(hubAccount()).maintenanceEquity;
        // forge-lint: disable-next-line(unsafe-typecast) equity > 0 where it is cast
        uint256 onHub = equity > 0 ? uint256(equity) / _scale : 0;
        return IERC20(asset()).balanceOf(address(this)) + onHub;
    }

    /// @inheritdoc IBackstopVault
    function flag(AccountId account) external {
        uint256 h = hub.health(account);
        if (h >= WAD) {
            if (flaggedAt[account] == 0) revert AccountNotLiquidatable(h);
            delete flaggedAt[account];
            emit FlagCleared(account, h);
            return;
        }
        if (flaggedAt[account] != 0) return;
        flaggedAt[account] = block.number;
        emit AccountFlagged(account, block.number, h);
    }

    /// @inheritdoc IBackstopVault
    function backstop(AccountId account) external returns (int256 equity) {
        uint256 h = hub.health(account);
        if (h >= WAD) revert AccountNotLiquidatable(h);
        uint256 since = flaggedAt[account];
        if (h > backstopHealth && (since == 0 || block.number < since + patienceBlocks)) {
            revert NotYetBackstoppable(h, backstopHealth, since == 0 ? 0 : since + patienceBlocks);
        }
        delete flaggedAt[account];
        uint256 requirement;
        (equity, requirement) = hub.takeOverAccount(account, 0);
        if (equity <= 0) revert AccountUnderwater(equity);
        uint256 reward = _payReward();
        emit Backstopped(account, msg.sender, equity, requirement, reward);
    }

    /// @dev The reward comes out of the vault's hub cash; when the hub refuses (the vault's free
    /// margin or the hub's liquidity is short), the takeover still stands and nothing is paid.
    function _payReward() private returns (uint256) {
        if (rewardTokens == 0) return 0;
        try hub.withdrawCash(0, rewardTokens, msg.sender) {
            return rewardTokens;
        } catch {
            return 0;
        }
    }

    /// @dev Tokens deposited become the vault's hub cash at once.
    function _deposit(address caller, address receiver, uint256 assets, uint256 shares) internal override {
        super._deposit(caller, receiver, assets, shares);
        hub.depositCash(address(this), 0, assets);
    }

    /// @dev Tokens withdrawn come back from the vault's hub cash first, as far as the tokens held
    /// here do not cover them.
    function _withdraw(address caller, address receiver, address owner, uint256 assets, uint256 shares)
        internal
        override
    {
        uint256 held = IERC20(asset()).balanceOf(address(this));
        if (assets > held) hub.withdrawCash(0, assets - held, address(this));
        super._withdraw(caller, receiver, owner, assets, shares);
    }

    /// @dev Shares carry six more decimals than the token: the offset that makes a first
    /// depositor's donation attack unprofitable (OpenZeppelin's ERC-4626 notes).
    function _decimalsOffset() internal pure override returns (uint8) {
        return 6;
    }
}
