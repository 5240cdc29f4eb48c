import { expect } from 'chai';
import { AbiCoder, solidityPacked, toBeHex, toQuantity, zeroPadValue } from 'ethers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { endpointV2Abi } from '@omnichain-collateral/sdk/abi';
import { encodeMessage, MessageType } from '@omnichain-collateral/sdk/messageCodec';
import type { ChainClient } from '../../relayer/src/chain/clients.js';
import { topicOf, type NodeLog } from '../../relayer/src/chain/rawLogs.js';
import { RelayerMetrics } from '../../relayer/src/metrics.js';
import { waitFor } from '../../relayer/src/wait.js';
import { BLOCK_RANGE, ChainIndexer } from '../../relayer/src/services/indexer.js';
import { RelayerStore, type StoredMessage } from '../../relayer/src/store/store.js';

const EID = 2;
const HUB_EID = 1;
const ENDPOINT = '0x' + 'e0'.repeat(20);
const VAULT = '0x' + 'a0'.repeat(20);
const HUB = '0x' + 'b0'.repeat(20);
const CONFIRMATIONS = 2;

/**
 * A chain as the indexer sees it, in memory: blocks with hashes (a reorg gives some new hashes)
 * and logs by block. It answers head, getBlock and eth_getLogs, and records each getLogs range.
 */
class ScriptedChain {
  head = 20;
  readonly hashes = new Map<number, string>();
  readonly logs: Array<{ block: number; log: NodeLog }> = [];
  readonly ranges: Array<[number, number]> = [];
  /** getBlock of this block answers only once `release` is called */
  held?: { block: number; release: Promise<void> };
  /** the eth_getLogs call with this index (from 0) fails, as a node past its deadline does */
  failAt?: number;

  constructor() {
    for (let b = 0; b <= 1_000; b++) this.hashes.set(b, hash('a', b));
  }

  reorgFrom(block: number): void {
    for (let b = block; b <= 1_000; b++) this.hashes.set(b, hash('b', b));
  }

  client(): ChainClient {
    const provider = {
      head: async () => this.head,
      getBlock: async (n: number) => {
        if (this.held?.block === n) await this.held.release;
        return { number: n, hash: this.hashes.get(n) };
      },
      send: async (method: string, [filter]: [{ fromBlock: string; toBlock: string }]) => {
        if (method !== 'eth_getLogs') throw new Error(`unexpected ${method}`);
        const [from, to] = [Number(filter.fromBlock), Number(filter.toBlock)];
        this.ranges.push([from, to]);
        if (this.ranges.length - 1 === this.failAt) throw new Error('http://node did not answer within 10000 ms');
        return this.logs.filter((l) => l.block >= from && l.block <= to).map((l) => l.log);
      },
    };
    const scripted = this;
    const heads = {
      get head() {
        return scripted.head;
      },
      onHead: () => undefined,
    };
    const config = { eid: EID, name: 'spoke-a', confirmations: CONFIRMATIONS, endpoint: ENDPOINT, vault: VAULT };
    // A test double of one piece: only what ChainIndexer reads.
    return { config, provider, heads } as unknown as ChainClient;
  }
}

/** A log of another contract of ours that touches nothing the indexer keeps: volume only. */
function filler(block: number, i: number): NodeLog {
  return {
    address: HUB,
    topics: [zeroPadValue('0x01', 32)],
    data: '0x',
    blockNumber: toQuantity(block),
    transactionHash: toBeHex(block * 1000 + i, 32),
    logIndex: toQuantity(i),
  };
}

function hash(fork: string, block: number): string {
  return zeroPadValue(`0x${fork === 'a' ? 'aa' : 'bb'}${block.toString(16).padStart(4, '0')}`, 32);
}

/** A PacketSent on the endpoint: a CREDIT from the vault on EID to the hub, with this nonce. */
function packetSent(nonce: number, block: number): NodeLog {
  const message = encodeMessage({
    msgType: MessageType.CREDIT,
    id: BigInt(nonce),
    account: '0x' + '44'.repeat(20),
    subAccount: 0,
    token: '0x' + '55'.repeat(20),
    amount: 1_000n,
    recipient: '0x' + '44'.repeat(20),
  });
  const guid = zeroPadValue(toQuantity(0xabc000 + nonce), 32);
  const packet = solidityPacked(
    ['uint8', 'uint64', 'uint32', 'bytes32', 'uint32', 'bytes32', 'bytes32', 'bytes'],
    [1, nonce, EID, zeroPadValue(VAULT, 32), HUB_EID, zeroPadValue(HUB, 32), guid, message],
  );
  return {
    address: ENDPOINT,
    topics: [topicOf(endpointV2Abi, 'PacketSent')],
    data: AbiCoder.defaultAbiCoder().encode(['bytes', 'bytes', 'address'], [packet, '0x', ENDPOINT]),
    blockNumber: toQuantity(block),
    transactionHash: zeroPadValue(toQuantity(block * 1000 + nonce), 32),
    logIndex: '0x0',
  };
}

