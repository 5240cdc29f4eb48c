import { expect } from 'chai';
import { DEFAULT_CRASH, runCrashDemo, type CrashDemoResult } from '../../relayer/src/devnet/crashDemo.js';

/** Each SEIZE paid once: what the keeper holds on each spoke is what was seized there. */
function expectPaidOnce(r: CrashDemoResult): void {
  for (const paid of r.paidToKeeper) {
    const seized = r.seizedByChain.find((s) => s.chain === paid.chain)?.amount ?? '0';
    expect(paid.amount, `keeper's WETH on ${paid.chain}`).to.equal(seized);
  }
}

describe('npm run demo: a 500-account crash with 1 s blocks', function () {
  this.timeout(600_000);

  it('liquidates the accounts a 40% ETH crash makes unhealthy, on the chains holding their collateral: no bad debt, nothing liquidated twice, the API equal to the hub', async function () {
    const r = await runCrashDemo({ ...DEFAULT_CRASH, accounts: 500 });
    expect(r.accounts).to.equal(500);
    expect(r.coldStart!.accounts, 'a fresh relayer reads the whole book').to.be.at.least(500);
    expect(r.keeper.screened).to.be.at.least(500);
    expect(r.liquidations, 'the crash must make some accounts liquidatable').to.be.greaterThan(0);
    expect(r.seizedByChain.map((s) => s.chain).sort()).to.deep.equal(['hub', 'spoke-1', 'spoke-2']);
    expect(r.byStatus.failed ?? 0).to.equal(0);
    expect(r.unfinishedRecords).to.equal(0);
    expect(r.unhealthyAtEnd, JSON.stringify(r.unhealthyAccounts)).to.equal(0);
    expect(r.badDebtUsd).to.equal('0');
    expect(r.doubleLiquidations).to.equal(0);
    expectPaidOnce(r);
    expect(r.backstop.health).to.equal('0.25', "the devnet vault's backstop health");
    const low = Number(r.backstop.lowestHealthAtPlan);
    expect(low >= 0 && low < 1, `the keeper plans only unhealthy accounts (lowest ${low})`).to.equal(true);
    expect(r.parity.checked).to.be.greaterThan(0);
    expect(r.parity.mismatches).to.equal(0);
    expect(r.latencyBlocks.max).to.be.greaterThan(0);
    expect(r.hubLoad.blocks, 'the hub blocks from the first price move to the last liquidation').to.be.at.least(
      r.latencyBlocks.max,
    );
    const [most, all] = [BigInt(r.hubLoad.maxBlockGas), BigInt(r.hubLoad.gasUsed)];
    expect(most > 0n && most <= all, `at most ${most} gas in a block of ${all} in all`).to.equal(true);
    const cpu = new Map(r.cpu.processes.map((p) => [p.name, p.seconds]));
    expect([...cpu.keys()]).to.deep.equal(['hub node', 'spoke node 1', 'spoke node 2', 'relayer', 'demo']);
    expect(cpu.get('hub node'), 'the hub node executed the liquidations').to.be.greaterThan(0);
    expect(cpu.get('relayer'), 'the relayer screened and sent them').to.be.greaterThan(0);
    const sum = [...cpu.values()].reduce((a, b) => a + b, 0);
    expect(sum, 'these processes used no more than the machine did').to.be.at.most(r.cpu.machineBusySeconds! + 1);
    expect(r.cpu.machineBusySeconds!).to.be.at.most(r.cpu.wallSeconds * r.cpu.cores + 1);
  });
});

describe('faults during a crash, on real anvil chains', function () {
  this.timeout(900_000);

  it('a spoke whose RPC stops answering for 30 s: liquidations on the other chains go on, its SEIZEs land after, each once', async function () {
    const r = await runCrashDemo({
      ...DEFAULT_CRASH,
      accounts: 200,
      coldStart: false,
      faults: { stallSpoke: { spoke: 1, atStep: 3, seconds: 30 } },
    });
    const window = r.stallWindow!;
    expect(window.until - window.from).to.be.at.least(30_000);
    const during = r.records.filter(
      (l) => l.status === 'settled' && l.settledAt! > window.from && l.settledAt! < window.until,
    );
    expect(
      during.filter((l) => l.chain === 'spoke-2' || l.chain === 'hub').length,
      'settled on the other chains while spoke-1 was silent',
    ).to.be.greaterThan(0);
    expect(
      during.filter((l) => l.chain === 'spoke-1'),
      'nothing arrives on the silent chain',
    ).to.deep.equal([]);
    const caughtUp = r.records.filter((l) => l.chain === 'spoke-1' && l.settledAt! >= window.until);
    expect(caughtUp.length, 'spoke-1 SEIZEs delivered once it answered again').to.be.greaterThan(0);
    expect(r.unfinishedRecords).to.equal(0);
    expect(r.doubleLiquidations).to.equal(0);
    expectPaidOnce(r);
    expect(r.badDebtUsd).to.equal('0');
  });

  it('the relayer killed (SIGKILL) during a 1,000-account crash and started again: nothing liquidated twice, no record lost', async function () {
    const r = await runCrashDemo({
      ...DEFAULT_CRASH,
      accounts: 1000,
      coldStart: false,
      faults: { killRelayerAtStep: 4 },
    });
    expect(r.liquidations).to.be.greaterThan(0);
    // Every liquidation on the hub is one record: none sent twice, none the restarted keeper lost track of.
    expect(r.doubleLiquidations).to.equal(0);
    expect(r.unfinishedRecords).to.equal(0);
    expect(r.byStatus.failed ?? 0).to.equal(0);
    expectPaidOnce(r);
    expect(r.unhealthyAtEnd, JSON.stringify(r.unhealthyAccounts)).to.equal(0);
  });
});
