/**
 * An operator's retry of a message the endpoint holds verified but not executed (an execution
 * that ran out of gas or reverted): `EndpointV2.lzReceive`, which anyone may call for a verified
 * packet, with the gas the operator gives it. The endpoint checks the payload hash, so a retry can
 * only execute the packet as it was sent, and only once.
 */
import { Wallet } from 'ethers';
import { revertReason } from '@omnichain-collateral/sdk/contracts/revert';
import { decodePacket, payloadHash } from '@omnichain-collateral/sdk/packet';
import type { ChainClient } from '../chain/clients.js';
import { EXECUTION_ERRORS } from '../chain/executionErrors.js';
import type { StoredMessage } from '../store/store.js';

export interface RetryResult {
  txHash: string;
  gasUsed: bigint;
}

export class RetryRefused extends Error {}

/** Executes `message` on its destination `chain` with `gas`, signed by `key`; refuses one that is not waiting there. */
export async function retryWithGas(
  chain: ChainClient,
  message: StoredMessage,
  key: string,
  gas: bigint,
): Promise<RetryResult> {
  if (message.dstEid !== chain.config.eid)
    throw new RetryRefused(`message ${message.guid} goes to eid ${message.dstEid}, not ${chain.config.name}`);
  const p = decodePacket(message.encodedPacket);
  const stored = await chain.endpoint.read('inboundPayloadHash', [p.receiver, p.srcEid, p.sender, p.nonce]);
  if (stored !== payloadHash(p)) {
    const lazy = await chain.endpoint.read('lazyInboundNonce', [p.receiver, p.srcEid, p.sender]);
    throw new RetryRefused(
      p.nonce <= lazy
        ? `message ${message.guid} was already executed`
        : `message ${message.guid} is not verified on ${chain.config.name} yet: nothing to execute`,
    );
  }
  const endpoint = chain.endpoint.connect(new Wallet(key, chain.provider));
  const origin = { srcEid: p.srcEid, sender: p.sender, nonce: p.nonce };
  try {
    const tx = await endpoint.write('lzReceive', [origin, p.receiver, p.guid, p.message, '0x'], { gasLimit: gas });
    const receipt = await tx.wait();
    return { txHash: tx.hash, gasUsed: receipt?.gasUsed ?? 0n };
  } catch (err) {
    throw new RetryRefused(`executing ${message.guid} with ${gas} gas failed: ${revertReason(err, EXECUTION_ERRORS)}`);
  }
}
