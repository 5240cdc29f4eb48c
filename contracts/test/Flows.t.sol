// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DepositFlows} from "./flows/DepositFlows.sol";
import {WithdrawFlows} from "./flows/WithdrawFlows.sol";
import {TradeFlows} from "./flows/TradeFlows.sol";
import {OptionFlows} from "./flows/OptionFlows.sol";
import {LiquidationFlows} from "./flows/LiquidationFlows.sol";
import {TakeoverFlows} from "./flows/TakeoverFlows.sol";
import {BackstopFlows} from "./flows/BackstopFlows.sol";
import {MessagingFlows} from "./flows/MessagingFlows.sol";
import {GasFlows} from "./flows/GasFlows.sol";
import {HealthReaderFlows} from "./flows/HealthReaderFlows.sol";
import {CashIndexFlows} from "./flows/CashIndexFlows.sol";
import {UntrustedPriceFlows} from "./flows/UntrustedPriceFlows.sol";
import {VenueFlows} from "./flows/VenueFlows.sol";
import {StrandedFundsFlows} from "./flows/StrandedFundsFlows.sol";
import {MarketIdFlows} from "./flows/MarketIdFlows.sol";

/// @notice The cross-chain flows across three real LayerZero endpoints (TestHelperOz5's ULN302 with
/// its DVN and executor), one file per flow in flows/: deposit -> CREDIT, withdraw -> RELEASE,
/// trades, options, liquidate -> SEIZE, position takeovers, the backstop vault, messaging, gas, the
/// lzRead health reader, and the cash index against its SDK twin.
/// @dev One concrete contract runs them all: each contract deriving from the Fixture is built
/// through solc-js's IR pipeline on its own, so one contract rather than one per flow keeps the
/// build and CI short. `forge test --match-path` cannot select a flow; `--match-test test_deposit_`
/// (or _withdraw_, _trade_, _option_, _liquidate, _gas_, _cashIndex_) does.
contract FlowsTest is
    DepositFlows,
    WithdrawFlows,
    TradeFlows,
    OptionFlows,
    LiquidationFlows,
    TakeoverFlows,
    BackstopFlows,
    MessagingFlows,
    GasFlows,
    HealthReaderFlows,
    CashIndexFlows,
    UntrustedPriceFlows,
    VenueFlows,
    StrandedFundsFlows,
    MarketIdFlows
{}
