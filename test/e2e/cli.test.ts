import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonRpcProvider, Wallet } from 'ethers';
import { collateralVaultAbi, testTokenAbi } from '@omnichain-collateral/sdk/abi';
import { toAccountId } from '@omnichain-collateral/sdk/accountId';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { formatHealth, formatWad } from '@omnichain-collateral/sdk/risk/marginModel';
import { anvilKey } from '../../relayer/src/devnet/anvil.js';
import { hubChain, mintAndDeposit } from '../../relayer/src/devnet/actions.js';
import { deployBuilt } from '../../relayer/src/devnet/layerzero.js';
import { waitFor } from '../../relayer/src/wait.js';
import { loadArtifact } from '../../deploy/artifacts.js';
import { devnetSigner, hubContracts, type DevnetManifest } from '../../relayer/src/devnet/deploySystem.js';
import { DEPLOYER, startTestDevnet, type TestDevnet } from './devnetFixture.js';

const USER = anvilKey(8);
const user = new Wallet(USER).address;
const e18 = (n: bigint) => n * 10n ** 18n;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('occ, the command line (against a devnet relayer)', function () {
  this.timeout(180_000);
  let devnet: TestDevnet;
  let manifest: DevnetManifest;
  let manifestPath: string;

  /** `occ <args>` as a user runs it, with the key in OCC_KEY (or none). */
  function occ(args: string[], key: string | null = USER): Promise<Run> {
    const env: NodeJS.ProcessEnv = { ...process.env, OCC_MANIFEST: manifestPath };
    if (key) env.OCC_KEY = key;
    else delete env.OCC_KEY;
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', 'sdk/src/cli/main.ts', ...args],
        { env },
        (err, stdout, stderr) =>
          resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  before(async function () {
    devnet = await startTestDevnet({ chainIds: [31_401, 31_402, 31_403], name: 'occ', operatorKey: anvilKey(4) });
    manifest = devnet.manifest;
    manifestPath = join(devnet.dir, 'devnet.json');
    writeFileSync(manifestPath, JSON.stringify({ ...manifest, apiUrl: devnet.api }));
    const spoke = manifest.chains[1]!;
    await new TypedContract(testTokenAbi, spoke.tokens.WETH!, devnetSigner(spoke.rpcUrl, DEPLOYER)).send('mint', [
      user,
      e18(3n),
    ]);
  });

  after(async function () {
    await devnet?.stop();
  });

  const hub = () => hubContracts(manifest, devnetSigner(hubChain(manifest).rpcUrl, USER)).hub;

  it('deposits with its fee shown, follows the CREDIT until the hub has it, and shows the account', async function () {
    const r = await occ(['deposit', '--chain', 'spoke-1', '--token', 'WETH', '--amount', '2']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.match(
      /depositing 2 WETH on spoke-1 for 0x[0-9a-fA-F]{40} sub-account 0; LayerZero fee \d+ wei/,
    );
    expect(r.stderr).to.match(/CREDIT 0x[0-9a-f]{64} to the hub:\n(.*\n)*\s+[\d.]+ s\s+delivered/);
    expect(await hub().read('collateralOf', [toAccountId(user, 0), 1])).to.equal(e18(2n));

    const text = await occ(['account', user]);
    expect(text.stdout).to.match(/health no requirement/);
    expect(text.stdout).to.match(/spoke-1\s+1\s+2\s+\$3,000\.00\s+\$6,000\.00\s+\$5,100\.00/);
    const json = await occ(['--json', 'account', user]);
    const body = JSON.parse(json.stdout) as { accounts: Array<{ health: string }> };
    expect(body.accounts[0]!.health).to.equal(formatHealth(await hub().read('health', [toAccountId(user, 0)])));
  });

  it('previews, withdraws (following the RELEASE to the payout) and transfers between sub-accounts', async function () {
    const preview = await occ(['preview', user, '--withdraw', '1:0.5', '--price', '1:2500']);
    expect(preview.code, preview.stderr).to.equal(0);
    expect(preview.stdout).to.match(/after: health no requirement/);
    expect(preview.stdout).to.match(/spoke-1\s+1\s+1\.5\s+\$2,500\.00/);

    const spoke = manifest.chains[1]!;
    const weth = new TypedContract(testTokenAbi, spoke.tokens.WETH!, new JsonRpcProvider(spoke.rpcUrl));
    const r = await occ(['withdraw', '--asset', '1', '--amount', '0.5']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/RELEASE 0x[0-9a-f]{64} to spoke-1:\n(.*\n)*\s+[\d.]+ s\s+delivered/);
    expect(await weth.read('balanceOf', [user])).to.equal(e18(3n) / 2n);

    const t = await occ(['transfer', '--asset', '1', '--amount', '0.5', '--from-sub', '0', '--to-sub', '1']);
    expect(t.code, t.stderr).to.equal(0);
    expect(await hub().read('collateralOf', [toAccountId(user, 1), 1])).to.equal(e18(1n) / 2n);

    const venue = Wallet.createRandom().address;
    const v = await occ(['venue', venue]);
    expect(v.code, v.stderr).to.equal(0);
    expect(v.stderr).to.match(new RegExp(`authorised venue ${venue} for every account of ${user}`));
    expect(await hub().read('isVenueAuthorized', [user, venue])).to.equal(true);
    expect((await occ(['venue', venue, '--revoke'])).code).to.equal(0);
    expect(await hub().read('isVenueAuthorized', [user, venue])).to.equal(false);
  });

  it('refunds a deposit of a token the hub has not listed, following the RELEASE to the payout', async function () {
    const spoke = manifest.chains[1]!;
    const deployer = devnetSigner(spoke.rpcUrl, DEPLOYER);
    const stray = await deployBuilt(deployer, testTokenAbi, loadArtifact('TestToken.sol'), 'Stray', 'STRAY', 18);
    const vault = new TypedContract(collateralVaultAbi, spoke.vault, deployer);
    await vault.send('configureToken', [stray.address, true, 10n ** 30n]);
    const creditId = await vault.read('nextCreditId', []);
    await mintAndDeposit({ ...spoke, tokens: { STRAY: stray.address } }, USER, 'STRAY', e18(2n));
    await waitFor('the hub to refuse the CREDIT', async () => {
      return (await hub().read('refusedCredit', [spoke.eid, creditId])).amount === e18(2n);
    });
    expect(await stray.read('balanceOf', [user])).to.equal(0n);

    const r = await occ(['refund', '--chain', 'spoke-1', '--credit', creditId.toString()]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/RELEASE 0x[0-9a-f]{64} to spoke-1:\n(.*\n)*\s+[\d.]+ s\s+delivered/);
    expect(await stray.read('balanceOf', [user])).to.equal(e18(2n));
    const again = await occ(['refund', '--chain', 'spoke-1', '--credit', creditId.toString()]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(new RegExp(`no refused deposit ${creditId} from spoke-1 waits for a refund`));
  });

  it('refuses in words, and sends nothing when the input is wrong', async function () {
    const provider = new JsonRpcProvider(manifest.chains[0]!.rpcUrl);
    const nonce = await provider.getTransactionCount(user);
    const cases: Array<[string[], string | null, RegExp]> = [
      [
        ['withdraw', '--asset', '1', '--amount', '50'],
        USER,
        /the hub refused: the account holds 1000000000000000000 base units of this asset, fewer than the 50000000000000000000 asked for/,
      ],
      [['withdraw', '--asset', '1', '--amount', 'lots'], USER, /amount "lots" is not a positive decimal number/],
      [['withdraw', '--asset', '1', '--amount', '0.0000000000000000001'], USER, /has 19 decimals; this token has 18/],
      [['withdraw', '--asset', '1', '--amount', '0.1', '--to', '0x1234'], USER, /recipient "0x1234" is not an address/],
      [
        ['withdraw', '--asset', '9', '--amount', '1'],
        USER,
        /no asset 9; the manifest lists 0 \(USDC\), 1 \(WETH\), 2 \(WETH\)/,
      ],
      [['withdraw', '--asset', '1', '--amount', '1'], null, /set OCC_KEY to the 0x-prefixed private key/],
      [
        ['deposit', '--chain', 'spoke-7', '--token', 'WETH', '--amount', '1'],
        USER,
        /no chain named "spoke-7"; the manifest has hub, spoke-1, spoke-2/,
      ],
      [['account', '0xnot'], USER, /owner "0xnot" is not an address/],
      [['venue', '0xnot'], USER, /venue "0xnot" is not an address/],
      [['preview', user, '--deposit', '99:1'], USER, /no asset 99/],
      [['messages', '--status', 'lost'], USER, /Allowed choices are inflight, stuck, failed, delivered, dropped, all/],
    ];
    for (const [args, key, message] of cases) {
      const r = await occ(args, key);
      expect(r.code, args.join(' ')).to.equal(1);
      expect(r.stderr, args.join(' ')).to.match(message);
      expect(r.stderr, args.join(' ')).to.not.match(/\n\s+at /);
    }
    expect(await provider.getTransactionCount(user), 'nothing sent').to.equal(nonce);
  });

  it('lists chains, messages and liquidations, and has --help on every command', async function () {
    const c = await occ(['chains']);
    expect(c.stdout).to.match(
      /^chain\s+chain id\s+eid\s+head\s+indexed\s+lag\s+rpc\s+health reader\nhub\s+31401\s+40101.*\s-\n/,
    );
    expect(c.stdout).to.include(`spoke-1`);
    expect(c.stdout).to.include(manifest.chains[1]!.read!.healthReader);
    const m = await occ(['messages', '--status', 'all']);
    expect(m.stdout).to.match(/CREDIT\s+40102\s+40101\s+2000000000000000000/);
    expect(m.stdout).to.match(/RELEASE\s+40101\s+40102\s+500000000000000000/);
    expect((await occ(['liquidations'])).stdout).to.equal('no liquidations\n');
    // The waterfall, as the hub has it at the block the API names.
    const w = JSON.parse((await occ(['--json', 'waterfall'])).stdout) as Record<string, string | number>;
    const at = { blockTag: Number(w.block) };
    expect(w.insuranceFundUsd).to.equal(formatWad(await hub().read('insuranceFund', [], at)));
    expect(w.cashIndex).to.equal(formatWad(await hub().read('cashIndex', [], at)));
    expect(w.unownedLossUsd).to.equal('0');
    expect((w.backstop as unknown as { address: string }).address).to.equal(manifest.backstop);
    expect((await occ(['waterfall'])).stdout).to.match(/insurance fund\s+\$[\d.]+\n\s+socialised loss\s+\$0 \(charged/);
    for (const command of [
      'deposit',
      'withdraw',
      'transfer',
      'account',
      'onchain-health',
      'preview',
      'liquidations',
      'messages',
      'chains',
      'waterfall',
    ]) {
      const help = await occ([command, '--help']);
      expect(help.code, command).to.equal(0);
      expect(help.stdout, command).to.match(new RegExp(`^Usage: occ ${command}`));
    }
  });
});
