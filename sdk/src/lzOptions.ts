/**
 * LayerZero V2 message options, type 3 (what `OAppOptionsType3` enforces and what the executor
 * reads): `0x0003`, then options each framed as worker id (1 byte) | size (2 bytes) | option
 * type (1 byte) | body. Two executor options are built and read here: LZ_RECEIVE, the gas
 * (uint128) and optional native value (uint128) `lzReceive` is executed with; and LZ_READ, the
 * gas (uint128), answer size (uint32) and optional value (uint128) an lzRead answer is delivered with.
 */
import { concat, dataLength, dataSlice, getBytes, hexlify, toBeHex, toBigInt } from 'ethers';

const TYPE_3 = 3;
const EXECUTOR_WORKER_ID = 1;
const OPTION_LZ_RECEIVE = 1;
const OPTION_LZ_READ = 5;

function executorOption(type: number, body: string): string {
  return concat([
    toBeHex(TYPE_3, 2),
    toBeHex(EXECUTOR_WORKER_ID, 1),
    toBeHex(dataLength(body) + 1, 2),
    toBeHex(type, 1),
    body,
  ]);
}

function assertGas(what: string, gas: bigint): void {
  if (gas <= 0n || gas >= 2n ** 128n) throw new RangeError(`${what} gas must be in (0, 2^128), got ${gas}`);
}

/** Type-3 options asking the executor to run `lzReceive` with `gas` (and `value` wei, if any). */
export function lzReceiveOption(gas: bigint, value = 0n): string {
  assertGas('lzReceive', gas);
  return executorOption(
    OPTION_LZ_RECEIVE,
    value === 0n ? toBeHex(gas, 16) : concat([toBeHex(gas, 16), toBeHex(value, 16)]),
  );
}

/** Type-3 options asking the read executor to deliver an answer of `size` bytes with `gas` (and `value` wei). */
export function lzReadOption(gas: bigint, size: number, value = 0n): string {
  assertGas('lzRead', gas);
  if (!Number.isInteger(size) || size < 0 || size >= 2 ** 32)
    throw new RangeError(`lzRead answer size must be a uint32, got ${size}`);
  const head = concat([toBeHex(gas, 16), toBeHex(size, 4)]);
  return executorOption(OPTION_LZ_READ, value === 0n ? head : concat([head, toBeHex(value, 16)]));
}

/** The bodies of every executor option of `type` in type-3 `options`, in order. */
function executorOptionBodies(options: string, type: number): string[] {
  const bytes = getBytes(options);
  if (bytes.length < 2 || toBigInt(bytes.subarray(0, 2)) !== BigInt(TYPE_3))
    throw new Error(`not type-3 options: ${hexlify(bytes.subarray(0, 2))}`);
  const bodies: string[] = [];
  for (let at = 2; at < bytes.length;) {
    if (at + 3 > bytes.length) throw new Error('options end inside an option header');
    const worker = bytes[at]!;
    const size = Number(toBigInt(bytes.subarray(at + 1, at + 3)));
    const start = at + 3;
    if (size === 0 || start + size > bytes.length)
      throw new Error(`option at byte ${at} has size ${size} past the end`);
    if (worker === EXECUTOR_WORKER_ID && bytes[start] === type) bodies.push(dataSlice(bytes, start + 1, start + size));
    at = start + size;
  }
  return bodies;
}

/**
 * The gas and value `lzReceive` gets from type-3 options: the sum over every LZ_RECEIVE option,
 * as the executor's fee library adds them (enforced options and the caller's are concatenated).
 */
export function lzReceiveGas(options: string): { gas: bigint; value: bigint } {
  let gas = 0n;
  let value = 0n;
  for (const body of executorOptionBodies(options, OPTION_LZ_RECEIVE)) {
    const length = dataLength(body);
    if (length !== 16 && length !== 32) throw new Error(`LZ_RECEIVE option of ${length} bytes`);
    gas += toBigInt(dataSlice(body, 0, 16));
    if (length === 32) value += toBigInt(dataSlice(body, 16, 32));
  }
  return { gas, value };
}

/** The gas, answer size and value an lzRead answer is delivered with: each summed over every LZ_READ option. */
export function lzReadGas(options: string): { gas: bigint; size: number; value: bigint } {
  let gas = 0n;
  let size = 0;
  let value = 0n;
  for (const body of executorOptionBodies(options, OPTION_LZ_READ)) {
    const length = dataLength(body);
    if (length !== 20 && length !== 36) throw new Error(`LZ_READ option of ${length} bytes`);
    gas += toBigInt(dataSlice(body, 0, 16));
    size += Number(toBigInt(dataSlice(body, 16, 20)));
    if (length === 36) value += toBigInt(dataSlice(body, 20, 36));
  }
  return { gas, size, value };
}
