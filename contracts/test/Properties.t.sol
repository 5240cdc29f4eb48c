// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {CrossChainHandler} from "./handlers/CrossChainHandler.sol";
import {HandlerBase} from "./handlers/HandlerBase.sol";
import {IPacketCourier} from "./handlers/IPacketCourier.sol";
import {CollateralVault} from "../src/CollateralVault.sol";
import {AccountId} from "../src/libraries/AccountIdLib.sol";
import {MarginMath} from "../src/risk/MarginMath.sol";
import {IRiskConfig} from "../src/interfaces/IRiskConfig.sol";
import {TestToken} from "../src/devnet/TestToken.sol";
import {FeeOnTransferToken} from "./utils/FeeOnTransferToken.sol";
import {UnrulyToken} from "./utils/UnrulyToken.sol";
import {ManualAggregator} from "../src/devnet/ManualAggregator.sol";
import {AggregatorV3Interface} from "../src/interfaces/AggregatorV3Interface.sol";
import {IMarginHubBase} from "../src/interfaces/IMarginHubBase.sol";
import {BackstopVault} from "../src/backstop/BackstopVault.sol";

/// @notice What must hold whatever happens: fuzzed single flows (amounts, prices) and an invariant
/// run of random traffic across the hub and both spokes, checked after every step.
contract PropertiesTest is Fixture, IPacketCourier {
    /// @dev `invariant_all`'s runs (its forge-config below).
    uint256 internal constant CAMPAIGN_RUNS = 8;

    CrossChainHandler internal handler;
    BackstopVault internal backstopVault;

    function setUp() public override {
        super.setUp();
        ManualAggregator[] memory feeds = new ManualAggregator[](4);
        (feeds[0], feeds[1], feeds[2], feeds[3]) = (ethFeed, btcFeed, usdFeed, ethVolFeed);
        HandlerBase.Collateral[] memory c = new HandlerBase.Collateral[](6);
        c[0] = HandlerBase.Collateral(hubVault, usdc, usdcAsset, HUB_EID, 1e6);
        c[1] = HandlerBase.Collateral(vaultA, wethA, wethAAsset, A_EID, 1e18);
        c[2] = HandlerBase.Collateral(vaultB, wethB, wethBAsset, B_EID, 1e18);
        c[3] = HandlerBase.Collateral(vaultB, wbtcB, wbtcBAsset, B_EID, 1e8);
        // A fee-on-transfer token (1% burnt on every transfer) on chain A, priced as ETH: each
        // deposit is credited with what arrived, and custody must still equal the ledger.
        FeeOnTransferToken fee = new FeeOnTransferToken(100);
        vm.startPrank(admin);
        vaultA.configureToken(address(fee), true, type(uint128).max);
        uint16 feeAsset = _listAsset(A_EID, address(fee), 18, ethRisk, 0.2e18, 0.15e18, 0.05e18);
        vm.stopPrank();
        c[4] = HandlerBase.Collateral(vaultA, TestToken(address(fee)), feeAsset, A_EID, 1e18);
        // A token that at times moves less than asked, reporting success (FaultActions.unrulyToken
        // switches it): a payout it cuts short is kept for its recipient.
        UnrulyToken unruly = new UnrulyToken();
        vm.startPrank(admin);
        vaultB.configureToken(address(unruly), true, type(uint128).max);
        uint16 unrulyAsset = _listAsset(B_EID, address(unruly), 18, ethRisk, 0.2e18, 0.15e18, 0.05e18);
        vm.stopPrank();
        c[5] = HandlerBase.Collateral(vaultB, TestToken(address(unruly)), unrulyAsset, B_EID, 1e18);
        // A call that expires within a day, a put within four, a call in a month: time passing in
        // the run expires them while accounts hold them.
        uint16[] memory markets = new uint16[](4);
        markets[0] = ethPerp;
        vm.startPrank(admin);
        markets[1] =
            engine.listMarket(ethRisk, IRiskConfig.MarketKind.Call, 3000e18, uint64(block.timestamp + 1 days), 0.05e18);
        markets[2] =
            engine.listMarket(ethRisk, IRiskConfig.MarketKind.Put, 2700e18, uint64(block.timestamp + 4 days), 0.05e18);
        markets[3] = engine.listMarket(
            ethRisk, IRiskConfig.MarketKind.Call, 3600e18, uint64(block.timestamp + 30 days), 0.05e18
        );
        vm.stopPrank();
        // A backstop that takes an account at half health or below with equity left, with 10M of
        // margin; the keepers liquidate the rest. From the build output, as the Fixture's contracts
        // are (`new` would embed their creation code).
        backstopVault = BackstopVault(
            deployCode("BackstopVault.sol:BackstopVault", abi.encode(hub, "Backstop USDC", "bUSDC", 0.5e18, 0, 0))
        );
        bytes32 backstopRole = hub.BACKSTOP_ROLE();
        vm.prank(admin);
        hub.grantRole(backstopRole, address(backstopVault));
        usdc.mint(address(this), 10_000_000e6);
        usdc.approve(address(backstopVault), 10_000_000e6);
        backstopVault.deposit(10_000_000e6, address(this));
        handler = CrossChainHandler(
            deployCode(
                "CrossChainHandler.sol:CrossChainHandler",
                abi.encode(
                    IPacketCourier(this), hub, usdc, venue, admin, markets, feeds, 2, ethVolFeed, c, backstopVault
                )
            )
        );
        targetContract(address(handler));
        // An L2 sequencer-uptime feed, up (answer 0) and past its grace period: FaultActions takes
        // it down and back up.
        vm.startPrank(admin);
        ManualAggregator sequencer = new ManualAggregator(0, 0);
        engine.setSequencerFeed(AggregatorV3Interface(address(sequencer)), 0);
        vm.stopPrank();
        // Every run starts with positions in the options that expire within it, so settling one is
        // exercised in every run, whatever the traders trade before expiry.
        _openOptionPosition(markets[1]);
        _openOptionPosition(markets[2]);
    }

    /// @dev A trader buys one option of `market` at its mark from the handler's lender, both with
    /// USDC margin on the hub. The backstop takes only traders, and taking both sides of a trade
    /// between two traders would net them to nothing; the lender, with far more margin than one
    /// option needs, still holds its side at expiry.
    function _openOptionPosition(uint16 market) internal {
        AccountId buyer = _acct(handler.actors(0), 0);
        AccountId seller = _acct(address(handler), 0);
        _depositHubUsdc(handler.actors(0), 50_000e6, 0);
        _depositHubUsdc(address(handler), 50_000e6, 0);
        uint256 mark = engine.markPrice(market);
        vm.prank(venue);
        hub.trade(buyer, seller, market, 1e18, mark);
    }

    /// @inheritdoc IPacketCourier
    function deliverSome(uint32 eid, address receiver, uint256 count) external {
        verifyPackets(eid, addressToBytes32(receiver), count, address(0), "");
    }

    // ============================================================ invariants

    /// @notice For every vault and token: hub ledger + credits in flight + orders in flight equals
    /// what the vault has in custody, which never exceeds its token balance.
    function checkCustodyCoversLedger() public view {
        for (uint256 i; i < handler.collateralCount(); ++i) {
            HandlerBase.Collateral memory c = handler.collateralAt(i);
            uint256 custodied = c.vault.custodied(address(c.token));
            assertEq(
                hub.totalCollateral(c.assetId) + handler.creditsInFlight(i) + handler.ordersInFlight(i),
                custodied,
                "ledger + in flight == custody"
            );
            assertLe(custodied, c.token.balanceOf(address(c.vault)), "custody <= tokens held");
        }
    }

    /// @notice Cash, insurance and bad debt balance against the settlement tokens the hub holds.
    function checkCashBalancesOut() public view {
        _assertCashBalances();
        AccountId[] memory accounts = handler.accounts();
        AccountId[] memory clearing = handler.clearingAccounts();
        int256 sum;
        for (uint256 i; i < accounts.length; ++i) {
            sum += hub.accountState(accounts[i]).cash;
        }
        for (uint256 i; i < clearing.length; ++i) {
            sum += hub.accountState(clearing[i]).cash;
        }
        sum += hub.accountState(backstopVault.hubAccount()).cash;
        // Each positive balance rounds down on its own once the cash index is below WAD.
        assertLe(sum, hub.totalCash(), "totalCash covers the sum of account cash");
        assertApproxEqAbs(sum, hub.totalCash(), accounts.length + clearing.length + 1, "and exceeds it by dust only");
    }

    /// @notice Bad debt is only ever recorded for an account with nothing left to seize.
    function checkNoBadDebtWhileCollateralRemains() public view {
        assertEq(handler.badDebtWithHoldings(), 0);
    }

    /// @notice No liquidation left an account further from solvency (docs/risk-model.md section 8.2).
    function checkEveryLiquidationHelped() public view {
        assertEq(handler.liquidationsAwayFromSolvency(), 0, "a liquidation left an account further from solvency");
    }

    /// @notice No account is left bankrupt (no collateral, no positions, cash below zero): the hub
    /// writes the shortfall off against the insurance fund, then socialises it on positive cash.
    /// An option market's clearing account keeps the settlements' dust; a shortfall it ends with
    /// once its positions have all settled (share rounding, or a socialised loss that charged its
    /// cash before the longs were paid) is resolved the same way.
    function checkNoBankruptAccountLeftUnresolved() public view {
        _assertNoneBankrupt(handler.accounts());
        _assertNoneBankrupt(handler.clearingAccounts());
        AccountId[] memory vault = new AccountId[](1);
        vault[0] = backstopVault.hubAccount();
        _assertNoneBankrupt(vault);
    }

    function _assertNoneBankrupt(AccountId[] memory accounts) internal view {
        for (uint256 i; i < accounts.length; ++i) {
            IMarginHubBase.AccountState memory st = hub.accountState(accounts[i]);
            if (st.assets == 0 && st.markets == 0 && st.cash < 0) {
                assertTrue(
                    false,
                    string.concat(
                        "a bankrupt account is left unresolved: ",
                        vm.toString(AccountId.unwrap(accounts[i])),
                        ", cash ",
                        vm.toString(st.cash)
                    )
                );
            }
        }
    }

    /// @notice The insurance fund is what came in (top-ups, its share of position penalties) less
    /// what bankrupt accounts took; the socialised loss is the sum of what the fund could not
    /// cover, all of it borne by positive cash, none left unowned.
    function checkInsuranceAndBadDebtBalance() public view {
        assertEq(hub.insuranceFund(), handler.insuranceIn() - handler.insuranceOut(), "insurance fund ledger");
        assertEq(hub.socialisedLoss(), handler.socialised(), "socialised loss is the uncovered shortfalls");
        assertEq(hub.unownedLoss(), 0, "no loss is left unowned");
    }

    /// @notice Every RELEASE and SEIZE a vault receives, in whatever order and however late,
    /// it can pay: a withdrawal after a liquidation never exceeds custody.
    function checkOrdersNeverExceedCustody() public view {
        assertEq(handler.refusedDeliveries(), 0, "a destination refused a delivery");
        for (uint256 i; i < handler.collateralCount(); ++i) {
            HandlerBase.Collateral memory c = handler.collateralAt(i);
            assertLe(handler.ordersInFlight(i), c.vault.custodied(address(c.token)), "orders in flight <= custody");
        }
    }

    /// @notice Every check above after every handler call, in one campaign: each `check…` alone
    /// would be a campaign of its own with the same traffic. `npm run test:deep` runs it for a
    /// million calls.
    /// forge-config: default.invariant.runs = 8
    function invariant_all() public view {
        checkCustodyCoversLedger();
        checkCashBalancesOut();
        checkNoBadDebtWhileCollateralRemains();
        checkNoBankruptAccountLeftUnresolved();
        checkInsuranceAndBadDebtBalance();
        checkOrdersNeverExceedCustody();
        checkEveryLiquidationHelped();
    }

    /// @notice A campaign in which an action never succeeded proves nothing about it: every handler
    /// action, the liquidation paths, the backstop and the bad-debt resolution among them, must
    /// have happened. Each run adds its counts to the campaign's (kept in the environment, the one
    /// thing forge carries from one run to the next); from the last of the configured runs on,
    /// each total must be above zero. Asked of each run alone, the check failed whenever one run's
    /// traffic happened to leave an action no target (the backstop taking every account a keeper
    /// could have liquidated, or both sides of every option).
    function afterInvariant() public {
        string[31] memory actions = [
            "deposit",
            "deliver",
            "withdraw",
            "lend",
            "borrow",
            "repay",
            "trade",
            "movePrice",
            "crash",
            "moveVolatility",
            "passTime",
            "settle",
            "fix settlement price",
            "fundInsurance",
            "liquidate",
            "liquidatePosition",
            "liquidateBatch",
            "liquidatePositions",
            "backstop",
            "badDebtResolved",
            "depositForAnother",
            "transferCollateral",
            "revokeVenue",
            "pauseVault",
            "liquidateWhileAFeedFails",
            "sequencerOutage",
            "takeOverHedgeLeg",
            "stewardMovesAHaircut",
            "deposit credited short",
            "payout kept",
            "claim a kept payout"
        ];
        uint256 run = vm.envOr("PROPERTIES_CAMPAIGN_RUN", uint256(0)) + 1;
        vm.setEnv("PROPERTIES_CAMPAIGN_RUN", vm.toString(run));
        string memory table;
        for (uint256 i; i < actions.length; ++i) {
            string memory key = string.concat("PROPERTIES_CAMPAIGN_CALLS_", vm.toString(i));
            uint256 total = vm.envOr(key, uint256(0)) + handler.calls(bytes32(bytes(actions[i])));
            vm.setEnv(key, vm.toString(total));
            table = string.concat(table, actions[i], "\t", vm.toString(total), "\n");
            if (run >= CAMPAIGN_RUNS) assertGt(total, 0, string.concat("never happened: ", actions[i]));
        }
        // `npm run test:deep` prints the campaign's counts from this file (scripts/test-deep.mjs).
        string memory file = vm.envOr("PROPERTIES_ACTIONS_FILE", string(""));
        if (bytes(file).length != 0) vm.writeFile(file, table);
    }

    // ============================================================ fuzzed flows

    function testFuzz_depositWithdrawRoundTrip(uint256 amountSeed, uint256 withdrawSeed, bool onB) public {
        (CollateralVault vault, TestToken token, uint16 assetId, uint32 eid) =
            onB ? (vaultB, wethB, wethBAsset, B_EID) : (vaultA, wethA, wethAAsset, A_EID);
        uint256 amount = bound(amountSeed, 1, 1e30);
        uint256 out = bound(withdrawSeed, 1, amount);
        _deposit(alice, vault, token, amount, 0);
        _withdraw(alice, 0, assetId, out, bob);
        verifyPackets(eid, address(vault));
        assertEq(token.balanceOf(bob), out);
        assertEq(vault.custodied(address(token)), amount - out);
        assertEq(hub.collateralOf(_acct(alice, 0), assetId), amount - out);
        assertEq(token.balanceOf(address(vault)), amount - out);
    }

    /// @notice At any price, a liquidation either is refused because the account is healthy, or
    /// pays the keeper at most repay * (1 + bonus) of collateral, never lowers health when
    /// seizing helps, and leaves the books balanced.
    function testFuzz_liquidationAtAnyPrice(uint256 borrowSeed, uint256 priceSeed) public {
        uint256 borrowed = bound(borrowSeed, 1_000e6, 21_600e6); // 24k of initial value, 10% of it required
        uint256 price8 = bound(priceSeed, 100e8, 4_000e8);
        AccountId a = _borrowedAgainstWeth(10e18, borrowed);
        // forge-lint: disable-next-line(unsafe-typecast) price8 is bounded to a few thousand dollars
        _setEthPrice(int256(price8));

        uint256 before = hub.health(a);
        if (before >= 1e18) {
            vm.expectRevert(abi.encodeWithSelector(IMarginHubBase.AccountHealthy.selector, before));
            vm.prank(keeper);
            hub.liquidate(a, wethAAsset, 1, keeper, "");
            return;
        }
        (uint256 repaid, uint256 seized) = _liquidate(a, wethAAsset, 100_000e6);
        // The urgency-scaled share of the 5% bonus at the health the account had.
        uint256 bonus = MarginMath.urgencyBonus(before, 0.05e18, 0.2e18, 0.9e18);
        uint256 seizedUsd = seized * price8 * 1e10 / 1e18;
        assertLe(seizedUsd, repaid * 1e12 * (1e18 + bonus) / 1e18, "never more than repay * (1 + bonus)");
        if (seized < 10e18) {
            // Not capped by what the account held: the keeper got the whole scaled bonus, to the wei.
            assertGe(seizedUsd + price8 * 1e10 / 1e18 + 1, repaid * 1e12 * (1e18 + bonus) / 1e18);
        }
        // 1.05 * (1 - 0.15) < 1: every liquidation of WETH lifts maintenance equity.
        assertGe(hub.health(a), before);
        verifyPackets(A_EID, address(vaultA));
        assertEq(wethA.balanceOf(keeper), seized);
        _assertCashBalances();
    }

    function testFuzz_tradePriceBand(int256 offsetSeed) public {
        int256 offsetBps = bound(offsetSeed, -1_000, 1_000);
        _deposit(alice, vaultA, wethA, 10e18, 0);
        _deposit(bob, vaultB, wethB, 10e18, 0);
        uint256 price = uint256(3000e18 * (10_000 + offsetBps) / 10_000);
        bool inBand = offsetBps >= -500 && offsetBps <= 500;
        int256 cashBefore = hub.totalCash(); // the backstop vault's deposits
        if (!inBand) {
            vm.expectRevert(abi.encodeWithSelector(IMarginHubBase.TradePriceOutOfBand.selector, price, 3000e18));
        }
        vm.prank(venue);
        hub.trade(_acct(alice, 0), _acct(bob, 0), ethPerp, 1e18, price);
        if (inBand) assertEq(hub.totalCash(), cashBefore, "a trade only moves cash between its two sides");
    }
}
