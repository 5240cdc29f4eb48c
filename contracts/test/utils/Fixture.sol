// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {ILayerZeroEndpointV2} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";
import {OptionsBuilder} from "@layerzerolabs/oapp-evm/contracts/oapp/libs/OptionsBuilder.sol";
import {EnforcedOptionParam} from "@layerzerolabs/oapp-evm/contracts/oapp/interfaces/IOAppOptionsType3.sol";
import {CollateralVault} from "../../src/CollateralVault.sol";
import {MarginHub} from "../../src/MarginHub.sol";
import {RiskEngine} from "../../src/risk/RiskEngine.sol";
import {MessageCodec} from "../../src/libraries/MessageCodec.sol";
import {AccountId, AccountIdLib} from "../../src/libraries/AccountIdLib.sol";
import {TestToken} from "../../src/devnet/TestToken.sol";
import {ManualAggregator} from "../../src/devnet/ManualAggregator.sol";
import {AggregatorV3Interface} from "../../src/interfaces/AggregatorV3Interface.sol";
import {IRiskConfig} from "../../src/interfaces/IRiskConfig.sol";
import {FeedRounds} from "./FeedRounds.sol";
import {ILayerZeroTestHelper} from "./ILayerZeroTestHelper.sol";

/// @notice Three LayerZero endpoints wired the way a deployment is: the hub chain (eid 1) with the
/// MarginHub and its own vault, and two spoke chains (eids 2 and 3) with a vault each. USDC is
/// collateral on the hub chain and the settlement token; WETH is collateral on both spokes and
/// one risk asset; WBTC is collateral on spoke B.
abstract contract Fixture is Test {
    using OptionsBuilder for bytes;

    uint32 internal constant HUB_EID = 1;
    uint32 internal constant A_EID = 2;
    uint32 internal constant B_EID = 3;
    /// @dev The lzRead channel the helper's read library is the default for.
    uint32 internal constant DEFAULT_CHANNEL_ID = 70_001;
    /// @dev LayerZero's test helper as its npm package ships it built. Deploying the build rather
    /// than inheriting the source keeps the helper and its mocks (endpoints, ULN302, DVN,
    /// executor, read library) out of this project's test build: a test contract that inherits
    /// them embeds all their creation code, which the IR pipeline then optimises once more in
    /// every such contract, and that was most of the test build's time.
    string internal constant LZ_TEST_HELPER =
        "node_modules/@layerzerolabs/test-devtools-evm-foundry/artifacts/TestHelperOz5.sol/TestHelperOz5.json";
    /// @dev Enforced lzReceive gas per message type, from contracts/config/enforced-gas.json (the
    /// devnet deployment reads the same file).
    uint128 internal creditGas;
    uint128 internal releaseGas;
    uint128 internal seizeGas;
    uint256 internal gasMarginPercent;

    address internal admin = makeAddr("admin");
    address internal venue = makeAddr("venue");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal keeper = makeAddr("keeper");

    RiskEngine internal engine;
    MarginHub internal hub;
    CollateralVault internal hubVault;
    CollateralVault internal vaultA;
    CollateralVault internal vaultB;

    TestToken internal usdc; // hub chain, 6 decimals
    TestToken internal wethA; // spoke A
    TestToken internal wethB; // spoke B
    TestToken internal wbtcB; // spoke B, 8 decimals

    ILayerZeroTestHelper internal lz;
    mapping(uint32 eid => address) internal endpoints;

    ManualAggregator internal usdFeed;
    ManualAggregator internal ethFeed;
    ManualAggregator internal btcFeed;
    ManualAggregator internal ethVolFeed;

    uint16 internal usdRisk;
    uint16 internal ethRisk;
    uint16 internal btcRisk;
    uint16 internal usdcAsset;
    uint16 internal wethAAsset;
    uint16 internal wethBAsset;
    uint16 internal wbtcBAsset;
    uint16 internal ethPerp;

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        _setUpLayerZero();

        usdc = new TestToken("USD Coin", "USDC", 6);
        wethA = new TestToken("Wrapped Ether (A)", "WETH", 18);
        wethB = new TestToken("Wrapped Ether (B)", "WETH", 18);
        wbtcB = new TestToken("Wrapped Bitcoin (B)", "WBTC", 8);

        vm.startPrank(admin);
        usdFeed = new ManualAggregator(8, 1e8);
        ethFeed = new ManualAggregator(8, 3000e8);
        btcFeed = new ManualAggregator(8, 60_000e8);

        engine = RiskEngine(deployCode("RiskEngine.sol:RiskEngine", abi.encode(admin)));
        usdRisk = engine.addRiskAsset(AggregatorV3Interface(address(usdFeed)), 1 hours, 0.5e18, 2e18);
        ethRisk = engine.addRiskAsset(AggregatorV3Interface(address(ethFeed)), 1 hours, 1e18, 1_000_000e18);
        btcRisk = engine.addRiskAsset(AggregatorV3Interface(address(btcFeed)), 1 hours, 1e18, 10_000_000e18);
        usdcAsset = _listAsset(HUB_EID, address(usdc), 6, usdRisk, 0.04e18, 0.03e18, 0.02e18);
        wethAAsset = _listAsset(A_EID, address(wethA), 18, ethRisk, 0.2e18, 0.15e18, 0.05e18);
        wethBAsset = _listAsset(B_EID, address(wethB), 18, ethRisk, 0.2e18, 0.15e18, 0.05e18);
        wbtcBAsset = _listAsset(B_EID, address(wbtcB), 8, btcRisk, 0.25e18, 0.2e18, 0.06e18);
        ethVolFeed = new ManualAggregator(8, 0.8e8);
        uint16 ethVol = engine.addRiskAsset(AggregatorV3Interface(address(ethVolFeed)), 1 hours, 0.01e18, 5e18);
        // A 5% maintenance scan (10% initial): a lone perp needs 5% / 10% of its notional.
        engine.setScenarioParams(
            ethRisk, IRiskConfig.ScenarioParams(0.05e18, 0.25e18, 2e18, 0.35e18, 2e18, 0.01e18, ethVol)
        );
        engine.setScenarioParams(
            btcRisk, IRiskConfig.ScenarioParams(0.06e18, 0.25e18, 2e18, 0.35e18, 2e18, 0.01e18, engine.NO_VOL_FEED())
        );
        engine.setScenarioParams(
            usdRisk, IRiskConfig.ScenarioParams(0.01e18, 0, 2e18, 0.35e18, 1e18, 0, engine.NO_VOL_FEED())
        );
        ethPerp = engine.listMarket(ethRisk, IRiskConfig.MarketKind.Perp, 0, 0, 0.05e18);

        hub = MarginHub(
            payable(deployCode("MarginHub.sol:MarginHub", abi.encode(endpoints[HUB_EID], admin, usdc, 6, engine)))
        );
        engine.setHub(hub);
        hub.grantRole(hub.VENUE_ROLE(), venue);
        hub.setVenueLimit(venue, type(uint128).max, 1 days);
        hubVault = _vault(endpoints[HUB_EID]);
        vaultA = _vault(endpoints[A_EID]);
        vaultB = _vault(endpoints[B_EID]);

        hub.setPeer(HUB_EID, addressToBytes32(address(hubVault)));
        hub.setPeer(A_EID, addressToBytes32(address(vaultA)));
        hub.setPeer(B_EID, addressToBytes32(address(vaultB)));
        hubVault.setPeer(HUB_EID, addressToBytes32(address(hub)));
        vaultA.setPeer(HUB_EID, addressToBytes32(address(hub)));
        vaultB.setPeer(HUB_EID, addressToBytes32(address(hub)));

        string memory gas = vm.readFile("contracts/config/enforced-gas.json");
        creditGas = uint128(vm.parseJsonUint(gas, ".CREDIT"));
        releaseGas = uint128(vm.parseJsonUint(gas, ".RELEASE"));
        seizeGas = uint128(vm.parseJsonUint(gas, ".SEIZE"));
        gasMarginPercent = vm.parseJsonUint(gas, ".marginPercent");
        bytes memory creditOptions = OptionsBuilder.newOptions().addExecutorLzReceiveOption(creditGas, 0);
        bytes memory releaseOptions = OptionsBuilder.newOptions().addExecutorLzReceiveOption(releaseGas, 0);
        bytes memory seizeOptions = OptionsBuilder.newOptions().addExecutorLzReceiveOption(seizeGas, 0);
        EnforcedOptionParam[] memory toHub = new EnforcedOptionParam[](1);
        toHub[0] = EnforcedOptionParam({eid: HUB_EID, msgType: MessageCodec.CREDIT, options: creditOptions});
        vaultA.setEnforcedOptions(toHub);
        vaultB.setEnforcedOptions(toHub);
        EnforcedOptionParam[] memory toSpokes = new EnforcedOptionParam[](4);
        toSpokes[0] = EnforcedOptionParam({eid: A_EID, msgType: MessageCodec.RELEASE, options: releaseOptions});
        toSpokes[1] = EnforcedOptionParam({eid: A_EID, msgType: MessageCodec.SEIZE, options: seizeOptions});
        toSpokes[2] = EnforcedOptionParam({eid: B_EID, msgType: MessageCodec.RELEASE, options: releaseOptions});
        toSpokes[3] = EnforcedOptionParam({eid: B_EID, msgType: MessageCodec.SEIZE, options: seizeOptions});
        hub.setEnforcedOptions(toSpokes);

        hubVault.configureToken(address(usdc), true, type(uint128).max);
        vaultA.configureToken(address(wethA), true, type(uint128).max);
        vaultB.configureToken(address(wethB), true, type(uint128).max);
        vaultB.configureToken(address(wbtcB), true, type(uint128).max);
        vm.stopPrank();

        vm.deal(alice, 100 ether);
        vm.deal(bob, 100 ether);
        vm.deal(keeper, 100 ether);
        // Alice and bob trade through the venue: they authorised it.
        vm.prank(alice);
        hub.setVenueAuthorization(venue, true);
        vm.prank(bob);
        hub.setVenueAuthorization(venue, true);
    }

    /// @dev The helper keeps its endpoints in an internal mapping; they are its next three
    /// deployments, checked here by their eids.
    function _setUpLayerZero() private {
        lz = ILayerZeroTestHelper(deployCode(LZ_TEST_HELPER));
        uint64 next = vm.getNonce(address(lz));
        lz.setUpEndpoints(3, 0); // 0: the ULN302 libraries
        for (uint32 eid = HUB_EID; eid <= B_EID; eid++) {
            address endpoint = vm.computeCreateAddress(address(lz), next + eid - HUB_EID);
            assertEq(ILayerZeroEndpointV2(endpoint).eid(), eid, "LayerZero test endpoint");
            endpoints[eid] = endpoint;
        }
    }

    /// @dev Delivers every packet waiting for `receiver` on chain `eid`.
    function verifyPackets(uint32 eid, address receiver) internal {
        lz.verifyPackets(eid, receiver);
    }

    /// @dev Delivers up to `count` (0: all) packets waiting for `receiver`, answering an lzRead
    /// with `resolvedPayload`.
    function verifyPackets(uint32 eid, bytes32 receiver, uint256 count, address composer, bytes memory resolvedPayload)
        internal
    {
        lz.verifyPackets(eid, receiver, count, composer, resolvedPayload);
    }

    /// @dev Whether any packet waits for `receiver` on chain `eid`.
    function _hasPendingPackets(uint32 eid, address receiver) internal view returns (bool) {
        // forge-lint: disable-next-line(unsafe-typecast) the fixture's eids are 1 to 3
        return lz.hasPendingPackets(uint16(eid), addressToBytes32(receiver));
    }

    /// @dev The oldest packet waiting for `receiver` on chain `eid`.
    function _nextPacket(uint32 eid, address receiver) internal view returns (bytes memory) {
        // forge-lint: disable-next-line(unsafe-typecast) the fixture's eids are 1 to 3
        return lz.getNextInflightPacket(uint16(eid), addressToBytes32(receiver));
    }

    function addressToBytes32(address a) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }

    // The system's contracts are deployed from the build output (`deployCode`), not with `new`: a
    // contract that says `new X` embeds X's creation code, which the IR pipeline then optimises
    // again inside every test contract that does, and that multiplied the test build's time.
    function _vault(address endpoint) private returns (CollateralVault) {
        return CollateralVault(
            payable(deployCode("CollateralVault.sol:CollateralVault", abi.encode(endpoint, admin, HUB_EID)))
        );
    }

    function _listAsset(uint32 eid, address token, uint8 decimals, uint16 risk, uint64 ih, uint64 mh, uint64 bonus)
        internal
        returns (uint16 id)
    {
        id = engine.listAsset(eid, token, decimals, risk);
        engine.setAssetRisk(id, ih, mh, bonus);
    }

    // ---------------------------------------------------------------- helpers

    function _acct(address owner, uint32 sub) internal pure returns (AccountId) {
        return AccountIdLib.toAccountId(owner, sub);
    }

    /// @dev Deposits without delivering the CREDIT: the caller decides when the hub learns of it.
    function _depositNoDeliver(address user, CollateralVault vault, TestToken token, uint256 amount, uint32 sub)
        internal
        returns (uint64 creditId)
    {
        token.mint(user, amount);
        vm.startPrank(user);
        token.approve(address(vault), amount);
        uint256 fee = vault.quoteDeposit(user, sub, address(token), amount, "");
        (creditId,) = vault.deposit{value: fee}(user, sub, address(token), amount, "");
        vm.stopPrank();
    }

    function _deposit(address user, CollateralVault vault, TestToken token, uint256 amount, uint32 sub) internal {
        _depositNoDeliver(user, vault, token, amount, sub);
        verifyPackets(HUB_EID, address(hub));
    }

    function _withdraw(address user, uint32 sub, uint16 assetId, uint256 amount, address recipient)
        internal
        returns (uint64 orderId)
    {
        uint256 fee = hub.quoteOrder(assetId, MessageCodec.RELEASE, "");
        vm.prank(user);
        orderId = hub.withdraw{value: fee}(sub, assetId, amount, recipient, "");
    }

    function _liquidate(AccountId account, uint16 assetId, uint256 maxRepayTokens)
        internal
        returns (uint256 repaid, uint256 seized)
    {
        uint256 fee = _keeperFunded(assetId, maxRepayTokens);
        vm.prank(keeper);
        (repaid, seized,) = hub.liquidate{value: fee}(account, assetId, maxRepayTokens, keeper, "");
    }

    /// @dev Mints the keeper `tokens` settlement tokens, lets the hub pull them, and quotes the
    /// LayerZero fee of a SEIZE of `assetId`.
    function _keeperFunded(uint16 assetId, uint256 tokens) internal returns (uint256 seizeFee) {
        usdc.mint(keeper, tokens);
        vm.prank(keeper);
        usdc.approve(address(hub), tokens);
        return hub.quoteOrder(assetId, MessageCodec.SEIZE, "");
    }

    function _deliverOrders() internal {
        verifyPackets(A_EID, address(vaultA));
        verifyPackets(B_EID, address(vaultB));
    }

    /// @dev Moves every feed's timestamp forward with the clock so prices stay fresh.
    function _setEthPrice(int256 usdPrice8) internal {
        vm.prank(admin);
        ethFeed.setAnswer(usdPrice8);
    }

    function _refreshFeeds() internal {
        vm.startPrank(admin);
        usdFeed.setAnswer(usdFeed.answer());
        ethFeed.setAnswer(ethFeed.answer());
        btcFeed.setAnswer(btcFeed.answer());
        ethVolFeed.setAnswer(ethVolFeed.answer());
        vm.stopPrank();
    }

    /// @dev Fixes ETH option `marketId`'s settlement price at ETH's first round at or after expiry.
    function _fixSettlement(uint16 marketId) internal returns (uint256) {
        return engine.fixSettlementPrice(marketId, FeedRounds.firstAtOrAfter(ethFeed, engine.market(marketId).expiry));
    }

    /// @dev Funds the hub with settlement tokens other accounts can borrow (a lender's cash).
    function _seedLiquidity(uint256 tokens) internal {
        address lender = makeAddr("lender");
        usdc.mint(lender, tokens);
        vm.startPrank(lender);
        usdc.approve(address(hub), tokens);
        hub.depositCash(lender, 0, tokens);
        vm.stopPrank();
    }

    /// @dev Alice deposits `weth` on chain A and borrows `borrowTokens` of settlement cash against it.
    function _borrowedAgainstWeth(uint256 weth, uint256 borrowTokens) internal returns (AccountId) {
        _deposit(alice, vaultA, wethA, weth, 0);
        _seedLiquidity(1_000_000e6);
        vm.prank(alice);
        hub.withdrawCash(0, borrowTokens, alice);
        return _acct(alice, 0);
    }

    /// @dev Deposits settlement tokens into the hub chain's vault (credited at once, no LayerZero).
    function _depositHubUsdc(address user, uint256 amount, uint32 sub) internal {
        usdc.mint(user, amount);
        vm.startPrank(user);
        usdc.approve(address(hubVault), amount);
        hubVault.deposit(user, sub, address(usdc), amount, "");
        vm.stopPrank();
    }

    /// @dev The settlement tokens the hub holds (and really has) cover cash and insurance: to the
    /// wei until a loss is socialised, then with at most a millionth of a dollar of rounding dust
    /// to spare; and no loss is left unowned.
    function _assertCashBalances() internal view {
        int256 claims = hub.totalCash() + int256(hub.insuranceFund());
        int256 held = int256(hub.settlementHeld() * hub.settlementScale());
        assertEq(hub.unownedLoss(), 0, "no loss is left unowned");
        if (hub.cashIndex() == 1e18) assertEq(claims, held, "cash + insurance == settlement held");
        assertLe(claims, held, "cash + insurance <= settlement held");
        assertLe(held - claims, 1e12, "rounding dust only");
        assertLe(hub.settlementHeld(), usdc.balanceOf(address(hub)), "settlement held <= tokens held");
    }

    function _health(AccountId account) internal view returns (uint256) {
        return hub.health(account);
    }
}
