// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {AccountId} from "../libraries/AccountIdLib.sol";
import {IRiskEngine} from "./IRiskEngine.sol";
import {IMarketHolders} from "./IMarketHolders.sol";

/// @title IMarginHubBase
/// @notice The hub's types, events, errors and stored totals: what the hub's ledger
/// (`hub/HubLedger.sol`) declares, which both the hub and its position liquidator are built on.
/// `IMarginHub` adds the hub's entry points.
interface IMarginHubBase is IMarketHolders {
    /// @notice What the margin model sees of one account: the inputs `accountFigures` runs on.
    struct AccountHoldings {
        int256 cash;
        /// @dev In asset id order, only assets held.
        IRiskEngine.Holding[] collateral;
        /// @dev In market id order, only open positions.
        IRiskEngine.Position[] positions;
    }

    /// @notice An account's cash and which assets and markets it holds.
    struct AccountState {
        int256 cash;
        /// @dev Bit i set: the account holds asset i. Bounds every per-account loop by MAX_ASSETS.
        uint64 assets;
        /// @dev Bit i set: the account has an open position in market i.
        uint64 markets;
    }

    /// @notice One position takeover in `liquidatePositions`.
    struct PositionTakeover {
        AccountId account;
        uint16 marketId;
        /// @dev The most to take over, WAD of the underlying.
        uint256 maxSize;
    }

    /// @notice A vault's CREDIT (a deposit) was applied to `account`.
    /// @param account The account credited.
    /// @param assetId The asset deposited.
    /// @param srcEid The vault's chain.
    /// @param creditId The CREDIT's id on that vault.
    /// @param amount Token units credited.
    event CollateralCredited(
        AccountId indexed account, uint16 indexed assetId, uint32 srcEid, uint64 creditId, uint256 amount
    );

    /// @notice `account` withdrew collateral: the hub debited it and sent a RELEASE to the vault.
    /// @param account The account debited.
    /// @param assetId The asset withdrawn.
    /// @param amount Token units withdrawn.
    /// @param recipient Who the vault pays, on the asset's chain.
    /// @param orderId The RELEASE's id.
    /// @param guid The LayerZero message guid (zero when the vault is on the hub chain).
    event WithdrawalRequested(
        AccountId indexed account,
        uint16 indexed assetId,
        uint256 amount,
        address recipient,
        uint64 orderId,
        bytes32 guid
    );

    /// @notice Collateral moved between two sub-accounts of one owner.
    /// @param from The sub-account debited.
    /// @param to The sub-account credited.
    /// @param assetId The asset moved.
    /// @param amount Token units moved.
    event CollateralTransferred(AccountId indexed from, AccountId indexed to, uint16 indexed assetId, uint256 amount);

    /// @notice Settlement tokens were paid into `account`'s cash.
    /// @param account The account credited.
    /// @param payer Who paid the tokens.
    /// @param tokens Settlement token units paid.
    event CashDeposited(AccountId indexed account, address indexed payer, uint256 tokens);

    /// @notice `account` took cash out in settlement tokens.
    /// @param account The account debited.
    /// @param recipient Who received the tokens.
    /// @param tokens Settlement token units paid out.
    event CashWithdrawn(AccountId indexed account, address recipient, uint256 tokens);

    /// @notice A venue moved cash between two accounts (funding, fees, PnL).
    /// @param payer The account debited.
    /// @param receiver The account credited.
    /// @param amount USD WAD moved.
    /// @param venue The venue that recorded it.
    event CashSettled(AccountId indexed payer, AccountId indexed receiver, uint256 amount, address venue);

    /// @notice A venue recorded a trade.
    /// @param buyer The buying account.
    /// @param seller The selling account.
    /// @param marketId The market traded.
    /// @param size WAD of the underlying.
    /// @param price USD WAD per unit.
    /// @param venue The venue that recorded it.
    event Traded(
        AccountId indexed buyer,
        AccountId indexed seller,
        uint16 indexed marketId,
        uint256 size,
        uint256 price,
        address venue
    );

