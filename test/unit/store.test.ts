import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RelayerStore, type LiquidationRecord } from '../../relayer/src/store/store.js';
import { storedMessage } from './storedMessage.js';

const liquidation = (id: string, status: LiquidationRecord['status']): LiquidationRecord => ({
  id,
  status,
  account: '0x01',
  kind: 'collateral',
  attempts: 0,
  healthAtPlan: '0.9',
  priceSeenAt: 0,
  priceSeenBlock: 1,
  plannedAt: 0,
  plannedBlock: 1,
});

describe('the relayer store (lowdb files in a scratch directory)', function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'store-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const chainFile = () => join(dir, 'relayer-store.json');
  /** lowdb writes a temp file and renames it over the old one: a new inode means a new write. */
  const inode = (path: string) => statSync(path).ino;

  it('writes on flush only what changed: a flush with nothing dirty leaves the file alone', async function () {
    const store = await RelayerStore.open(dir);
    await store.flush();
    const first = inode(chainFile());
    await store.flush();
    expect(inode(chainFile()), 'nothing changed: no write').to.equal(first);
    store.setCheckpoint(1, { block: 7, hash: '0xaa' });
    await store.flush();
    expect(inode(chainFile()), 'a checkpoint moved: written').to.not.equal(first);
    expect(JSON.parse(readFileSync(chainFile(), 'utf8')).checkpoints['1']).to.deep.equal({ block: 7, hash: '0xaa' });
  });

  it('keeps a change made while a write is in flight for the next flush', async function () {
    const store = await RelayerStore.open(dir);
    store.addAccount('0xa');
    const writing = store.flush();
    store.addAccount('0xb'); // lowdb serialised the data when the write started: 0xb is not in it
    await writing;
    await store.flush();
    const reopened = await RelayerStore.open(dir);
    expect(reopened.accounts()).to.deep.equal(['0xa', '0xb']);
  });

  it('writes liquidation records alone when asked, and reopens with every index rebuilt', async function () {
    const store = await RelayerStore.open(dir);
    store.recordSent(storedMessage({ guid: '0x01', nonce: '1' }));
    store.recordSent(storedMessage({ guid: '0x02', nonce: '2' }));
    store.advance('0x02', 'delivered');
    store.putLiquidation({ ...liquidation('a', 'submitted'), guid: '0xseize' });
    store.putLiquidation(liquidation('b', 'settled'));
    await store.flushLiquidations();
    const half = await RelayerStore.open(dir);
    expect(half.liquidations().map((l) => l.id)).to.have.members(['a', 'b']);
    expect(half.messages(), 'the chain file was not flushed').to.have.length(0);

    await store.flush();
    const reopened = await RelayerStore.open(dir);
    expect(reopened.inFlight().map((m) => m.guid)).to.deep.equal(['0x01']);
    expect(reopened.unfinishedLiquidations().map((l) => l.id)).to.deep.equal(['a']);
    expect(reopened.liquidationsBySeize('0xseize').map((l) => l.id)).to.deep.equal(['a']);
  });

  it('moves a message forward only, applies a status seen before its PacketSent, and nilifies back to sent', async function () {
    const store = await RelayerStore.open(dir);
    const m = storedMessage({ guid: '0x01', nonce: '5' });
    // The destination's indexer saw PacketVerified before the source's indexer saw PacketSent.
    expect(store.advanceByOrigin(m.srcEid, m.sender, m.nonce, m.receiver, 'verified', 40)).to.equal(undefined);
    expect(store.recordSent(m)).to.equal(true);
    expect(store.recordSent({ ...m }), 'a rescan records nothing twice').to.equal(false);
    expect(store.message('0x01')).to.include({ status: 'verified', verifiedBlock: 40 });
    store.advance('0x01', 'sent');
    expect(store.message('0x01')!.status, 'never back').to.equal('verified');
    store.nilifyByOrigin(m.srcEid, m.sender.toUpperCase().replace('0X', '0x'), m.nonce, m.receiver);
    expect(store.message('0x01')).to.include({ status: 'sent' });
    expect(store.message('0x01')!.verifiedBlock).to.equal(undefined);
    store.advance('0x01', 'burnt');
    expect(store.dropped().map((d) => d.guid)).to.deep.equal(['0x01']);
    expect(store.inFlight()).to.have.length(0);
  });

  it('keeps the latest 1,000 alerts', async function () {
    const store = await RelayerStore.open(dir);
    for (let i = 0; i < 1_005; i++) store.addAlert({ at: i, kind: 'reorg', detail: String(i) });
    expect(store.alerts()).to.have.length(1_000);
    expect(store.alerts()[0]!.at).to.equal(5);
  });
});
