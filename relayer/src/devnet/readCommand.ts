/**
 * LayerZero's lzRead command, ReadCodecV1 (oapp-evm `ReadCodecV1.sol`), decoded as a read DVN
 * does: version (2) | app label (2) | request count (2), then per request: version (1) | label
 * (2) | resolver type (2) | size (2) | target eid (4) | isBlockNum (1) | block or timestamp (8) |
 * confirmations (2) | to (20) | calldata (size - 35); an optional compute section follows.
 */
import { dataLength, dataSlice, getAddress, toBigInt } from 'ethers';

export interface EvmCallRequest {
  label: number;
  targetEid: number;
  isBlockNum: boolean;
  blockNumOrTimestamp: bigint;
  confirmations: number;
  to: string;
  callData: string;
}

export interface ReadCommand {
  label: number;
  requests: EvmCallRequest[];
  /** whether a compute section (lzMap / lzReduce) follows the requests */
  hasCompute: boolean;
}

const CMD_VERSION = 1n;
const REQUEST_VERSION = 1n;
const RESOLVER_SINGLE_VIEW_EVM_CALL = 1n;

export function decodeReadCommand(cmd: string): ReadCommand {
  const length = dataLength(cmd);
  let at = 0;
  const take = (n: number): bigint => {
    if (at + n > length) throw new Error(`lzRead command ends at byte ${length}, inside a field at ${at}`);
    const v = toBigInt(dataSlice(cmd, at, at + n));
    at += n;
    return v;
  };
  if (take(2) !== CMD_VERSION) throw new Error('not a version-1 lzRead command');
  const label = Number(take(2));
  const count = Number(take(2));
  const requests: EvmCallRequest[] = [];
  for (let i = 0; i < count; i++) {
    if (take(1) !== REQUEST_VERSION) throw new Error(`request ${i}: not a version-1 request`);
    const requestLabel = Number(take(2));
    if (take(2) !== RESOLVER_SINGLE_VIEW_EVM_CALL) throw new Error(`request ${i}: not a single view EVM call`);
    const size = Number(take(2));
    const targetEid = Number(take(4));
    const isBlockNum = take(1) === 1n;
    const blockNumOrTimestamp = take(8);
    const confirmations = Number(take(2));
    const to = getAddress(dataSlice(cmd, at, at + 20));
    at += 20;
    const callDataSize = size - 35;
    if (callDataSize < 0 || at + callDataSize > length)
      throw new Error(`request ${i}: calldata of ${callDataSize} bytes past the end`);
    const callData = dataSlice(cmd, at, at + callDataSize);
    at += callDataSize;
    requests.push({ label: requestLabel, targetEid, isBlockNum, blockNumOrTimestamp, confirmations, to, callData });
  }
  return { label, requests, hasCompute: at < length };
}