    /// @notice A keeper repaid part of `account`'s debt and seized its collateral: the hub sent a
    /// SEIZE to the vault that holds it.
    /// @param account The liquidated account.
    /// @param keeper Who repaid (and paid the settlement tokens).
    /// @param assetId The asset seized.
    /// @param repaidTokens Settlement token units repaid.
    /// @param seized Token units of the asset seized.
    /// @param receiver Who the vault pays, on the asset's chain.
    /// @param orderId The SEIZE's id.
    /// @param guid The LayerZero message guid (zero when the vault is on the hub chain).
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

    /// @notice A keeper took over part of `account`'s position at the mark.
    /// @param account The liquidated account.
    /// @param keeper The keeper's sub-account that took the position.
    /// @param marketId The market.
    /// @param sizeTaken WAD of the underlying taken over: positive from a long, negative from a short.
    /// @param mark The price it changed hands at, USD WAD.
    /// @param penalty USD WAD the account paid, shared by the keeper and the insurance fund.
    event PositionLiquidated(
        AccountId indexed account,
        AccountId indexed keeper,
        uint16 indexed marketId,
        int256 sizeTaken,
        uint256 mark,
        uint256 penalty
    );

    /// @notice A batch liquidation passed over `account`, which is left as it was.
    /// @param account The account passed over.
    /// @param id The asset (`liquidateBatch`) or market (`liquidatePositions`).
    /// @param reason The ABI-encoded error the single liquidation would have reverted with,
    /// e.g. `AccountHealthy(health)`: another keeper may have been first.
    event LiquidationSkipped(AccountId indexed account, uint16 indexed id, bytes reason);

    /// @notice Settlement tokens were added to the insurance fund.
    /// @param payer Who paid them.
    /// @param tokens Settlement token units.
    event InsuranceFunded(address indexed payer, uint256 tokens);

    /// @notice `account`'s position in an expired option was settled in cash.
    /// @param account The account.
    /// @param marketId The option market.
    /// @param size The position settled, WAD of the underlying (negative: short).
    /// @param payoffPerUnit The option's payoff, USD WAD per unit.
    /// @param cashDelta USD WAD added to (or, for a short, taken from) the account's cash.
    event OptionSettled(
        AccountId indexed account, uint16 indexed marketId, int256 size, uint256 payoffPerUnit, int256 cashDelta
    );

    /// @notice A bankrupt account (no collateral, no positions, negative cash) was closed out.
    /// @param account The account, whose cash is now zero.
    /// @param shortfall Its negative cash, USD WAD.
    /// @param coveredByInsurance The part the insurance fund paid.
    /// @param socialised The rest, charged to positive cash through the cash index.
    event BadDebtResolved(AccountId indexed account, uint256 shortfall, uint256 coveredByInsurance, uint256 socialised);

    /// @notice A liquidatable account was taken over whole by a backstop: its collateral, positions
    /// and cash moved as they were (each position with its own cash basis, so at the mark with
    /// the equity it had), and the backstop's initial margin was checked after.
    /// @param account The account, now empty.
    /// @param backstop The backstop's account that holds it all now.
    /// @param equity The account's maintenance equity when taken over, USD WAD.
    /// @param requirement Its maintenance requirement then, USD WAD.
    event AccountTakenOver(AccountId indexed account, AccountId indexed backstop, int256 equity, uint256 requirement);

    /// @notice A loss the insurance fund could not cover was charged to every account with
    /// positive cash, pro rata: each such balance is now worth `cashIndex / previous index` of
    /// what it was.
    /// @param loss USD WAD charged.
    /// @param cashIndex The new cash index (WAD: no loss ever socialised).
    event CashIndexLowered(uint256 loss, uint256 cashIndex);

