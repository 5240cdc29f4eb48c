// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {WAD} from "../libraries/FixedPoint.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Concentration} from "./Concentration.sol";
import {MarginMath} from "./MarginMath.sol";
import {MarginModel} from "./MarginModel.sol";
import {PortfolioMargin} from "./PortfolioMargin.sol";
import {LiquidationSizer} from "./LiquidationSizer.sol";
import {RiskConfig} from "./RiskConfig.sol";
import {RiskConfigAdmin} from "./RiskConfigAdmin.sol";
import {Delegation} from "../libraries/Delegation.sol";
import {IMarketHolders} from "../interfaces/IMarketHolders.sol";
import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {IRiskConfig} from "../interfaces/IRiskConfig.sol";
import {IOracleGuard} from "../interfaces/IOracleGuard.sol";
import {IRiskEngine} from "../interfaces/IRiskEngine.sol";

/// @title RiskEngine
/// @notice Everything the hub needs to know about risk, in one place: which collateral and markets
/// exist, their guarded oracle prices and volatilities, and the margin model (PortfolioMargin,
/// docs/risk-model.md section 6). The hub keeps balances and hands the engine an account's
/// holdings; the engine answers with margin figures.
/// @dev A contract of its own because the model is the part that grows and the hub must stay
/// under the 24 KB code-size limit. The hub fixes its engine at deployment, so the model cannot
/// be swapped under open positions.
contract RiskEngine is RiskConfig, IRiskEngine {
    using SafeCast for uint256;

    uint256 internal constant YEAR = 365 days;

    /// @dev The model's inputs: underlyings the account touches, in first-seen order.
    struct Inputs {
        int256 cash;
        uint16[] ids;
        uint256[] localPlusOne;
        /// @dev Per risk asset: its guarded price once a collateral line has read it (0 before).
        uint256[] spot;
        uint256 n;
        PortfolioMargin.Collateral[] collateral;
        PortfolioMargin.Position[] positions;
    }

    /// @notice The margin model and option pricing, created with the engine.
    MarginModel public immutable marginModel;
    /// @notice The liquidation sizing rule (with the urgency-scaled bonus), created with the engine.
    LiquidationSizer public immutable liquidationSizer;
    /// @notice The code the configuration's setters run, in this engine's storage (see `_runConfigAdmin`).
    address public immutable configAdmin;

    constructor(address admin) RiskConfig(admin) {
        marginModel = new MarginModel();
        liquidationSizer = new LiquidationSizer();
        configAdmin = address(new RiskConfigAdmin());
    }

    // ---------------------------------------------------------------- configuration, run in RiskConfigAdmin

    /// @inheritdoc IRiskConfig
    function addRiskAsset(AggregatorV3Interface feed, uint32 maxAge, uint128 minPrice, uint128 maxPrice)
        external
        returns (uint16 id)
    {
        (feed, maxAge, minPrice, maxPrice, id);
        _runConfigAdmin();
    }

    /// @inheritdoc IRiskConfig
    function setRiskAsset(uint16 id, AggregatorV3Interface feed, uint32 maxAge, uint128 minPrice, uint128 maxPrice)
        external
    {
        (id, feed, maxAge, minPrice, maxPrice);
        _runConfigAdmin();
    }

    /// @inheritdoc IRiskConfig
    function setSequencerFeed(AggregatorV3Interface feed, uint32 gracePeriod) external {
        (feed, gracePeriod);
        _runConfigAdmin();
    }

    /// @inheritdoc IRiskConfig
    function listAsset(uint32 eid, address token, uint8 decimals, uint16 riskAsset_) external returns (uint16 id) {
        (eid, token, decimals, riskAsset_, id);
        _runConfigAdmin();
    }

    /// @inheritdoc IRiskConfig
    function setAssetRisk(uint16 id, uint64 initialHaircut, uint64 maintenanceHaircut, uint64 liquidationBonus)
        external
    {
        (id, initialHaircut, maintenanceHaircut, liquidationBonus);
        _runConfigAdmin();
    }

    /// @inheritdoc IRiskConfig
    function setAssetYield(uint16 id, uint16 rateFeed, uint64 depeg) external {
        (id, rateFeed, depeg);
        _runConfigAdmin();
    }

    /// @inheritdoc IRiskConfig
    function setAssetConcentration(uint16 id, uint128 depthUsd, uint64 impact, uint64 cap) external {
        (id, depthUsd, impact, cap);
        _runConfigAdmin();
    }

    /// @inheritdoc IRiskConfig
    function listMarket(uint16 riskAsset_, MarketKind kind, uint128 strike, uint64 expiry, uint64 maxPriceDeviation)
        external
        returns (uint16 id)
    {
        (riskAsset_, kind, strike, expiry, maxPriceDeviation, id);
        _runConfigAdmin();
    }

    /// @inheritdoc IRiskConfig
    function setMarketRisk(uint16 id, uint64 maxPriceDeviation) external {
        (id, maxPriceDeviation);
        _runConfigAdmin();
    }

    /// @inheritdoc IRiskConfig
    function fixSettlementPrice(uint16 id, uint80 roundId) external returns (uint256 settlement) {
        (id, roundId, settlement);
        _runConfigAdmin();
    }

    /// @inheritdoc IRiskConfig
    function setScenarioParams(uint16 riskAsset_, ScenarioParams calldata p) external {
        (riskAsset_, p);
        _runConfigAdmin();
    }

    /// @inheritdoc IRiskConfig
    function setPairOffset(uint16 a, uint16 b, uint64 credit) external {
        (a, b, credit);
        _runConfigAdmin();
    }

    /// @inheritdoc IRiskConfig
    function setLiquidationParams(LiquidationParams calldata p) external {
        p;
        _runConfigAdmin();
    }

    /// @inheritdoc IOracleGuard
    function recordPrice(uint16 id) external returns (uint256 p) {
        (id, p);
        _runConfigAdmin();
    }

    /// @inheritdoc IRiskConfig
    function setHub(IMarketHolders hub_) external {
        hub_;
        _runConfigAdmin();
    }

    function _runConfigAdmin() private {
        Delegation.forward(configAdmin);
    }

    // ---------------------------------------------------------------- margin

    /// @inheritdoc IRiskEngine
    function figures(int256 cash, Holding[] calldata holdings, Position[] calldata positions)
        external
        view
        returns (MarginMath.Figures memory)
    {
        (PortfolioMargin.Result memory r,) = _compute(cash, holdings, positions, true);
        return _toFigures(r);
    }

    /// @inheritdoc IRiskEngine
    function maintenanceFigures(int256 cash, Holding[] calldata holdings, Position[] calldata positions)
        external
        view
        returns (int256 equity, uint256 requirement)
    {
        (PortfolioMargin.Result memory r,) = _compute(cash, holdings, positions, false);
        return (r.maintenanceEquity, uint256(r.maintenanceRequirement));
    }

    /// @inheritdoc IRiskEngine
    function risk(int256 cash, Holding[] calldata holdings, Position[] calldata positions)
        external
        view
        returns (Risk memory out)
    {
        PortfolioMargin.Result memory r;
        (r, out.riskAssets) = _compute(cash, holdings, positions, true);
        (out.figures, out.delta, out.vega) = (_toFigures(r), r.delta, r.vega);
    }

    /// @inheritdoc IRiskEngine
    function markPrice(uint16 marketId) external view returns (uint256) {
        _checkSequencer();
        Market storage m = _marketOrRevert(marketId);
        return _mark(m, _price(m.riskAsset));
    }

    /// @inheritdoc IRiskEngine
    function tradeBand(uint16 marketId) external view returns (uint256 mark, uint256 band) {
        Market storage m = _marketOrRevert(marketId);
        if (m.kind != MarketKind.Perp && block.timestamp >= m.expiry) revert MarketExpired(marketId);
        _checkSequencer();
        uint256 spot = _price(m.riskAsset);
        mark = _mark(m, spot);
        band = Math.mulDiv(m.kind == MarketKind.Perp ? mark : spot, m.maxPriceDeviation, WAD);
    }

    /// @inheritdoc IRiskEngine
    function settle(uint16 marketId) external view returns (uint256 payoffPerUnit) {
        Market storage m = _expiredOption(marketId);
        if (m.settlementPrice == 0) revert SettlementPriceNotFixed(marketId);
        return _payoff(m, m.settlementPrice);
    }

    /// @inheritdoc IRiskEngine
    function liquidationAmounts(
        int256 equity,
        uint256 requirement,
        uint256 debt,
        uint16 assetId,
        uint256 held,
        uint256 maxRepay,
        uint256 step
    ) external view returns (uint256 repay, uint256 seized) {
        _checkSequencer();
        Asset storage a = _assetOrRevert(assetId);
        (repay, seized,) = liquidationSizer.size(
            LiquidationSizer.Inputs({
                equity: equity,
                requirement: requirement,
                debt: debt,
                held: held,
                maxRepay: maxRepay,
                step: step,
                price: _tokenPrice(assetId, a),
                decimals: a.decimals,
                maintenanceHaircut: a.maintenanceHaircut,
                maxBonus: a.liquidationBonus,
                params: _liquidationParams
            })
        );
    }

    function _compute(int256 cash, Holding[] calldata holdings, Position[] calldata positions, bool withInitial)
        internal
        view
        returns (PortfolioMargin.Result memory, uint16[] memory)
    {
        _checkSequencer();
        Inputs memory x;
        x.cash = cash;
        x.ids = new uint16[](holdings.length + positions.length);
        x.localPlusOne = new uint256[](_riskAssets.length);
        x.spot = new uint256[](_riskAssets.length);
        x.collateral = new PortfolioMargin.Collateral[](holdings.length);
        uint256 kept;
        for (uint256 i; i < holdings.length; ++i) {
            uint16 assetId = holdings[i].assetId;
            Asset storage a = _assetOrRevert(assetId);
            // A collateral whose price or rate cannot be trusted counts for nothing, so no holding
            // (dust, or a deposit the owner never made) can block a margin check.
            uint256 spot = x.spot[a.riskAsset];
            if (spot == 0) spot = _tryPrice(a.riskAsset);
            (uint256 amount, uint8 decimals, bool trusted) = _modelAmount(assetId, a, holdings[i].amount);
            if (spot == 0 || !trusted) continue;
            x.spot[a.riskAsset] = spot;
            uint256 extra = _concentrationAddOn(assetId, amount, decimals, spot);
            x.collateral[kept++] = PortfolioMargin.Collateral({
                underlying: _local(x, a.riskAsset),
                amount: amount.toInt256(),
                decimals: decimals,
                initialHaircut: int256(Concentration.raise(a.initialHaircut, extra)),
                maintenanceHaircut: int256(Concentration.raise(a.maintenanceHaircut, extra))
            });
        }
        PortfolioMargin.Collateral[] memory c = x.collateral;
        assembly ("memory-safe") {
            mstore(c, kept)
        }
        _addPositions(x, positions);
        // Volatility only prices options: an underlying the account holds no option on does not
        // depend on its volatility feed (a stale one must not block its withdrawals or liquidation).
        bool[] memory hasOption = new bool[](x.n);
        for (uint256 i; i < x.positions.length; ++i) {
            if (x.positions[i].kind != PortfolioMargin.PERP) hasOption[x.positions[i].underlying] = true;
        }
        PortfolioMargin.Underlying[] memory u = new PortfolioMargin.Underlying[](x.n);
        uint16[] memory ids = new uint16[](x.n);
        for (uint256 k; k < x.n; ++k) {
            ids[k] = x.ids[k];
            u[k] = _underlying(ids[k], x.spot[ids[k]], hasOption[k]);
        }
        PortfolioMargin.PairOffset[] memory offsets = _offsets(x);
        return (marginModel.compute(x.cash, u, x.collateral, x.positions, offsets, withInitial), ids);
    }

    /// @dev Expired options whose settlement price is fixed are plain cash (their payoff); every
    /// other position goes into the scenarios.
    function _addPositions(Inputs memory x, Position[] calldata positions) private view {
        uint256 live;
        PortfolioMargin.Position[] memory p = new PortfolioMargin.Position[](positions.length);
        for (uint256 i; i < positions.length; ++i) {
            Market storage m = _marketOrRevert(positions[i].marketId);
            int256 size = positions[i].size;
            if (m.settlementPrice != 0) {
                x.cash += PortfolioMargin.mulWadDown(size, int256(_payoff(m, m.settlementPrice)));
                continue;
            }
            p[live++] = PortfolioMargin.Position({
                underlying: _local(x, m.riskAsset),
                kind: uint8(m.kind),
                size: size,
                strike: int256(uint256(m.strike)),
                timeYears: _timeYears(m.expiry)
            });
        }
        assembly ("memory-safe") {
            mstore(p, live)
        }
        x.positions = p;
    }

    /// @dev `spot` is the price a collateral line already read, or 0: then read here. A position's
    /// underlying whose feed cannot be trusted is valued at its last recorded price over the
    /// extreme move (scan range × extreme multiple, at most 100%), so a failing feed cannot freeze
    /// the account's liquidation; with no price recorded it is refused with the feed's error.
    function _underlying(uint16 id, uint256 spot, bool withVol)
        private
        view
        returns (PortfolioMargin.Underlying memory)
    {
        ScenarioParams storage sp = _scenario[id];
        uint256 scanRange = sp.scanRange;
        if (spot == 0) spot = _tryPrice(id);
        if (spot == 0) {
            spot = _recorded[id].price;
            if (spot == 0) spot = _price(id);
            scanRange = Math.min(WAD, scanRange * sp.extremeMultiple / WAD);
        }
        return PortfolioMargin.Underlying({
            // forge-lint: disable-next-line(unsafe-typecast) a guarded price is <= its uint128 maxPrice
            spot: int256(spot),
            vol: withVol ? _vol(id) : int256(0),
            params: PortfolioMargin.RiskParams({
                // forge-lint: disable-next-line(unsafe-typecast) at most WAD
                scanRange: int256(scanRange),
                volShift: int256(uint256(sp.volShift)),
                extremeMultiple: int256(uint256(sp.extremeMultiple)),
                extremeCover: int256(uint256(sp.extremeCover)),
                initialMultiple: int256(uint256(sp.initialMultiple)),
                shortOptionMinimum: int256(uint256(sp.shortOptionMinimum))
            })
        });
    }

    /// @dev The configured pairs whose both underlyings the account is exposed to.
    function _offsets(Inputs memory x) private view returns (PortfolioMargin.PairOffset[] memory o) {
        o = new PortfolioMargin.PairOffset[](_pairOffsets.length);
        uint256 n;
        for (uint256 i; i < _pairOffsets.length; ++i) {
            PairOffset storage po = _pairOffsets[i];
            uint256 a = x.localPlusOne[po.a];
            uint256 b = x.localPlusOne[po.b];
            if (a != 0 && b != 0 && po.credit != 0) {
                o[n++] = PortfolioMargin.PairOffset(a - 1, b - 1, int256(uint256(po.credit)));
            }
        }
        assembly ("memory-safe") {
            mstore(o, n)
        }
    }

    function _local(Inputs memory x, uint16 riskAssetId) private pure returns (uint256) {
        uint256 plusOne = x.localPlusOne[riskAssetId];
        if (plusOne == 0) {
            x.ids[x.n] = riskAssetId;
            plusOne = ++x.n;
            x.localPlusOne[riskAssetId] = plusOne;
        }
        return plusOne - 1;
    }

    /// @dev What the model holds of an asset: the amount itself, or for a yield-bearing one its
    /// underlying units (18 decimals) at the guarded rate after the depeg (rounded down); not
    /// `trusted` when that rate cannot be.
    function _modelAmount(uint16 assetId, Asset storage a, uint256 amount)
        private
        view
        returns (uint256, uint8, bool trusted)
    {
        YieldTerms memory t = _yieldTerms[assetId];
        if (t.rateFeedPlusOne == 0) return (amount, a.decimals, true);
        uint256 rate = _tryPrice(t.rateFeedPlusOne - 1);
        return (Math.mulDiv(amount, rate * (WAD - t.depeg) / WAD, 10 ** a.decimals), 18, rate != 0);
    }

    /// @dev The account's concentration add-on for holding `amount` (model units) of the asset:
    /// its value at the underlying's guarded price `spot` against the asset's market depth.
    function _concentrationAddOn(uint16 assetId, uint256 amount, uint8 decimals, uint256 spot)
        private
        view
        returns (uint256)
    {
        ConcentrationTerms memory t = _concentration[assetId];
        if (t.depthUsd == 0) return 0;
        return Concentration.addOn(Math.mulDiv(amount, spot, 10 ** decimals), t.depthUsd, t.impact, t.cap);
    }

    /// @dev USD WAD per whole token: the underlying's price, times the guarded rate for a yield-bearing asset.
    function _tokenPrice(uint16 assetId, Asset storage a) private view returns (uint256) {
        uint256 price = _price(a.riskAsset);
        YieldTerms memory t = _yieldTerms[assetId];
        return t.rateFeedPlusOne == 0 ? price : Math.mulDiv(price, _price(t.rateFeedPlusOne - 1), WAD);
    }

    function _vol(uint16 riskAssetId) private view returns (int256) {
        uint16 feed = _scenario[riskAssetId].volFeed;
        return feed == NO_VOL_FEED ? int256(0) : int256(_price(feed));
    }

    /// @dev Years to expiry in WAD, 0 once expired and for a perp (listed with expiry 0).
    function _timeYears(uint64 expiry) private view returns (int256) {
        // forge-lint: disable-next-line(unsafe-typecast) < 2^64 * WAD
        return expiry > block.timestamp ? int256((expiry - block.timestamp) * WAD / YEAR) : int256(0);
    }

    /// @dev One unit of `m` at underlying price `spot`: the spot for a perp, the payoff once
    /// settled, else the Black-Scholes premium.
    function _mark(Market storage m, uint256 spot) private view returns (uint256) {
        if (m.kind == MarketKind.Perp) return spot;
        if (m.settlementPrice != 0) return _payoff(m, m.settlementPrice);
        return uint256(
            marginModel.optionPrice(
                // forge-lint: disable-next-line(unsafe-typecast) a guarded price is <= its uint128 maxPrice
                int256(spot),
                int256(uint256(m.strike)),
                _vol(m.riskAsset),
                _timeYears(m.expiry),
                m.kind == MarketKind.Call
            )
        );
    }

    function _payoff(Market storage m, uint256 settlement) private view returns (uint256) {
        uint256 k = m.strike;
        if (m.kind == MarketKind.Call) return settlement > k ? settlement - k : 0;
        return k > settlement ? k - settlement : 0;
    }

    function _toFigures(PortfolioMargin.Result memory r) private pure returns (MarginMath.Figures memory) {
        return MarginMath.Figures({
            initialEquity: r.initialEquity,
            maintenanceEquity: r.maintenanceEquity,
            initialRequirement: uint256(r.initialRequirement),
            maintenanceRequirement: uint256(r.maintenanceRequirement)
        });
    }
}
