/**
 * The vault <-> hub message format, byte for byte as `contracts/src/libraries/MessageCodec.sol`
 * writes it. The relayer decodes LayerZero packets with it; integrators use it to follow a
 * deposit, withdrawal or seizure across chains.
 *
 *   offset size field
 *   0      1    version (1)
 *   1      1    msgType: 1 CREDIT (vault -> hub), 2 RELEASE, 3 SEIZE (hub -> vault)
 *   2      8    id, unique per sender
 *   10     20   account
 *   30     4    subAccount (0 = cross margin)
 *   34     20   token
 *   54     32   amount
 *   86     20   recipient (zero for CREDIT)
 */
import { getAddress, getBytes, hexlify, isAddress, solidityPacked, toBigInt } from 'ethers';
import { z } from 'zod';

export const MESSAGE_VERSION = 1;
export const MESSAGE_LENGTH = 106;

export const MessageType = { CREDIT: 1, RELEASE: 2, SEIZE: 3 } as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

const UINT64_MAX = (1n << 64n) - 1n;
const UINT256_MAX = (1n << 256n) - 1n;
/**
 * A 20-byte hex address, returned checksummed. All lower or all upper case is taken as is; a
 * mixed-case one must carry a valid EIP-55 checksum (a zod issue, not a thrown error, if not).
 */
export const addressSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address')
  .transform((a, ctx) => {
    if (!isAddress(a)) {
      ctx.addIssue({
        code: 'custom',
        message: 'invalid address checksum (EIP-55): use the checksummed or an all-lowercase address',
        input: a,
      });
      return z.NEVER;
    }
    return getAddress(a);
  });

export const messageSchema = z.object({
  msgType: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  id: z.bigint().min(0n).max(UINT64_MAX),
  account: addressSchema,
  subAccount: z.number().int().min(0).max(0xffffffff),
  token: addressSchema,
  amount: z.bigint().min(0n).max(UINT256_MAX),
  recipient: addressSchema,
});

export type Message = z.infer<typeof messageSchema>;
export type MessageInput = z.input<typeof messageSchema>;

/** Raised for bytes the hub or a vault would refuse; `reason` names the Solidity error. */
export class MessageDecodeError extends Error {
  constructor(
    readonly reason: 'InvalidMessageLength' | 'UnsupportedVersion' | 'UnknownMessageType',
    message: string,
  ) {
    super(message);
    this.name = 'MessageDecodeError';
  }
}

export function encodeMessage(input: MessageInput): string {
  const m = messageSchema.parse(input);
  return solidityPacked(
    ['uint8', 'uint8', 'uint64', 'address', 'uint32', 'address', 'uint256', 'address'],
    [MESSAGE_VERSION, m.msgType, m.id, m.account, m.subAccount, m.token, m.amount, m.recipient],
  );
}

export function decodeMessage(data: string | Uint8Array): Message {
  const bytes = getBytes(data);
  if (bytes.length !== MESSAGE_LENGTH) {
    throw new MessageDecodeError(
      'InvalidMessageLength',
      `message is ${bytes.length} bytes, expected ${MESSAGE_LENGTH}`,
    );
  }
  if (bytes[0] !== MESSAGE_VERSION) {
    throw new MessageDecodeError('UnsupportedVersion', `message version ${bytes[0]}, expected ${MESSAGE_VERSION}`);
  }
  const msgType = bytes[1];
  if (msgType !== 1 && msgType !== 2 && msgType !== 3) {
    throw new MessageDecodeError('UnknownMessageType', `unknown message type ${msgType}`);
  }
  const slice = (from: number, to: number) => hexlify(bytes.subarray(from, to));
  return {
    msgType,
    id: toBigInt(slice(2, 10)),
    account: getAddress(slice(10, 30)),
    subAccount: Number(toBigInt(slice(30, 34))),
    token: getAddress(slice(34, 54)),
    amount: toBigInt(slice(54, 86)),
    recipient: getAddress(slice(86, 106)),
  };
}
