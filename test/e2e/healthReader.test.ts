import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Interface, JsonRpcProvider, Wallet } from 'ethers';
import { healthReaderAbi } from '@omnichain-collateral/sdk/abi';
import { toAccountId } from '@omnichain-collateral/sdk/accountId';
import { readHealthReading, requestHealth, type HealthReading } from '@omnichain-collateral/sdk/contracts/healthReader';
import { decodeRevert } from '@omnichain-collateral/sdk/contracts/revert';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { anvilKey } from '../../relayer/src/devnet/anvil.js';
import { hubChain, mintAndDeposit, setFeed, venueTrade } from '../../relayer/src/devnet/actions.js';
import { devnetSigner, hubContracts, type DeployedChain } from '../../relayer/src/devnet/deploySystem.js';
import { waitFor } from '../../relayer/src/wait.js';
import { createDevnetRelayer } from '../../relayer/src/devnet/relayer.js';
import { createLogger } from '../../relayer/src/log.js';
import { startTestDevnet, type TestDevnet } from './devnetFixture.js';

const OPERATOR = anvilKey(4);
const ALICE = anvilKey(5);
const BOB = anvilKey(6);
const alice = new Wallet(ALICE).address;
const bob = new Wallet(BOB).address;
const e18 = (n: bigint) => n * 10n ** 18n;