    /// @notice Raised at deployment when the settlement token has more than 18 decimals.
    error SettlementDecimalsTooLarge(uint8 decimals);
    /// @notice Raised when a trade's size is 0 or above type(int128).max.
    error InvalidTradeSize(uint256 size);
    /// @notice Raised when a venue's cash settlement is 0 or above type(int128).max.
    error InvalidCashAmount(uint256 amount);
    /// @notice Raised when a vault's CREDIT with this id was already applied.
    error CreditAlreadyProcessed(uint32 srcEid, uint64 id);
    /// @notice Raised when an account is debited more of an asset than it `held`.
    error InsufficientCollateral(uint256 held, uint256 amount);
    /// @notice Raised when an action would leave an account's equity below its requirement:
    /// initial margin after a withdrawal of collateral or cash, a transfer, a trade that adds risk
    /// or a keeper's takeover of a position; maintenance after a trade that only reduces risk.
    error InsufficientMargin(int256 equity, uint256 requirement);
    /// @notice Raised when liquidating an account whose maintenance health is 1e18 or more.
    error AccountHealthy(uint256 health);
    /// @notice Raised when liquidating collateral of an account with no cash debt.
    error NoDebtToRepay();
    /// @notice Raised when liquidating an asset the account does not hold.
    error NoCollateral(uint16 assetId);
    /// @notice Raised when withdrawing more cash than the hub holds in settlement tokens.
    error InsufficientLiquidity(uint256 available, uint256 requested);
    /// @notice Raised when settling or liquidating a position the account does not have.
    error NoPosition();
    /// @notice Raised when a liquidation would repay, seize or take nothing.
    error NothingToLiquidate();
    /// @notice Raised when a batch liquidation lists no account or more than `max`.
    error InvalidBatchSize(uint256 size, uint256 max);
    /// @notice Raised when both sides of a trade, settlement, transfer or liquidation are one account.
    error SameAccount();
    /// @notice Raised when taking over a position would lower the account's maintenance health
    /// (the leg that hedges its collateral or another position, say).
    error TakeoverLowersHealth(uint256 healthBefore, uint256 healthAfter);
    /// @notice Raised when a trade's price is outside the market's band around its `mark`.
    error TradePriceOutOfBand(uint256 price, uint256 mark);

    // ---------------------------------------------------------------- configuration and totals

    /// @notice The role of trading venues, which may call `trade` and `settleCash`.
    function VENUE_ROLE() external view returns (bytes32);

    /// @notice The role of backstop vaults, which may call `takeOverAccount`.
    function BACKSTOP_ROLE() external view returns (bytes32);

    /// @notice The hub chain's ERC-20 that cash is paid in and out with, 1 token = 1 USD.
    function settlementToken() external view returns (IERC20);

    /// @notice USD WAD per settlement token unit (1e12 for a 6-decimal token).
    function settlementScale() external view returns (uint256);

    /// @notice The margin model; fixed at deployment.
    function riskEngine() external view returns (IRiskEngine);

    /// @notice Token units of an asset the hub ledger holds for all accounts together.
    /// @param assetId The asset's id.
    function totalCollateral(uint16 assetId) external view returns (uint256);

    /// @notice Whether the CREDIT `id` from the vault on chain `eid` was applied.
    /// @param eid The vault's chain.
    /// @param id The CREDIT's id.
    function creditProcessed(uint32 eid, uint64 id) external view returns (bool);

    /// @notice Id of the next RELEASE or SEIZE the hub sends.
    function nextOrderId() external view returns (uint64);

    /// @notice Sum of every account's cash (USD WAD), positive cash valued at the cash index.
    /// The settlement tokens the hub holds always cover it with the insurance fund:
    /// totalCash + insuranceFund - unownedLoss <= settlementHeld * settlementScale, equal until a
    /// loss is socialised (then short of it by rounding dust, in the hub's favour).
    function totalCash() external view returns (int256);

    /// @notice The insurance fund, USD WAD: covers bankrupt accounts before anything is socialised.
    function insuranceFund() external view returns (uint256);

    /// @notice USD WAD one WAD of positive cash was worth when deposited, now: WAD until a loss is
    /// socialised, lower after (positive cash is held as shares of it). Never zero.
    function cashIndex() external view returns (uint256);

    /// @notice Shortfall of bankrupt accounts the insurance fund could not cover, charged to
    /// positive cash through the cash index, USD WAD (cumulative).
    function socialisedLoss() external view returns (uint256);

    /// @notice Shortfall no one bears: beyond the insurance fund and all positive cash, which only
    /// a broken custody could leave, USD WAD (cumulative; zero on a sound hub).
    function unownedLoss() external view returns (uint256);

    /// @notice Settlement tokens taken in minus paid out (excludes tokens sent here directly).
    function settlementHeld() external view returns (uint256);

    /// @notice The most accounts one batch liquidation lists.
    function MAX_LIQUIDATION_BATCH() external view returns (uint256);
}
