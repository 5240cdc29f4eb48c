import { expect } from 'chai';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

  const lines = (file: string) =>
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id?: string; guid?: string; status: string; attempts: number });

  it('moves final records out of the lowdb files into append-only archives, and reads both tiers back', async function () {
    const store = await RelayerStore.open(dir);
    store.recordSent(storedMessage({ guid: '0x01', nonce: '1' }));
    store.recordSent(storedMessage({ guid: '0x02', nonce: '2' }));
    store.putLiquidation(liquidation('a', 'submitted'));
    store.putLiquidation(liquidation('b', 'planned'));
    await store.flush();
    store.advance('0x02', 'delivered');
    store.putLiquidation({ ...store.liquidations().find((l) => l.id === 'b')!, status: 'settled' });
    await store.flush();

    const hot = JSON.parse(readFileSync(chainFile(), 'utf8')) as { messages: Record<string, unknown> };
    expect(Object.keys(hot.messages), 'the delivered message left the lowdb file').to.deep.equal(['0x01']);
    expect(lines('messages-finished.jsonl').map((m) => [m.guid, m.status])).to.deep.equal([['0x02', 'delivered']]);
    const keeper = JSON.parse(readFileSync(join(dir, 'liquidations.json'), 'utf8')) as {
      liquidations: Record<string, unknown>;
    };
    expect(Object.keys(keeper.liquidations)).to.deep.equal(['a']);
    expect(lines('liquidations-finished.jsonl').map((l) => [l.id, l.status])).to.deep.equal([['b', 'settled']]);

    await store.flush();
    expect(lines('messages-finished.jsonl'), 'a flush appends only what changed since the last').to.have.length(1);
    const reopened = await RelayerStore.open(dir);
    expect(reopened.messages().map((m) => m.guid)).to.have.members(['0x01', '0x02']);
    expect(reopened.message('0x02')!.status).to.equal('delivered');
    expect(reopened.inFlight().map((m) => m.guid)).to.deep.equal(['0x01']);
    expect(reopened.unfinishedLiquidations().map((l) => l.id)).to.deep.equal(['a']);
    expect(reopened.recordSent(storedMessage({ guid: '0x02', nonce: '2' })), 'an archived message is known').to.equal(
      false,
    );
  });

  it('after a crash between the two writes, a record in both tiers is the archive’s; a late change to an archived record wins on reopen, compacted', async function () {
    const store = await RelayerStore.open(dir);
    store.recordSent(storedMessage({ guid: '0x03', nonce: '3', status: 'delivered' }));
    store.putLiquidation(liquidation('c', 'planned'));
    await store.flush();
    // A crash after the archive line of c was appended, before liquidations.json dropped its planned copy.
    appendFileSync(join(dir, 'liquidations-finished.jsonl'), `${JSON.stringify(liquidation('c', 'dropped'))}\n`);
    let reopened = await RelayerStore.open(dir);
    expect(reopened.liquidations().map((l) => [l.id, l.status])).to.deep.equal([['c', 'dropped']]);
    expect(reopened.unfinishedLiquidations()).to.have.length(0);

    reopened.recordAttempt('0x03', 'late');
    await reopened.flush();
    expect(lines('messages-finished.jsonl'), 'appended again').to.have.length(2);
    reopened = await RelayerStore.open(dir);
    expect(reopened.message('0x03')).to.include({ attempts: 1, lastError: 'late' });
    expect(lines('messages-finished.jsonl'), 'rewritten with one line per record at open').to.have.length(1);
  });

  it('journals what a broadcast sends without rewriting the lowdb file; a reopen replays it, a full flush folds it in', async function () {
    const store = await RelayerStore.open(dir);
    store.putLiquidation(liquidation('e', 'planned'));
    store.putLiquidation(liquidation('f', 'submitted'));
    await store.flush();
    const keeperFile = join(dir, 'liquidations.json');
    const written = inode(keeperFile);
    const onDisk = () =>
      (JSON.parse(readFileSync(keeperFile, 'utf8')) as { liquidations: Record<string, LiquidationRecord> })
        .liquidations;
    const journals = () => readdirSync(dir).filter((f) => f.startsWith('liquidations-journal.'));

    store.putLiquidation({ ...liquidation('f', 'submitted'), status: 'settled' });
    store.journalLiquidations([{ ...liquidation('e', 'planned'), txHash: '0xe' }]);
    expect(inode(keeperFile), 'the lowdb file is not rewritten').to.equal(written);
    expect(onDisk().e!.txHash).to.equal(undefined);
    expect(journals()).to.have.length(1);
    const killed = await RelayerStore.open(dir);
    expect(
      killed.liquidations().map((l) => [l.id, l.status, l.txHash]),
      'the hash is on disk',
    ).to.have.deep.members([
      ['e', 'planned', '0xe'],
      ['f', 'submitted', undefined],
    ]);

    await store.flush();
    expect(onDisk().e!.txHash, 'folded into the lowdb file').to.equal('0xe');
    expect(Object.keys(onDisk())).to.deep.equal(['e']);
    expect(lines('liquidations-finished.jsonl').map((l) => l.id)).to.deep.equal(['f']);
    expect(journals(), 'the journal before that write is gone').to.deep.equal([]);

    // A kill after a write, before the older journal was deleted: its lines are older than the
    // write's snapshot and must not take the hash back.
    writeFileSync(join(dir, 'liquidations-journal.0.jsonl'), `${JSON.stringify(liquidation('e', 'planned'))}\n`);
    const reopened = await RelayerStore.open(dir);
    expect(reopened.unfinishedLiquidations().map((l) => [l.id, l.txHash])).to.deep.equal([['e', '0xe']]);
    expect(journals(), 'the stale file is deleted at open').to.deep.equal([]);
  });

  it('ignores an archive line cut short by a kill, and refuses a damaged one in the middle', async function () {
    const store = await RelayerStore.open(dir);
    store.putLiquidation(liquidation('d', 'settled'));
    await store.flush();
    appendFileSync(join(dir, 'liquidations-finished.jsonl'), '{"id":"e","stat');
    const reopened = await RelayerStore.open(dir);
    expect(reopened.liquidations().map((l) => l.id)).to.deep.equal(['d']);
    expect(
      lines('liquidations-finished.jsonl'),
      'the cut line is gone, so the next append starts a line',
    ).to.have.length(1);

    writeFileSync(
      join(dir, 'liquidations-finished.jsonl'),
      `{"id":"d"\n${JSON.stringify(liquidation('f', 'settled'))}\n`,
    );
    let error: unknown;
    await RelayerStore.open(dir).catch((err: unknown) => (error = err));
    expect(String(error)).to.match(/liquidations-finished\.jsonl: line 1 is not a JSON record/);
  });

  it('keeps the latest 1,000 alerts', async function () {
    const store = await RelayerStore.open(dir);
    for (let i = 0; i < 1_005; i++) store.addAlert({ at: i, kind: 'reorg', detail: String(i) });
    expect(store.alerts()).to.have.length(1_000);
    expect(store.alerts()[0]!.at).to.equal(5);
  });
});