describe('unified health on-chain: a spoke reads the hub with lzRead (ReadLib1002, the devnet read DVN and executor)', function () {
  this.timeout(180_000);
  let devnet: TestDevnet;
  let spoke: DeployedChain;
  let reader: string;
  const account = toAccountId(alice, 0);

  const hub = () => hubContracts(devnet.manifest, new JsonRpcProvider(hubChain(devnet.manifest).rpcUrl) as never).hub;

  /** The FiguresRead events on spoke-2's reader for the request `guid`. */
  async function answersTo(guid: string) {
    const provider = new JsonRpcProvider(spoke.rpcUrl);
    const topic = new Interface(healthReaderAbi).getEvent('FiguresRead')!.topicHash;
    return provider.getLogs({ address: reader, fromBlock: 0, topics: [topic, null, guid] });
  }

  /**
   * Requests a read from spoke-2 and waits for its answer: the reading it stored, and the request's spoke block time.
   */
  async function readFromSpoke(): Promise<{ reading: HealthReading; requestedAt: number }> {
    const signer = devnetSigner(spoke.rpcUrl, ALICE);
    const request = await requestHealth(signer, reader, alice);
    expect(request.fee > 0n, 'a paid request').to.equal(true);
    const provider = new JsonRpcProvider(spoke.rpcUrl);
    const receipt = await provider.getTransactionReceipt(request.txHash);
    const requestedAt = (await provider.getBlock(receipt!.blockNumber))!.timestamp;
    await waitFor('the lzRead answer on spoke-2', async () => (await answersTo(request.guid)).length > 0);
    return { reading: await readHealthReading(provider, reader, alice), requestedAt };
  }

  async function expectHubFiguresAt(reading: HealthReading): Promise<void> {
    const blockTag = Number(reading.hubBlock);
    const figures = await hub().read('accountFigures', [account], { blockTag });
    expect(reading.initialEquity).to.equal(figures.initialEquity);
    expect(reading.maintenanceEquity).to.equal(figures.maintenanceEquity);
    expect(reading.initialRequirement).to.equal(figures.initialRequirement);
    expect(reading.maintenanceRequirement).to.equal(figures.maintenanceRequirement);
    expect(reading.health).to.equal(await hub().read('health', [account], { blockTag }));
    const block = await new JsonRpcProvider(hubChain(devnet.manifest).rpcUrl).getBlock(blockTag);
    expect(reading.hubTimestamp).to.equal(BigInt(block!.timestamp));
  }

  before(async function () {
    devnet = await startTestDevnet({ chainIds: [31_521, 31_522, 31_523], name: 'lzread', operatorKey: OPERATOR });
    spoke = devnet.manifest.chains[2]!;
    reader = spoke.read!.healthReader;
    // Alice: 5 WETH on spoke-1, long 10 ETH-PERP at 3,000 against bob's 100,000 USDC on the hub.
    await mintAndDeposit(devnet.manifest.chains[1]!, ALICE, 'WETH', e18(5n));
    await mintAndDeposit(hubChain(devnet.manifest), BOB, 'USDC', 100_000n * 10n ** 6n);
    await waitFor(
      'alice credited on the hub',
      async () => (await hub().read('collateralOf', [account, 1])) === e18(5n),
    );
    await venueTrade(devnet.manifest, OPERATOR, { key: ALICE }, { key: BOB }, 0, e18(10n), e18(3_000n));
  });

  after(async function () {
    await devnet?.stop();
  });

  it('deploys a HealthReader on every spoke, none on the hub chain', function () {
    const withReader = devnet.manifest.chains.filter((c) => c.read).map((c) => c.name);
    expect(withReader).to.deep.equal(['spoke-1', 'spoke-2']);
  });

  it('a reading on spoke-2 equals MarginHub.accountFigures at the hub block it names, as of the request', async function () {
    const { reading, requestedAt } = await readFromSpoke();
    await expectHubFiguresAt(reading);
    // As of the request's time: the hub block read is the last one stamped at or before it.
    expect(Number(reading.hubTimestamp)).to.be.at.most(requestedAt);
    expect(reading.health > e18(1n), 'healthy').to.equal(true);
  });

  it("occ onchain-health asks from spoke-1, waits for the answer and prints the hub's figures; refuses a chain without a reader", async function () {
    const manifestPath = join(devnet.dir, 'devnet.json');
    writeFileSync(manifestPath, JSON.stringify({ ...devnet.manifest, apiUrl: devnet.api }));
    const occ = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--conditions=source', '--import', 'tsx', 'sdk/src/cli/main.ts', ...args],
          { env: { ...process.env, OCC_MANIFEST: manifestPath, OCC_KEY: ALICE } },
          (err, stdout, stderr) =>
            resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });

    const none = await occ(['onchain-health', alice, '--chain', 'spoke-1']);
    expect(none.code, none.stderr).to.equal(0);
    expect(none.stdout).to.match(/no reading yet: ask the hub with --request/);

    const asked = await occ(['--json', 'onchain-health', alice, '--chain', 'spoke-1', '--request']);
    expect(asked.code, asked.stderr).to.equal(0);
    expect(asked.stderr).to.match(/lzRead fee \d+ wei/);
    expect(asked.stderr).to.match(/answered from hub block \d+/);
    const body = JSON.parse(asked.stdout) as { reading: Record<keyof HealthReading, string> };
    const blockTag = Number(body.reading.hubBlock);
    expect(BigInt(body.reading.health)).to.equal(await hub().read('health', [account], { blockTag }));

    const text = await occ(['onchain-health', alice, '--chain', 'spoke-1']);
    expect(text.stdout).to.match(new RegExp(`from hub block ${blockTag} at `));
    expect(text.stdout).to.match(/health \d+\.\d{4}/);

    const refused = await occ(['onchain-health', alice, '--chain', 'hub']);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.equal('occ: hub has no HealthReader; these chains do: spoke-1, spoke-2\n');
  });

  it('a read sent while the relayer is down is answered once after it restarts', async function () {
    await devnet.relayer.stop();
    const request = await requestHealth(devnetSigner(spoke.rpcUrl, ALICE), reader, alice);
    await new Promise((r) => setTimeout(r, 500));
    expect(await answersTo(request.guid), 'nothing answers while the relayer is down').to.have.length(0);
    devnet.relayer = await createDevnetRelayer(devnet.config, createLogger(process.env.TEST_LOG ?? 'silent'));
    await devnet.relayer.start();
    await waitFor('the answer after the restart', async () => (await answersTo(request.guid)).length > 0);
    const reading = await readHealthReading(new JsonRpcProvider(spoke.rpcUrl), reader, alice);
    await expectHubFiguresAt(reading);
    await devnet.relayer.pass();
    const answers = await answersTo(request.guid);
    expect(answers).to.have.length(1);
  });

  it('after ETH falls, a new reading follows the hub to the wei, and an integrator refuses it once stale', async function () {
    const before = await readHealthReading(new JsonRpcProvider(spoke.rpcUrl), reader, alice);
    await setFeed(devnet.manifest, OPERATOR, 'ETH', 2_600n * 10n ** 8n);
    // A read as of the spoke's time sees the hub blocks stamped at or before it: the request is
    // sent once spoke-2's own clock has reached the move's hub block. The wall clock is not
    // enough: a chain's block time can lag it, and the request's block is stamped by the spoke.
    const moved = (await new JsonRpcProvider(hubChain(devnet.manifest).rpcUrl).getBlock('latest'))!;
    const spokeProvider = new JsonRpcProvider(spoke.rpcUrl);
    await waitFor("spoke-2's clock to reach the move's hub block", async () => {
      if ((await spokeProvider.getBlock('latest'))!.timestamp >= moved.timestamp) return true;
      await spokeProvider.send('evm_mine', []);
      return false;
    });
    const { reading } = await readFromSpoke();
    expect(Number(reading.hubBlock), 'read at or after the price move').to.be.at.least(moved.number);
    expect(reading.hubBlock > before.hubBlock).to.equal(true);
    await expectHubFiguresAt(reading);
    expect(reading.health < before.health, 'less healthy after the fall').to.equal(true);

    const contract = new TypedContract(healthReaderAbi, reader, new JsonRpcProvider(spoke.rpcUrl));
    const [health, at] = await contract.read('healthOf', [account, 3_600n]);
    expect(health).to.equal(reading.health);
    expect(at).to.equal(reading.hubTimestamp);
    // Two hours later on spoke-2, a one-hour limit refuses the reading by name.
    const provider = new JsonRpcProvider(spoke.rpcUrl);
    await provider.send('evm_increaseTime', [7_200]);
    await provider.send('evm_mine', []);
    const refused = await contract.read('healthOf', [account, 3_600n]).then(
      () => undefined,
      (err: unknown) => decodeRevert(err, [new Interface(healthReaderAbi)]),
    );
    expect(refused?.name).to.equal('StaleReading');
  });
});
