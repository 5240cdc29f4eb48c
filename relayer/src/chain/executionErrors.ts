/**
 * Why an execution of one of this project's messages failed, in words: the errors its lzReceive
 * can revert with (hub, risk engine, vault, endpoint), and the reason an executor's
 * `LzReceiveAlert` carries. The indexer (any network) and the devnet worker read alerts the same way.
 */
import { Interface } from 'ethers';
import { collateralVaultAbi, endpointV2Abi, marginHubAbi, riskEngineAbi } from '@omnichain-collateral/sdk/abi';
import { revertReason } from '@omnichain-collateral/sdk/contracts/revert';

export const EXECUTION_ERRORS: readonly Interface[] = [
  marginHubAbi,
  riskEngineAbi,
  collateralVaultAbi,
  endpointV2Abi,
].map((abi) => new Interface(abi));

/** The reason of an `LzReceiveAlert` (its revert data and the gas lzReceive was given). */
export function lzReceiveAlertReason(alert: { reason: string; gas: bigint }): string {
  return alert.reason === '0x'
    ? `lzReceive ran out of its ${alert.gas} gas or reverted without a reason`
    : revertReason({ data: alert.reason }, EXECUTION_ERRORS);
}