describe("a chain's indexer (a scripted chain in memory)", function () {
  let dir: string;
  let store: RelayerStore;
  let chain: ScriptedChain;
  let indexer: ChainIndexer;
  let seen: StoredMessage[];

  beforeEach(async function () {
    dir = mkdtempSync(join(tmpdir(), 'indexer-'));
    store = await RelayerStore.open(dir);
    chain = new ScriptedChain();
    seen = [];
    indexer = new ChainIndexer(
      chain.client(),
      { hubEid: HUB_EID, hub: HUB, engine: '0x' + 'c0'.repeat(20), oapps: new Set([VAULT, HUB]) },
      store,
      { packets: (messages) => seen.push(...messages) },
      pino({ level: 'silent' }),
      new RelayerMetrics(),
    );
  });
  afterEach(async function () {
    await indexer.loop.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads only blocks `confirmations` behind the head, and resumes after its checkpoint', async function () {
    chain.logs.push({ block: 5, log: packetSent(1, 5) });
    await indexer.pollOnce();
    expect(chain.ranges).to.deep.equal([[0, 18]]);
    expect(store.checkpoint(EID)).to.deep.equal({ block: 18, hash: chain.hashes.get(18) });
    expect(seen.map((m) => m.nonce)).to.deep.equal(['1']);
    chain.head = 25;
    await indexer.pollOnce();
    expect(chain.ranges[1]).to.deep.equal([19, 23]);
  });

  it('rewinds past a reorganised checkpoint, alerts, and records nothing twice on the rescan', async function () {
    chain.logs.push({ block: 17, log: packetSent(1, 17) });
    await indexer.pollOnce();
    expect(store.messages()).to.have.length(1);

    // Blocks from 16 on are replaced; the same packet lands again in block 17, a new one in 19.
    chain.reorgFrom(16);
    chain.logs.push({ block: 19, log: packetSent(2, 19) });
    chain.head = 22;
    seen = [];
    await indexer.pollOnce();
    const rewindTo = 18 - CONFIRMATIONS - 1;
    // The range after the checkpoint is read together with the checkpoint's hash, then thrown away.
    expect(chain.ranges.slice(1), 'rescanned from the checkpoint less the confirmations').to.deep.equal([
      [19, 20],
      [rewindTo, 20],
    ]);
    expect(store.alerts().map((a) => a.kind)).to.deep.equal(['reorg']);
    expect(store.alerts()[0]!.detail).to.contain(`rescanning from ${rewindTo}`);
    expect(store.checkpoint(EID)).to.deep.equal({ block: 20, hash: chain.hashes.get(20) });
    expect(store.messages().map((m) => m.nonce)).to.have.members(['1', '2']);
    expect(
      seen.map((m) => m.nonce),
      'only the new packet is news',
    ).to.deep.equal(['2']);
  });

  it("asks for the new blocks' logs without waiting for the checkpoint's hash: one round trip a poll", async function () {
    chain.logs.push({ block: 20, log: packetSent(1, 20) });
    await indexer.pollOnce();
    chain.head = 25;
    let release!: () => void;
    chain.held = { block: 18, release: new Promise<void>((r) => (release = r)) };
    const poll = indexer.pollOnce();
    await new Promise((r) => setImmediate(r));
    expect(chain.ranges[1], 'asked while the checkpoint block is unanswered').to.deep.equal([19, 23]);
    expect(store.checkpoint(EID)!.block, 'nothing applied before the checkpoint is confirmed').to.equal(18);
    release();
    await poll;
    expect(store.checkpoint(EID)!.block).to.equal(23);
    expect(seen.map((m) => m.nonce)).to.deep.equal(['1']);
  });

  it('goes on from a checkpoint that is still canonical without an alert', async function () {
    await indexer.pollOnce();
    chain.reorgFrom(19); // above the checkpoint (18): not a reorg of anything indexed
    chain.head = 24;
    await indexer.pollOnce();
    expect(chain.ranges[1]).to.deep.equal([19, 22]);
    expect(store.alerts()).to.have.length(0);
  });

  it('reads a long history in ranges sized by the logs they hold: halved after a dense or failed one, doubled after a sparse one', async function () {
    const { first, targetLogs } = BLOCK_RANGE;
    // The first range holds more than the target, every later one nothing.
    const perBlock = Math.ceil((targetLogs + 1) / first);
    for (let b = 0; b < first; b++) for (let i = 0; i < perBlock; i++) chain.logs.push({ block: b, log: filler(b, i) });
    // Up to the end of the last range below, none cut short by the head.
    chain.head = 9.5 * first - 1 + CONFIRMATIONS;
    chain.failAt = 3; // the fourth read: a node past its deadline
    indexer.loop.trigger(); // it goes on by itself while behind, and retries a failed poll
    const safe = chain.head - CONFIRMATIONS;
    await waitFor('the indexer to reach the safe head', async () => store.checkpoint(EID)?.block === safe, 10_000);
    const at = (from: number, blocks: number) => [from, Math.min(safe, from + blocks - 1)];
    expect(chain.ranges).to.deep.equal([
      at(0, first), // dense
      at(first, first / 2), // halved; empty
      at(1.5 * first, first), // doubled; empty
      at(2.5 * first, 2 * first), // doubled; fails
      at(2.5 * first, first), // halved, asked again; empty
      at(3.5 * first, 2 * first),
      at(5.5 * first, 4 * first),
    ]);
    expect(store.messages()).to.have.length(0);
  });
});
