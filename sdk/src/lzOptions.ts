/**
 * LayerZero V2 message options, type 3 (what `OAppOptionsType3` enforces and what the executor
 * reads): `0x0003`, then options each framed as worker id (1 byte) | size (2 bytes) | option
 * type (1 byte) | body. Only the executor's LZ_RECEIVE option is built and read here: the gas
 * (uint128) and optional native value (uint128) `lzReceive` is executed with.
 */
import { concat, dataLength, dataSlice, getBytes, hexlify, toBeHex, toBigInt } from 'ethers';

const TYPE_3 = 3;
const EXECUTOR_WORKER_ID = 1;
const OPTION_LZ_RECEIVE = 1;

/** Type-3 options asking the executor to run `lzReceive` with `gas` (and `value` wei, if any). */
export function lzReceiveOption(gas: bigint, value = 0n): string {
  if (gas <= 0n || gas >= 2n ** 128n) throw new RangeError(`lzReceive gas must be in (0, 2^128), got ${gas}`);
  const body = value === 0n ? toBeHex(gas, 16) : concat([toBeHex(gas, 16), toBeHex(value, 16)]);
  return concat([toBeHex(TYPE_3, 2), toBeHex(EXECUTOR_WORKER_ID, 1), toBeHex(dataLength(body) + 1, 2), toBeHex(OPTION_LZ_RECEIVE, 1), body]);
}

/**
 * The gas and value `lzReceive` gets from type-3 options: the sum over every LZ_RECEIVE option,
 * as the executor's fee library adds them (enforced options and the caller's are concatenated).
 */
export function lzReceiveGas(options: string): { gas: bigint; value: bigint } {
  const bytes = getBytes(options);
  if (bytes.length < 2 || toBigInt(bytes.subarray(0, 2)) !== BigInt(TYPE_3)) throw new Error(`not type-3 options: ${hexlify(bytes.subarray(0, 2))}`);
  let gas = 0n;
  let value = 0n;
  for (let at = 2; at < bytes.length; ) {
    if (at + 3 > bytes.length) throw new Error('options end inside an option header');
    const worker = bytes[at]!;
    const size = Number(toBigInt(bytes.subarray(at + 1, at + 3)));
    const start = at + 3;
    if (size === 0 || start + size > bytes.length) throw new Error(`option at byte ${at} has size ${size} past the end`);
    if (worker === EXECUTOR_WORKER_ID && bytes[start] === OPTION_LZ_RECEIVE) {
      const body = dataSlice(bytes, start + 1, start + size);
      const length = dataLength(body);
      if (length !== 16 && length !== 32) throw new Error(`LZ_RECEIVE option of ${length} bytes`);
      gas += toBigInt(dataSlice(body, 0, 16));
      if (length === 32) value += toBigInt(dataSlice(body, 16, 32));
    }
    at = start + size;
  }
  return { gas, value };
}
