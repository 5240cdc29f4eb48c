import { expect } from 'chai';
import { waitFor } from '../../relayer/src/wait.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonRpcProvider, Wallet } from 'ethers';
import { anvilKey, startAnvil, type AnvilChain } from '../../relayer/src/devnet/anvil.js';
import {
  deploySystem,
  devnetRelayerConfig,
  DEVNET_BACKSTOP_CALLER_KEY,
  devnetSigner,
  devnetSpecs,
  hubContracts,
  type DevnetManifest,
} from '../../relayer/src/devnet/deploySystem.js';
import { createDevnetRelayer } from '../../relayer/src/devnet/relayer.js';
import { backstopVaultAbi, marginHubAbi, riskEngineAbi, testTokenAbi } from '@omnichain-collateral/sdk/abi';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { revertReason } from '@omnichain-collateral/sdk/contracts/revert';
import {
  borrowCash,
  depositBackstop,
  depositCash,
  hubChain,
  tokenOn,
  mintAndDeposit,
  mintUsdc,
  setFeed,
  venueTrade,
} from '../../relayer/src/devnet/actions.js';
import type { Relayer } from '../../relayer/src/relayer.js';
import { Interface } from 'ethers';
import { createLogger } from '../../relayer/src/log.js';
import { toAccountId } from '@omnichain-collateral/sdk/accountId';
import { liquidationAmounts } from '@omnichain-collateral/sdk/risk/liquidation';
import { formatWad } from '@omnichain-collateral/sdk/risk/marginModel';
import { RelayerClient } from '@omnichain-collateral/sdk';

const DEPLOYER = anvilKey(0);
const KEEPER = anvilKey(5);
const [A, B, C] = [anvilKey(1), anvilKey(2), anvilKey(3)];
const address = (key: string) => new Wallet(key).address;
const e18 = (n: bigint) => n * 10n ** 18n;
const usdc = (n: bigint) => n * 10n ** 6n;
const log = createLogger(process.env.TEST_LOG ?? 'silent');

