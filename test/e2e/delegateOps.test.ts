import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonRpcProvider, Wallet } from 'ethers';
import { marginHubAbi } from '@omnichain-collateral/sdk/abi';
import { toAccountId } from '@omnichain-collateral/sdk/accountId';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import type { PacketV1 } from '@omnichain-collateral/sdk/packet';
import { anvilKey } from '../../relayer/src/devnet/anvil.js';
import { mintAndDeposit, requestWithdrawal } from '../../relayer/src/devnet/actions.js';
import type { DeployedChain, DevnetManifest } from '../../relayer/src/devnet/deploySystem.js';
import type { Relayer } from '../../relayer/src/relayer.js';
import type { MessageStatus } from '../../relayer/src/store/store.js';
import { waitFor } from '../../relayer/src/wait.js';
import { DEPLOYER, startTestDevnet, type TestDevnet } from './devnetFixture.js';
import { execute, lastPacket, validateOnly } from './lzHelpers.js';

// DEPLOYER deploys, so it is every OApp's delegate.
const OPERATOR = anvilKey(4);
const TRADER = anvilKey(5);
const trader = new Wallet(TRADER).address;
const e18 = (n: bigint) => n * 10n ** 18n;

interface OpsRun {
  code: number | null;
  out: string;
}

/** `npm run ops -- <args>` as an operator runs it, answering `input` when it asks. */
function ops(args: string[], key: string, input = ''): Promise<OpsRun> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'relayer/src/ops/cli.ts', ...args],
      { env: { ...process.env, OPS_KEY: key }, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.stdin.end(input);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

interface Custody {
  hubLedger: string;
  creditsInFlight: string;
  payoutsInFlight: string;
  stranded: string;
  custodied: string;
  surplus: string;
  ok: boolean;
}

describe("the OApp delegate's clear, skip, nilify and burn (npm run ops), on a devnet where nobody delivers", function () {
  this.timeout(240_000);
  let devnet: TestDevnet;
  let manifest: DevnetManifest;
  let configPath: string;
  let relayer: Relayer;
  let api: string;
  let hub: DeployedChain;
  let spoke: DeployedChain;
  let hubContract: TypedContract<typeof marginHubAbi>;
  let assetId: number;

  before(async function () {
    // The relayer indexes, reconciles and serves the API; no devnet worker: each message waits where the test leaves
    // it.
    devnet = await startTestDevnet({
      chainIds: [31_301, 31_302, 31_303],
      name: 'delegate-ops',
      operatorKey: OPERATOR,
      devnetWorker: false,
    });
    ({ manifest, relayer, api } = devnet);
    configPath = join(devnet.dir, 'relayer.json');
    writeFileSync(configPath, JSON.stringify(devnet.config));
    [hub, spoke] = [manifest.chains[0]!, manifest.chains[1]!];
    hubContract = new TypedContract(
      marginHubAbi,
      manifest.hub,
      new JsonRpcProvider(hub.rpcUrl, undefined, { staticNetwork: true }),
    );
    assetId = manifest.assets.find((a) => a.eid === spoke.eid)!.assetId;
  });

  after(async function () {
    await devnet?.stop();
  });

  /** Deposits `amount` WETH on the spoke and returns its CREDIT, sent and not delivered. */
  async function deposit(amount: bigint): Promise<PacketV1> {
    await mintAndDeposit(spoke, TRADER, 'WETH', amount);
    const packet = await lastPacket(spoke, hub);
    await statusIs(packet, 'sent');
    return packet;
  }

  /**
   * Waits for the relayer to see `packet` at `status`, and for its store on disk (what `npm run ops` reads) to say so.
   */
  async function statusIs(packet: PacketV1, status: MessageStatus): Promise<void> {
    await waitFor(
      `message ${packet.nonce} ${status} in the relayer`,
      async () => relayer.store.message(packet.guid)?.status === status,
      30_000,
    );
    await relayer.store.flush();
  }

  /**
   * Waits until the reconciler's figures for the spoke's WETH are `want`; custody always equals ledger + in flight +
   * stranded.
   */
  async function custodyIs(want: Partial<Custody>): Promise<Custody> {
    let last: Custody | undefined;
    try {
      return await waitFor(
        'the custody figures',
        async () => {
          const body = (await (await fetch(`${api}/v1/custody`)).json()) as {
            checks: Array<Custody & { assetId: number }>;
          };
          last = body.checks.find((c) => c.assetId === assetId);
          return last && Object.entries(want).every(([k, v]) => String(last![k as keyof Custody]) === String(v))
            ? last
            : undefined;
        },
        30_000,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}: wanted ${JSON.stringify(want)}, last ${JSON.stringify(last)}`);
    }
  }

  const credited = () => hubContract.read('collateralOf', [toAccountId(trader, 0), assetId]);
  const run = (action: string, packet: PacketV1, key = DEPLOYER, input = '') =>
    ops([action, '--config', configPath, '--guid', packet.guid, ...(input ? [] : ['--yes'])], key, input);

  it('clear: asks first and says the ledger effect; a cleared CREDIT is stranded in custody, never credited', async function () {
    const a = await deposit(e18(1n));
    await validateOnly(hub, a);
    const refused = await run('clear', a, DEPLOYER, 'no\n');
    expect(refused.code).to.equal(1);
    expect(refused.out).to.include('EndpointV2.clear');
    expect(refused.out).to.match(
      /Ledger: The hub will never credit 1000000000000000000 base units of token 0x[0-9a-fA-F]{40} to account/,
    );
    expect(refused.out).to.include('Not confirmed: nothing sent.');

    const stranger = await run('clear', a, TRADER);
    expect(stranger.code).to.equal(1);
    expect(stranger.out).to.match(
      /only the delegate of 0x[0-9a-fA-F]{40} \(0x[0-9a-fA-F]{40}\) can clear its messages; OPS_KEY is 0x/,
    );

    const done = await run('clear', a, DEPLOYER, 'clear\n');
    expect(done.code, done.out).to.equal(0);
    await statusIs(a, 'cleared');
    expect(await credited()).to.equal(0n);
    await custodyIs({
      hubLedger: '0',
      creditsInFlight: '0',
      stranded: e18(1n).toString(),
      custodied: e18(1n).toString(),
      surplus: '0',
      ok: true,
    });
    const dropped = (await (await fetch(`${api}/v1/messages?status=dropped`)).json()) as {
      messages: Array<{ guid: string; status: string }>;
    };
    expect(dropped.messages.map((m) => [m.guid, m.status])).to.deep.equal([[a.guid, 'cleared']]);
  });

  it('skip: only the next unverified nonce; a skipped CREDIT is stranded, and a verified one cannot be skipped', async function () {
    const b = await deposit(e18(2n));
    const notVerified = await run('clear', b);
    expect(notVerified.code).to.equal(1);
    expect(notVerified.out).to.include('is not verified on hub: only a verified message can be cleared');
    const done = await run('skip', b);
    expect(done.code, done.out).to.equal(0);
    await statusIs(b, 'skipped');
    await custodyIs({
      hubLedger: '0',
      creditsInFlight: '0',
      stranded: e18(3n).toString(),
      custodied: e18(3n).toString(),
      surplus: '0',
      ok: true,
    });
  });

  it('nilify: the message goes back in flight until verified again, then executes and is credited', async function () {
    const c = await deposit(e18(3n));
    await validateOnly(hub, c);
    await statusIs(c, 'verified');
    const done = await run('nilify', c);
    expect(done.code, done.out).to.equal(0);
    expect(done.out).to.include('Nothing changes in the ledger');
    await statusIs(c, 'sent');
    await custodyIs({ creditsInFlight: e18(3n).toString(), stranded: e18(3n).toString(), surplus: '0', ok: true });
    await validateOnly(hub, c);
    await execute(hub, c, DEPLOYER);
    await statusIs(c, 'delivered');
    expect(await credited()).to.equal(e18(3n));
    await custodyIs({
      hubLedger: e18(3n).toString(),
      creditsInFlight: '0',
      stranded: e18(3n).toString(),
      custodied: e18(6n).toString(),
      surplus: '0',
      ok: true,
    });
  });

  it('burn: only a verified message a later execution has passed; a burnt CREDIT is stranded', async function () {
    const d = await deposit(e18(4n));
    const e = await deposit(e18(5n));
    await validateOnly(hub, d);
    await validateOnly(hub, e);
    const early = await run('burn', d);
    expect(early.code).to.equal(1);
    expect(early.out).to.include('burn takes a verified message whose nonce later executions have passed');
    await execute(hub, e, DEPLOYER); // nonce 5 runs before 4: the endpoint's lazy nonce passes 4
    await statusIs(e, 'delivered');
    const done = await run('burn', d);
    expect(done.code, done.out).to.equal(0);
    await statusIs(d, 'burnt');
    expect(await credited()).to.equal(e18(8n));
    await custodyIs({
      hubLedger: e18(8n).toString(),
      creditsInFlight: '0',
      stranded: e18(7n).toString(),
      custodied: e18(15n).toString(),
      surplus: '0',
      ok: true,
    });
  });

  it('a cleared RELEASE: the hub took the tokens off the account, the vault never pays them, custody shows them stranded', async function () {
    await requestWithdrawal(manifest, TRADER, assetId, e18(1n));
    const release = await lastPacket(hub, spoke);
    await statusIs(release, 'sent');
    await custodyIs({ hubLedger: e18(7n).toString(), payoutsInFlight: e18(1n).toString(), surplus: '0', ok: true });
    await validateOnly(spoke, release);
    const done = await run('clear', release);
    expect(done.code, done.out).to.equal(0);
    expect(done.out).to.match(
      /Ledger: The vault will never pay 1 WETH to 0x[0-9a-fA-F]{40}\. The hub took them off account/,
    );
    await statusIs(release, 'cleared');
    await custodyIs({
      hubLedger: e18(7n).toString(),
      payoutsInFlight: '0',
      stranded: e18(8n).toString(),
      custodied: e18(15n).toString(),
      surplus: '0',
      ok: true,
    });
    expect(relayer.store.alerts().filter((a) => a.kind === 'custody-breach')).to.deep.equal([]);
  });
});
