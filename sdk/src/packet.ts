/**
 * LayerZero V2's PacketV1 encoding, as `PacketSent.encodedPayload` carries it:
 * version (1) | nonce (8) | srcEid (4) | sender (32) | dstEid (4) | receiver (32) | guid (32) | message.
 */
import { getAddress, getBytes, hexlify, keccak256, toBigInt, dataSlice } from 'ethers';

export interface PacketV1 {
  nonce: bigint;
  srcEid: number;
  sender: string; // bytes32
  dstEid: number;
  receiver: string; // the 20-byte address of the bytes32 receiver
  guid: string;
  message: string;
  /** The whole packet as sent, which the receive library verifies. */
  encoded: string;
}

export const PACKET_HEADER_LENGTH = 81;

export function decodePacket(encoded: string): PacketV1 {
  const bytes = getBytes(encoded);
  if (bytes.length < PACKET_HEADER_LENGTH + 32 || bytes[0] !== 1) {
    throw new Error(`not a PacketV1 (length ${bytes.length}, version ${bytes[0]})`);
  }
  return {
    nonce: toBigInt(dataSlice(bytes, 1, 9)),
    srcEid: Number(toBigInt(dataSlice(bytes, 9, 13))),
    sender: dataSlice(bytes, 13, 45),
    dstEid: Number(toBigInt(dataSlice(bytes, 45, 49))),
    receiver: getAddress(dataSlice(bytes, 61, 81)),
    guid: dataSlice(bytes, 81, 113),
    message: hexlify(bytes.subarray(113)),
    encoded: hexlify(bytes),
  };
}

/** The packet's header, what a DVN verifies and the receive library commits: its first 81 bytes. */
export function packetHeader(p: PacketV1): string {
  return dataSlice(p.encoded, 0, PACKET_HEADER_LENGTH);
}

/** keccak256(guid ++ message): the payload hash the endpoint stores for a verified packet. */
export function payloadHash(p: PacketV1): string {
  return keccak256(dataSlice(p.encoded, PACKET_HEADER_LENGTH));
}
