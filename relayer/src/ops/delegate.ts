/**
 * What the receiving OApp's delegate can do to a message its endpoint will not run, and what each
 * does to the ledger. EndpointV2 gives the delegate four moves (MessagingChannel.sol):
 * - `clear`: a verified message is marked delivered without executing it;
 * - `skip`: the next nonce, not verified, is passed over so later ones can execute; it never can;
 * - `nilify`: a message's verification is erased; it executes only once verified again;
 * - `burn`: a verified message that later nonces have passed is erased for good.
 * Every move but nilify means the message never executes: for a CREDIT, tokens sit in the
 * vault's custody that the hub never credited; for a RELEASE or SEIZE, tokens the hub already
 * took off an account are never paid out. Each plan checks the endpoint's state and that the key
 * is the delegate, simulates the call (a refusal is named before anything is sent), and says
 * both in words before the operator confirms.
 */
import { formatUnits, Wallet, ZeroHash } from 'ethers';
import { erc20, type ChainClient } from '../chain/clients.js';
import type { endpointV2Abi } from '@omnichain-collateral/sdk/abi';
import { revertReason } from '@omnichain-collateral/sdk/contracts/revert';
import type { FnArgs } from '@omnichain-collateral/sdk/contracts/typedContract';
import { MessageType } from '@omnichain-collateral/sdk/messageCodec';
import { decodePacket, payloadHash, type PacketV1 } from '@omnichain-collateral/sdk/packet';
import { EXECUTION_ERRORS } from '../chain/executionErrors.js';
import type { StoredMessage } from '../store/store.js';

export const DELEGATE_ACTIONS = ['clear', 'skip', 'nilify', 'burn'] as const;
export type DelegateAction = (typeof DELEGATE_ACTIONS)[number];

export class DelegateActionRefused extends Error {}

export interface DelegatePlan {
  action: DelegateAction;
  /** what the endpoint call does */
  what: string;
  /** what it does to the hub ledger and the vault's custody */
  ledger: string;
  /** sends the call and waits for it */
  send(): Promise<{ txHash: string }>;
}

interface EndpointState {
  stored: string;
  lazy: bigint;
  inbound: bigint;
  delegate: string;
}

async function endpointState(chain: ChainClient, p: PacketV1): Promise<EndpointState> {
  const e = chain.endpoint;
  const [stored, lazy, inbound, delegate] = await Promise.all([
    e.read('inboundPayloadHash', [p.receiver, p.srcEid, p.sender, p.nonce]),
    e.read('lazyInboundNonce', [p.receiver, p.srcEid, p.sender]),
    e.read('inboundNonce', [p.receiver, p.srcEid, p.sender]),
    e.read('delegates', [p.receiver]),
  ]);
  return { stored, lazy, inbound, delegate };
}

