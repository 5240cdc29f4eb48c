/**
 * How abitype types ABI values in this project, matching what ethers takes and returns: addresses
 * and bytes as plain strings (ethers gives checksummed hex), integers of up to 48 bits as
 * numbers (ids, counts, timestamps), wider ones as bigint.
 */
declare module 'abitype' {
  export interface Register {
    addressType: string;
    bytesType: { inputs: string; outputs: string };
  }
}

export {};
