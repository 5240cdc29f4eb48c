// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Chainlink's AggregatorProxy, the subset settlement reads: a proxy's round ids are
/// `phaseId << 64 | the aggregator's round`, and each upgrade of its aggregator starts a phase.
// forge-lint: disable-next-item(interface-naming, interface-file-naming) Chainlink's own name, which integrators know
interface AggregatorProxyInterface {
    /// @notice The aggregator that answered phase `phaseId`; its `latestRoundData` is the phase's
    /// last round once a later phase began.
    function phaseAggregators(uint16 phaseId) external view returns (address);
}
