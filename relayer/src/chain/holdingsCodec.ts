/**
 * `MarginHub.holdingsOf`'s answer decoded straight from its ABI words. ethers' coder gives each
 * element of a dynamic array a reader over a copy of the rest of the data, so decoding one answer
 * of 250 accounts copied megabytes, quadratic in its length. This reads the words in place.
 * `test/unit/holdingsCodec.test.ts` checks it against the ABI coder.
 *
 * The layout (`AccountHoldings[]`, each `(int256 cash, (uint16,uint256)[] collateral,
 * (uint16,int256)[] positions)`): an offset to the array; its length and one offset per element
 * (from the end of the length word); each element a cash word and two offsets (from the
 * element's start) to its collateral and positions arrays, each a length and two words a row.
 */
import type { Holdings } from '@omnichain-collateral/sdk/risk/accountRisk';

const TWO_255 = 1n << 255n;
const TWO_256 = 1n << 256n;

/** Decodes the return data of `holdingsOf`; throws, naming the byte, on data that is not that shape. */
export function decodeHoldingsOf(data: string): Holdings[] {
  const words = new Words(data);
  const array = words.offset(0, 0);
  const count = words.index(array);
  const heads = array + 32;
  const out: Holdings[] = new Array<Holdings>(count);
  for (let i = 0; i < count; i++) {
    const start = words.offset(heads + 32 * i, heads);
    const collateral = words.offset(start + 32, start);
    const positions = words.offset(start + 64, start);
    out[i] = {
      cash: words.int(start),
      collateral: words.rows(collateral, (at) => ({ assetId: words.uint16(at), amount: words.uint(at + 32) })),
      positions: words.rows(positions, (at) => ({ marketId: words.uint16(at), size: words.int(at + 32) })),
    };
  }
  return out;
}

/** 32-byte words of ABI data in a hex string, addressed by byte position. */
class Words {
  private readonly bytes: number;

  constructor(private readonly hex: string) {
    if (!/^0x([0-9a-fA-F]{2})*$/.test(hex)) throw new Error('holdingsOf: the answer is not hex data');
    this.bytes = (hex.length - 2) / 2;
  }

  /** The word at byte `at`, as hex without 0x. */
  private word(at: number): string {
    if (at < 0 || at + 32 > this.bytes)
      throw new RangeError(`holdingsOf: a word at byte ${at} is past the answer's ${this.bytes} bytes`);
    return this.hex.slice(2 + 2 * at, 66 + 2 * at);
  }

  uint(at: number): bigint {
    return BigInt('0x' + this.word(at));
  }

  int(at: number): bigint {
    const v = this.uint(at);
    return v >= TWO_255 ? v - TWO_256 : v;
  }

  uint16(at: number): number {
    const v = this.uint(at);
    if (v > 0xffffn) throw new RangeError(`holdingsOf: the word at byte ${at} is not a uint16`);
    return Number(v);
  }

  /** A length or count: small enough that its rows could fit in the answer. */
  index(at: number): number {
    const v = this.uint(at);
    if (v > BigInt(this.bytes)) throw new RangeError(`holdingsOf: the count at byte ${at} exceeds the answer`);
    return Number(v);
  }

  /** An offset stored at byte `at`, counted from byte `base`: the byte it points to. */
  offset(at: number, base: number): number {
    return base + this.index(at);
  }

  /** A dynamic array of two-word rows at byte `at`. */
  rows<T>(at: number, row: (at: number) => T): T[] {
    const count = this.index(at);
    const out = new Array<T>(count);
    for (let i = 0; i < count; i++) out[i] = row(at + 32 + 64 * i);
    return out;
  }
}
