/**
 * A margin account is an owner and a sub-account number packed into one bytes32, exactly as
 * `AccountIdLib.toAccountId` packs it on-chain: owner in the high 160 bits, sub-account in the
 * low 32. Sub-account 0 is the cross-margin pool; any other number is an isolated account.
 */
import { getAddress, toBeHex, toBigInt } from 'ethers';

export interface AccountRef {
  owner: string;
  subAccount: number;
}

export function toAccountId(owner: string, subAccount = 0): string {
  if (!Number.isInteger(subAccount) || subAccount < 0 || subAccount > 0xffffffff) {
    throw new RangeError(`subAccount must be an integer in [0, 2^32), got ${subAccount}`);
  }
  return toBeHex((toBigInt(getAddress(owner)) << 32n) | BigInt(subAccount), 32);
}

export function fromAccountId(id: string): AccountRef {
  const value = toBigInt(id);
  return {
    owner: checksummed(toBeHex(value >> 32n, 20)),
    subAccount: Number(value & 0xffffffffn),
  };
}

/**
 * Checksummed addresses already computed: a checksum is a keccak, and a book computes the figures
 * of the same accounts at every price move. Bounded: cleared when it holds a million.
 */
const checksums = new Map<string, string>();

function checksummed(hex: string): string {
  let address = checksums.get(hex);
  if (address === undefined) {
    if (checksums.size >= 1_000_000) checksums.clear();
    address = getAddress(hex);
    checksums.set(hex, address);
  }
  return address;
}
