// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {HubSpokeOApp} from "./oapp/HubSpokeOApp.sol";
import {MessageCodec} from "./libraries/MessageCodec.sol";
import {ZeroAmount, ZeroAddress, UnexpectedMessageType} from "./libraries/Errors.sol";
import {ICollateralVault} from "./interfaces/ICollateralVault.sol";

/// @title CollateralVault
/// @notice Custody of collateral on one chain. Deposits are reported to the MarginHub with a
/// CREDIT message; tokens leave only on a RELEASE (withdrawal) or SEIZE (liquidation) from the hub,
/// paid at once or, when the token will not pay the recipient, kept for it to claim. No function
/// here, the admin's included, moves custody any other way; what the LayerZero configuration can
/// do is in docs/security.md.
contract CollateralVault is HubSpokeOApp, AccessControl, Pausable, ReentrancyGuardTransient, ICollateralVault {
    using SafeERC20 for IERC20;

    /// @inheritdoc ICollateralVault
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @inheritdoc ICollateralVault
    bytes32 public constant LISTING_ROLE = keccak256("LISTING_ROLE");

    struct TokenConfig {
        bool allowed;
        /// @dev Most this vault will hold of the token; enforced here because a deposit is only
        /// synchronous on this chain (the hub learns of it a message later and cannot refuse it).
        uint256 cap;
    }

    /// @inheritdoc ICollateralVault
    uint32 public immutable hubEid;

    /// @inheritdoc ICollateralVault
    mapping(address token => TokenConfig) public tokenConfig;
    /// @inheritdoc ICollateralVault
    mapping(address token => uint256) public custodied;
    /// @inheritdoc ICollateralVault
    mapping(uint64 id => bool) public processed;
    /// @inheritdoc ICollateralVault
    uint64 public nextCreditId = 1;
    /// @inheritdoc ICollateralVault
    mapping(address recipient => mapping(address token => uint256)) public owed;

    constructor(address endpoint_, address admin, uint32 hubEid_) HubSpokeOApp(endpoint_, admin) Ownable(admin) {
        hubEid = hubEid_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
        _grantRole(LISTING_ROLE, admin);
    }

    // ---------------------------------------------------------------- admin

    /// @notice Set the hub as this vault's peer, once (owner); peers on other chains are refused.
    /// @dev The vault's only peer is the hub.
    /// @param eid The hub's endpoint id (`hubEid`).
    /// @param peer The hub's address, as bytes32.
    function setPeer(uint32 eid, bytes32 peer) public override onlyOwner {
        if (eid != hubEid) revert NotHubEid(eid);
        super.setPeer(eid, peer);
    }

    /// @inheritdoc ICollateralVault
    function configureToken(address token, bool allowed, uint256 cap) external onlyRole(LISTING_ROLE) {
        if (token == address(0)) revert ZeroAddress();
        tokenConfig[token] = TokenConfig({allowed: allowed, cap: cap});
        emit TokenConfigured(token, allowed, cap);
    }

    /// @inheritdoc ICollateralVault
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc ICollateralVault
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- deposits

    /// @inheritdoc ICollateralVault
    function quoteDeposit(address account, uint32 subAccount, address token, uint256 amount, bytes calldata options)
        external
        view
        returns (uint256 nativeFee)
    {
        return _quoteDelivery(
            hubEid, MessageCodec.CREDIT, _creditMessage(nextCreditId, account, subAccount, token, amount), options
        );
    }

    /// @inheritdoc ICollateralVault
    function deposit(address account, uint32 subAccount, address token, uint256 amount, bytes calldata options)
        external
        payable
        nonReentrant
        whenNotPaused
        returns (uint64 creditId, uint256 credited)
    {
        TokenConfig memory config = tokenConfig[token];
        if (!config.allowed) revert TokenNotAllowed(token);
        if (amount == 0) revert ZeroAmount();
        if (account == address(0)) revert ZeroAddress();

        // Measure what arrived rather than trusting `amount`: fee-on-transfer tokens deliver less.
        uint256 balanceBefore = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        credited = IERC20(token).balanceOf(address(this)) - balanceBefore;
        if (credited == 0) revert NothingReceived(token);

        uint256 newCustody = custodied[token] + credited;
        if (newCustody > config.cap) revert CapExceeded(token, newCustody, config.cap);
        custodied[token] = newCustody;
        creditId = nextCreditId++;

        bytes32 guid = _deliver(
            hubEid, MessageCodec.CREDIT, _creditMessage(creditId, account, subAccount, token, credited), options
        );
        emit Deposited(creditId, account, subAccount, token, credited, msg.sender, guid);
    }

    // ---------------------------------------------------------------- hub orders

    function _handle(uint32 srcEid, bytes calldata data) internal override nonReentrant {
        if (srcEid != hubEid) revert NotFromHub(srcEid);
        MessageCodec.Message memory m = MessageCodec.decode(data);
        if (m.msgType != MessageCodec.RELEASE && m.msgType != MessageCodec.SEIZE) {
            revert UnexpectedMessageType(m.msgType);
        }
        if (processed[m.id]) revert MessageAlreadyProcessed(m.id);
        uint256 held = custodied[m.token];
        if (held < m.amount) revert InsufficientCustody(m.token, held, m.amount);

        processed[m.id] = true;
        custodied[m.token] = held - m.amount;
        if (m.msgType == MessageCodec.RELEASE) {
            emit Released(m.id, m.account, m.token, m.amount, m.recipient);
        } else {
            emit Seized(m.id, m.account, m.token, m.amount, m.recipient);
        }
        _pay(m.id, IERC20(m.token), m.recipient, m.amount);
    }

    /// @dev Pays an order; what the token refuses to move (a blocklisted recipient) or moves short
    /// of is kept for the recipient to claim, so the message never fails after the hub debited.
    function _pay(uint64 id, IERC20 token, address recipient, uint256 amount) private {
        uint256 before = token.balanceOf(address(this));
        uint256 moved = token.trySafeTransfer(recipient, amount) ? before - token.balanceOf(address(this)) : 0;
        if (moved >= amount) return;
        owed[recipient][address(token)] += amount - moved;
        emit PayoutDeferred(id, recipient, address(token), amount - moved);
    }

    // ---------------------------------------------------------------- kept payouts

    /// @inheritdoc ICollateralVault
    function claim(address token, address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        amount = owed[msg.sender][token];
        if (amount == 0) revert NothingToClaim(msg.sender, token);
        owed[msg.sender][token] = 0;
        emit PayoutClaimed(msg.sender, token, amount, to);
        IERC20(token).safeTransfer(to, amount);
    }

    function _creditMessage(uint64 id, address account, uint32 subAccount, address token, uint256 amount)
        private
        pure
        returns (bytes memory)
    {
        return MessageCodec.encode(
            MessageCodec.Message({
                msgType: MessageCodec.CREDIT,
                id: id,
                account: account,
                subAccount: subAccount,
                token: token,
                amount: amount,
                recipient: address(0)
            })
        );
    }
}