/** Checks `action` can apply to `message` on its destination `chain`, signed by `key`, and says what it will do. */
export async function planDelegateAction(
  chain: ChainClient,
  message: StoredMessage,
  action: DelegateAction,
  key: string,
): Promise<DelegatePlan> {
  if (message.dstEid !== chain.config.eid)
    throw new DelegateActionRefused(`message ${message.guid} goes to eid ${message.dstEid}, not ${chain.config.name}`);
  const p = decodePacket(message.encodedPacket);
  const state = await endpointState(chain, p);
  const signer = new Wallet(key, chain.provider);
  if (state.delegate.toLowerCase() !== signer.address.toLowerCase()) {
    throw new DelegateActionRefused(
      `only the delegate of ${p.receiver} (${state.delegate}) can ${action} its messages; OPS_KEY is ${signer.address}`,
    );
  }
  const hash = payloadHash(p);
  const verified = state.stored === hash;
  const executed = state.stored === ZeroHash && p.nonce <= state.lazy;
  if (executed)
    throw new DelegateActionRefused(`message ${message.guid} was already executed (or dropped): nothing to ${action}`);
  const origin = { srcEid: p.srcEid, sender: p.sender, nonce: p.nonce };
  const endpoint = chain.endpoint.connect(signer);
  let what: string;
  /** the endpoint call: simulated first, then sent */
  let call: { simulate(): Promise<unknown>; send(): Promise<{ hash: string; wait(): Promise<unknown> }> };
  switch (action) {
    case 'clear':
      if (!verified)
        throw new DelegateActionRefused(
          `message ${message.guid} is not verified on ${chain.config.name}: only a verified message can be cleared (skip the next unverified nonce instead)`,
        );
      what = `marks nonce ${p.nonce} from eid ${p.srcEid} delivered on ${chain.config.name} without executing it (EndpointV2.clear)`;
      {
        const args: FnArgs<typeof endpointV2Abi, 'clear'> = [p.receiver, origin, p.guid, p.message];
        call = {
          simulate: () => endpoint.simulate('clear', args, { from: signer.address }),
          send: () => endpoint.write('clear', args),
        };
      }
      break;
    case 'skip':
      if (p.nonce !== state.inbound + 1n) {
        throw new DelegateActionRefused(
          `skip takes only the next nonce not yet verified in order (${state.inbound + 1n} from eid ${p.srcEid}); this message is nonce ${p.nonce}${verified ? ', and verified: clear it instead' : ''}`,
        );
      }
      what = `skips nonce ${p.nonce} from eid ${p.srcEid} on ${chain.config.name}, so later messages can execute; this one never can (EndpointV2.skip)`;
      {
        const args: FnArgs<typeof endpointV2Abi, 'skip'> = [p.receiver, p.srcEid, p.sender, p.nonce];
        call = {
          simulate: () => endpoint.simulate('skip', args, { from: signer.address }),
          send: () => endpoint.write('skip', args),
        };
      }
      break;
    case 'nilify':
      what = `erases the verification of nonce ${p.nonce} from eid ${p.srcEid} on ${chain.config.name}: it executes only after a DVN verifies it again (EndpointV2.nilify)`;
      {
        const args: FnArgs<typeof endpointV2Abi, 'nilify'> = [p.receiver, p.srcEid, p.sender, p.nonce, state.stored];
        call = {
          simulate: () => endpoint.simulate('nilify', args, { from: signer.address }),
          send: () => endpoint.write('nilify', args),
        };
      }
      break;
    case 'burn':
      if (!verified || p.nonce > state.lazy) {
        throw new DelegateActionRefused(
          `burn takes a verified message whose nonce later executions have passed (at most ${state.lazy} from eid ${p.srcEid}); this one is nonce ${p.nonce}, ${verified ? 'verified' : 'not verified'}: clear, skip or nilify it instead`,
        );
      }
      what = `erases verified nonce ${p.nonce} from eid ${p.srcEid} on ${chain.config.name} for good (EndpointV2.burn)`;
      {
        const args: FnArgs<typeof endpointV2Abi, 'burn'> = [p.receiver, p.srcEid, p.sender, p.nonce, hash];
        call = {
          simulate: () => endpoint.simulate('burn', args, { from: signer.address }),
          send: () => endpoint.write('burn', args),
        };
      }
      break;
  }
  try {
    await call.simulate();
  } catch (err) {
    throw new DelegateActionRefused(
      `the endpoint refuses to ${action} ${message.guid}: ${revertReason(err, EXECUTION_ERRORS)}`,
    );
  }
  return {
    action,
    what,
    ledger: await ledgerEffect(chain, message, action),
    async send() {
      const tx = await call.send();
      await tx.wait();
      return { txHash: tx.hash };
    },
  };
}

/** What dropping (or nilifying) `m` does to the hub ledger and the vault's custody, in words. */
async function ledgerEffect(chain: ChainClient, m: StoredMessage, action: DelegateAction): Promise<string> {
  if (action === 'nilify') {
    return 'Nothing changes in the ledger: the message stays in flight (its tokens counted as in flight) until a DVN verifies it again and it executes. Use it to hold a message while a pathway is fixed.';
  }
  // A payout's token is on this chain; a CREDIT's is on the source chain, so its amount stays in base units.
  const amount =
    m.msgType === MessageType.CREDIT
      ? `${m.amount} base units of token ${m.token}`
      : await formatAmount(chain, m.token, BigInt(m.amount));
  const where = `account ${m.account} (sub-account ${m.subAccount})`;
  switch (m.msgType) {
    case MessageType.CREDIT:
      return (
        `The hub will never credit ${amount} to ${where}. The vault on eid ${m.srcEid} already holds them: they stay in its custody ` +
        'with no owner in the ledger, and no function of the contracts can pay them out (the relayer shows them as stranded in GET /v1/custody).'
      );
    case MessageType.RELEASE:
      return (
        `The vault will never pay ${amount} to ${m.recipient}. The hub took them off ${where} when the withdrawal was requested: ` +
        'they stay in custody with no owner in the ledger (stranded), and the account does not get them back.'
      );
    default:
      return (
        `The vault will never pay the liquidator ${m.recipient} the ${amount} seized from ${where}. The hub already moved them off the account: ` +
        'they stay in custody with no owner in the ledger (stranded), and the keeper marks its liquidation failed.'
      );
  }
}

async function formatAmount(chain: ChainClient, token: string, amount: bigint): Promise<string> {
  try {
    const contract = erc20(token, chain);
    const [decimals, symbol] = await Promise.all([contract.read('decimals', []), contract.read('symbol', [])]);
    return `${formatUnits(amount, decimals).replace(/\.0$/, '')} ${symbol}`;
  } catch {
    return `${amount} base units of token ${token}`;
  }
}