describe('liquidation keeper on a three-chain devnet (real anvil, LayerZero contracts, lowdb)', function () {
  this.timeout(240_000);
  const chains: AnvilChain[] = [];
  let manifest: DevnetManifest;
  let dataDir: string;
  let relayer: Relayer | undefined;
  let api = '';

  const start = async (options: { keeper: boolean; worker: boolean; backstopCaller?: boolean }) => {
    const config = devnetRelayerConfig(manifest, {
      dataDir,
      apiPort: 0,
      relayerKey: DEPLOYER,
      ...(options.keeper ? { keeperKey: KEEPER } : {}),
      backstopCaller: options.backstopCaller ?? false,
    });
    relayer = await createDevnetRelayer({ ...config, devnetWorker: options.worker }, log);
    api = await relayer.start();
    return relayer;
  };
  const stop = async () => {
    await relayer?.stop();
    relayer = undefined;
  };
  const passes = async (n: number) => {
    for (let i = 0; i < n; i++) await relayer!.pass();
  };
  const recordsFor = (key: string) =>
    relayer!.store.liquidations().filter((l) => l.account === toAccountId(address(key), 0));

  before(async function () {
    for (const chainId of [31_201, 31_202, 31_203]) chains.push(await startAnvil({ chainId }));
    const specs = devnetSpecs(chains);
    manifest = await deploySystem(specs[0]!, specs.slice(1), DEPLOYER);
    dataDir = mkdtempSync(join(tmpdir(), 'keeper-test-'));
  });

  after(async function () {
    await stop();
    await Promise.all(chains.map((c) => c.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('liquidates only the unhealthy account, on the chain holding its collateral, exactly once across a restart; waits out a stale oracle; leaves a recovered account alone', async function () {
    const [, spoke1, spoke2] = manifest.chains;
    const hub = hubContracts(manifest, devnetSigner(hubChain(manifest).rpcUrl, DEPLOYER)).hub;
    // A and C borrow 16,000 against 10 WETH (liquidatable below ETH $2,091.50); B borrows 5,000.
    await start({ keeper: false, worker: true });
    await depositCash(manifest, DEPLOYER, usdc(500_000n)); // lenders' liquidity
    await mintAndDeposit(spoke1!, A, 'WETH', e18(10n));
    await mintAndDeposit(spoke2!, B, 'WETH', e18(10n));
    await mintAndDeposit(spoke2!, C, 'WETH', e18(10n));
    await waitFor(
      'the credits',
      async () =>
        relayer!.store.messages().every((m) => m.status === 'delivered') && relayer!.store.messages().length === 3,
    );
    await borrowCash(manifest, A, usdc(16_000n));
    await borrowCash(manifest, B, usdc(5_000n));
    await borrowCash(manifest, C, usdc(16_000n));
    await mintUsdc(manifest, KEEPER, usdc(100_000n));
    await stop();

    // ETH falls 33% and the feeds go stale before the keeper starts: nothing may be liquidated.
    await setFeed(manifest, DEPLOYER, 'ETH', 2000n * 10n ** 8n);
    await depositCash(manifest, C, usdc(5_000n), address(C)); // C repays part: healthy again at $2,000
    const hubRpc = new JsonRpcProvider(hubChain(manifest).rpcUrl);
    await hubRpc.send('evm_increaseTime', [7200]);
    await hubRpc.send('evm_mine', []);
    // Public-network mode: the keeper acts on the hub, nobody here delivers the SEIZE.
    await start({ keeper: true, worker: false });
    await passes(3);
    expect(relayer!.store.liquidations(), 'a stale price never triggers a liquidation').to.deep.equal([]);
    // A's WETH counts for nothing while ETH is stale (docs/risk-model.md section 2.1), and seizing
    // it needs its price (the engine refuses to size that seizure), so the keeper plans none.
    expect(await hub.read('health', [toAccountId(address(A), 0)])).to.equal(0n);
    const [held] = await relayer!.reader.accountRisks([toAccountId(address(A), 0)]);
    expect(held!.health, "the SDK's twin agrees").to.equal(0n);
    expect(held!.collateral[0]!.priceError).to.match(/^StalePrice\(/);

    for (const feed of ['ETH', 'ETH_VOL', 'USD'])
      await setFeed(
        manifest,
        DEPLOYER,
        feed,
        feed === 'ETH' ? 2000n * 10n ** 8n : feed === 'USD' ? 10n ** 8n : 8n * 10n ** 7n,
      );
    const submitted = await waitFor('A liquidated on the hub', async () =>
      recordsFor(A).find((l) => l.status === 'submitted'),
    );
    expect(submitted.kind).to.equal('collateral');
    expect(submitted.dstEid).to.equal(spoke1!.eid, 'seized on the chain that holds the collateral');
    const weth1 = new TypedContract(testTokenAbi, spoke1!.tokens.WETH!, devnetSigner(spoke1!.rpcUrl, DEPLOYER));
    expect(await weth1.read('balanceOf', [address(KEEPER)])).to.equal(0n, 'SEIZE not delivered yet');
    // Killed between the hub call and the seize delivery.
    await stop();

    await start({ keeper: true, worker: true });
    const settled = await waitFor('the liquidation settled', async () =>
      recordsFor(A).find((l) => l.status === 'settled'),
    );
    expect(settled.id).to.equal(submitted.id);
    expect(await weth1.read('balanceOf', [address(KEEPER)])).to.equal(BigInt(settled.seized!), 'paid once');
    // The hub sized it as the SDK's twin does: A's figures just before, its 16,000 of debt, 10 WETH
    // at $2,000 (15% maintenance haircut, a 5% bonus scaled by urgency), the keeper's 100,000 USDC offered.
    const before = (await hubRpc.getTransactionReceipt(settled.txHash!))!.blockNumber - 1;
    const figures = await hub.read('accountFigures', [toAccountId(address(A), 0)], { blockTag: before });
    const engine = new TypedContract(riskEngineAbi, await hub.read('riskEngine', []), hubRpc);
    const sized = liquidationAmounts({
      equity: figures.maintenanceEquity,
      requirement: figures.maintenanceRequirement,
      debt: e18(16_000n),
      held: e18(10n),
      maxRepay: e18(100_000n),
      step: 10n ** 12n,
      price: e18(2000n),
      decimals: 18,
      maintenanceHaircut: e18(15n) / 100n,
      maxBonus: e18(5n) / 100n,
      params: await engine.read('liquidationParams', []),
    });
    // Health about 0.81: below the full-bonus health, the whole 5% is paid.
    expect(sized.bonus).to.equal(e18(5n) / 100n);
    expect([sized.repay, sized.seized]).to.deep.equal([BigInt(settled.repaidUsd!), BigInt(settled.seized!)]);
    expect((await hub.read('health', [toAccountId(address(A), 0)])) >= 10n ** 18n, 'healthy again').to.equal(true);
    await passes(3);
    expect(recordsFor(A).filter((l) => l.status !== 'dropped')).to.have.length(1, 'liquidated once');
    expect(recordsFor(B), 'a healthy account is never touched').to.deep.equal([]);
    expect(recordsFor(C), 'an account that recovered before the keeper acted is left alone').to.deep.equal([]);
    const seize = relayer!.store.message(settled.guid!)!;
    expect([seize.status, seize.dstEid]).to.deep.equal(['delivered', spoke1!.eid]);
    expect(settled.seizedAt! - settled.priceSeenAt).to.be.greaterThan(0);
  });

  it('fixes an expired option at the first ETH round at or after its expiry, not a later, better one, then settles its holders so its id is free', async function () {
    const hubRpc = new JsonRpcProvider(hubChain(manifest).rpcUrl);
    const { engine, hub } = hubContracts(manifest, devnetSigner(hubChain(manifest).rpcUrl, DEPLOYER));
    const riskAssets = Number(await engine.read('riskAssetCount', []));
    const ids = Array.from({ length: riskAssets }, (_, i) => i);
    const feeds = await Promise.all(ids.map(async (i) => (await engine.read('riskAsset', [i])).feed));
    const eth = feeds.findIndex((f) => f.toLowerCase() === manifest.feeds.ETH!.toLowerCase());
    // The keeper is off while the feed answers twice after expiry.
    await stop();
    const expiry = BigInt((await hubRpc.getBlock('latest'))!.timestamp) + 600n;
    await engine.send('listMarket', [eth, 1, e18(2000n), expiry, e18(5n) / 100n]);
    const call = Number(await engine.read('marketCount', [])) - 1;
    // B buys one call from C (both hold WETH), on fresh feeds.
    for (const [feed, answer] of [
      ['ETH', 2000n * 10n ** 8n],
      ['ETH_VOL', 8n * 10n ** 7n],
      ['USD', 10n ** 8n],
    ] as const)
      await setFeed(manifest, DEPLOYER, feed, answer);
    await venueTrade(manifest, DEPLOYER, { key: B }, { key: C }, call, e18(1n), await engine.read('markPrice', [call]));
    expect(await hub.read('marketHolders', [call])).to.equal(2n, 'B and C');
    await hubRpc.send('evm_increaseTime', [700]);
    await hubRpc.send('evm_mine', []);
    await setFeed(manifest, DEPLOYER, 'ETH', 2100n * 10n ** 8n);
    await hubRpc.send('evm_increaseTime', [60]);
    await setFeed(manifest, DEPLOYER, 'ETH', 2500n * 10n ** 8n); // $400 more per call, a minute late

    await start({ keeper: true, worker: true });
    const fixed = await waitFor('the settlement price fixed', async () => {
      const { settlementPrice } = await engine.read('market', [call]);
      return settlementPrice === 0n ? undefined : settlementPrice;
    });
    expect(fixed).to.equal(e18(2100n));
    expect(await engine.read('settle', [call])).to.equal(e18(100n), 'a $2,000 call pays $100 at $2,100');
    await waitFor('both positions settled by the keeper', async () => (await hub.read('marketHolders', [call])) === 0n);
    expect(await hub.read('positionOf', [toAccountId(address(B), 0), call])).to.equal(0n);
    expect(await hub.read('positionOf', [toAccountId(address(C), 0), call])).to.equal(0n);
  });

  it("deploys the backstop vault with the network file's parameters and the hub's BACKSTOP_ROLE; a deposit is its margin on the hub", async function () {
    const signer = devnetSigner(hubChain(manifest).rpcUrl, DEPLOYER);
    const hub = hubContracts(manifest, signer).hub;
    const vault = new TypedContract(backstopVaultAbi, manifest.backstop!, signer);
    expect(await hub.read('hasRole', [await hub.read('BACKSTOP_ROLE', []), manifest.backstop!])).to.equal(true);
    expect((await vault.read('hub', [])).toLowerCase()).to.equal(manifest.hub.toLowerCase());
    expect(await vault.read('backstopHealth', [])).to.equal(e18(1n) / 4n);
    expect(await vault.read('patienceBlocks', [])).to.equal(30n);
    expect(await vault.read('rewardTokens', [])).to.equal(usdc(5n));
    const account = await vault.read('hubAccount', []);
    const before = (await hub.read('accountState', [account])).cash;
    await depositBackstop(manifest, DEPLOYER, usdc(1_000n));
    expect((await hub.read('accountState', [account])).cash - before).to.equal(e18(1_000n), 'held as its hub cash');
    expect((await vault.read('balanceOf', [address(DEPLOYER)])) > 0n, 'shares for the deposit').to.equal(true);
  });

  it('the backstop caller hands the vault an account at or below its backstop health, which it takes over whole', async function () {
    await stop();
    await start({ keeper: false, worker: true, backstopCaller: true });
    const signer = devnetSigner(hubChain(manifest).rpcUrl, DEPLOYER);
    const hub = hubContracts(manifest, signer).hub;
    await depositBackstop(manifest, DEPLOYER, usdc(1_000_000n));
    await setFeed(manifest, DEPLOYER, 'ETH', 3_000n * 10n ** 8n);
    const borrowerKey = anvilKey(6);
    const borrower = toAccountId(address(borrowerKey), 0);
    await mintAndDeposit(manifest.chains[1]!, borrowerKey, 'WETH', e18(1n));
    await waitFor('the WETH credit', async () => (await hub.read('accountState', [borrower])).assets !== 0n);
    await borrowCash(manifest, borrowerKey, usdc(1_900n));
    const client = new RelayerClient(api);
    const before = await client.waterfall();
    const caller = address(DEVNET_BACKSTOP_CALLER_KEY);
    const token = tokenOn(hubChain(manifest), 'USDC', signer);
    const paidBefore = await token.read('balanceOf', [caller]);

    // ETH at $2,270: 1 WETH is about 1,929 of maintenance collateral against 1,900 of debt, health
    // about 0.15, below the vault's 0.25. No keeper runs: only the backstop caller acts.
    await setFeed(manifest, DEPLOYER, 'ETH', 2_270n * 10n ** 8n);
    await waitFor('the backstop to take the borrower', async () => {
      const state = await hub.read('accountState', [borrower]);
      return state.assets === 0n && state.markets === 0n && state.cash === 0n;
    });
    const [taken] = await hub.queryEvent('AccountTakenOver', borrower, 0);
    const { equity } = hub.parseEvent('AccountTakenOver', taken!)!;
    expect(equity > 0n && equity < e18(100n), `equity ${equity}`).to.equal(true);
    await waitFor('the caller paid', async () => (await token.read('balanceOf', [caller])) > paidBefore);
    expect((await token.read('balanceOf', [caller])) - paidBefore).to.equal(usdc(5n), "the vault's reward");

    const after = await client.waterfall();
    expect(after.backstop!.collateral.map((c) => c.assetId)).to.include(1);
    expect(Number(after.backstop!.sharePriceUsd)).to.be.above(Number(before.backstop!.sharePriceUsd));
    const vault = new TypedContract(backstopVaultAbi, manifest.backstop!, signer);
    const onChainAssets = await vault.read('totalAssets', [], { blockTag: after.block });
    expect(after.backstop!.totalAssetsUsd).to.equal(formatWad(onChainAssets * 10n ** 12n));
    expect((await relayer!.metrics.backstopTakeovers.get()).values[0]!.value).to.equal(1);
    await setFeed(manifest, DEPLOYER, 'ETH', 3_000n * 10n ** 8n);
  });

  it('the backstop caller flags an account left liquidatable above the backstop health, and the vault takes it once its patience has passed', async function () {
    const hubRpc = new JsonRpcProvider(hubChain(manifest).rpcUrl);
    const signer = devnetSigner(hubChain(manifest).rpcUrl, DEPLOYER);
    const hub = hubContracts(manifest, signer).hub;
    const vault = new TypedContract(backstopVaultAbi, manifest.backstop!, signer);
    const borrowerKey = anvilKey(7);
    const borrower = toAccountId(address(borrowerKey), 0);
    await mintAndDeposit(manifest.chains[1]!, borrowerKey, 'WETH', e18(1n));
    await waitFor('the WETH credit', async () => (await hub.read('accountState', [borrower])).assets !== 0n);
    await borrowCash(manifest, borrowerKey, usdc(1_900n));

    // ETH at $2,420: health about 0.76, above the vault's 0.25. No keeper runs, so the account
    // stays liquidatable block after block.
    await setFeed(manifest, DEPLOYER, 'ETH', 2_420n * 10n ** 8n);
    const health = await hub.read('health', [borrower]);
    expect(health > e18(1n) / 4n && health < e18(1n), `health ${health}`).to.equal(true);
    const mine = (blocks: number) => hubRpc.send('anvil_mine', [`0x${blocks.toString(16)}`]);
    await waitFor('the caller to flag the borrower', async () => {
      await mine(1);
      return (await vault.read('flaggedAt', [borrower])) !== 0n;
    });
    const flaggedAt = await vault.read('flaggedAt', [borrower]);
    const patience = await vault.read('patienceBlocks', []);
    expect((await hub.read('accountState', [borrower])).assets, 'not taken before its patience').to.not.equal(0n);

    await mine(Number(patience));
    await waitFor('the backstop to take the borrower', async () => {
      await mine(1);
      const now = await hub.read('accountState', [borrower]);
      return now.assets === 0n && now.cash === 0n;
    });
    const [taken] = await vault.queryEvent('Backstopped', borrower, 0);
    expect(taken!.blockNumber, 'taken once its patience had passed').to.be.at.least(Number(flaggedAt + patience));
    expect(await vault.read('flaggedAt', [borrower]), 'the flag cleared by the takeover').to.equal(0n);
    await setFeed(manifest, DEPLOYER, 'ETH', 3_000n * 10n ** 8n);
  });
});
