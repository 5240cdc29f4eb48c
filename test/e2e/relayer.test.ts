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
  devnetSigner,
  devnetSpecs,
  hubContracts,
  type DevnetManifest,
} from '../../relayer/src/devnet/deploySystem.js';
import { createDevnetRelayer } from '../../relayer/src/devnet/relayer.js';
import { collateralVaultAbi, testTokenAbi } from '@omnichain-collateral/sdk/abi';
import { lastPacket, validateOnly } from './lzHelpers.js';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { hubChain, mintAndDeposit, requestWithdrawal, setFeed, venueTrade } from '../../relayer/src/devnet/actions.js';
import { venueSettle } from '../../relayer/src/devnet/actions.js';
import { Relayer } from '../../relayer/src/relayer.js';
import { ParityMonitor } from '../../relayer/src/services/parityMonitor.js';
import { createLogger } from '../../relayer/src/log.js';
import { toAccountId } from '@omnichain-collateral/sdk/accountId';
import { formatHealth, formatWad } from '@omnichain-collateral/sdk/risk/marginModel';
import { concentrationAddOn } from '@omnichain-collateral/sdk/risk/concentration';
import { RelayerApiError, RelayerClient } from '@omnichain-collateral/sdk';
import { getJson, postJson } from './http.js';
import { apiEqualsHub, onChainRisk } from './hubReads.js';

const DEPLOYER = anvilKey(0);
/** The venue and the feeds' owner: not the relayer's key, so test transactions never take the relayer's nonces. */
const OPERATOR = anvilKey(4);
const TRADER = anvilKey(1);
const MAKER = anvilKey(2);
const trader = new Wallet(TRADER).address;
const maker = new Wallet(MAKER).address;
const e18 = (n: bigint) => n * 10n ** 18n;
const log = createLogger(process.env.TEST_LOG ?? 'silent');

describe('relayer on a three-chain devnet (real anvil, real LayerZero contracts, real HTTP and lowdb)', function () {
  this.timeout(180_000);
  const chains: AnvilChain[] = [];
  let manifest: DevnetManifest;
  let dataDir: string;
  let relayer: Relayer;
  let api: string;

  async function startRelayer(): Promise<void> {
    relayer = await createDevnetRelayer(
      devnetRelayerConfig(manifest, { dataDir, apiPort: 0, relayerKey: DEPLOYER }),
      log,
    );
    api = await relayer.start();
  }

  before(async function () {
    for (const chainId of [31_101, 31_102, 31_103]) chains.push(await startAnvil({ chainId }));
    const specs = devnetSpecs(chains);
    manifest = await deploySystem(specs[0]!, specs.slice(1), DEPLOYER, OPERATOR);
    dataDir = mkdtempSync(join(tmpdir(), 'relayer-test-'));
    await startRelayer();
  });

  after(async function () {
    await relayer?.stop();
    await Promise.all(chains.map((c) => c.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a deposit on each spoke shows up in the hub ledger and the API, whose health equals the hub’s to the wei', async function () {
    const [, spokeA, spokeB] = manifest.chains;
    await mintAndDeposit(spokeA!, TRADER, 'WETH', e18(3n));
    await mintAndDeposit(spokeB!, TRADER, 'WETH', e18(2n));
    await mintAndDeposit(hubChain(manifest), MAKER, 'USDC', 1_000_000n * 10n ** 6n);
    const hub = hubContracts(manifest, devnetSigner(hubChain(manifest).rpcUrl, TRADER)).hub;
    const account = toAccountId(trader, 0);
    await waitFor('both credits', async () => (await hub.read('accountState', [account])).assets === 6n);
    // A perp so that health is a ratio, not "nothing required".
    await venueTrade(manifest, OPERATOR, { key: TRADER }, { key: MAKER }, 0, e18(10n), e18(3000n));

    const { status, body } = await getJson(`${api}/v1/accounts/${trader}`);
    expect(status).to.equal(200);
    const cross = body.accounts[0];
    expect(cross.collateral.map((c: { chain: string; amount: string }) => [c.chain, c.amount])).to.deep.equal([
      ['spoke-1', e18(3n).toString()],
      ['spoke-2', e18(2n).toString()],
    ]);
    const onChain = await hub.read('accountFigures', [account], { blockTag: body.block });
    expect(cross.equityUsd.maintenance).to.equal(formatWad(onChain.maintenanceEquity));
    expect(cross.equityUsd.initial).to.equal(formatWad(onChain.initialEquity));
    expect(cross.requirementUsd.maintenance).to.equal(formatWad(onChain.maintenanceRequirement));
    expect(cross.requirementUsd.initial).to.equal(formatWad(onChain.initialRequirement));
    const onChainHealth: bigint = await hub.read('health', [account], { blockTag: body.block });
    expect(cross.health).to.equal(formatWad(onChainHealth));
    // docs/risk-model.md section 9: 5 WETH * 3000 * 0.85 = 12,750 of equity (the perp at mark is
    // worth what was paid); the -10% scenario loses 10% of 14.25 ETH of exposure (4.25 from the
    // collateral, 10 from the perp) = 4,275; 12,750 / 4,275.
    expect(cross.health).to.equal('2.982456140350877192');
    expect(cross.greeks).to.deep.equal([{ riskAsset: 1, delta: '15', vegaUsd: '0' }]); // 5 ETH held + 10 ETH-PERP

    expect(cross.inFlight).to.deep.equal([]);

    const listed = await waitFor('the book to list the trader', async () => {
      const list = await getJson(`${api}/v1/accounts?maxHealth=10`);
      return list.body.accounts.find((a: { accountId: string }) => a.accountId === account);
    });
    expect(listed.health).to.equal('2.982456140350877192');
    expect(
      (await getJson(`${api}/v1/accounts?maxHealth=2.9`)).body.accounts.map((a: { accountId: string }) => a.accountId),
    ).to.not.include(account);

    // Options too: Black-Scholes with the time to expiry at the block the API read, equal to the hub's.
    const contracts = hubContracts(manifest, devnetSigner(hubChain(manifest).rpcUrl, TRADER));
    const engine = contracts.engine;
    const callMark: bigint = await engine.read('markPrice', [1]);
    await venueTrade(manifest, OPERATOR, { key: TRADER }, { key: MAKER }, 1, e18(2n), callMark);
    const after = (await getJson(`${api}/v1/accounts/${trader}`)).body;
    const withCall = after.accounts[0];
    expect(withCall.positions.map((p: { kind: string; size: string }) => [p.kind, p.size])).to.deep.equal([
      ['perp', '10'],
      ['call', '2'],
    ]);
    expect(withCall.health).to.equal(formatWad(await hub.read('health', [account], { blockTag: after.block })));
    const figures = await hub.read('accountFigures', [account], { blockTag: after.block });
    expect(withCall.requirementUsd.maintenance).to.equal(formatWad(figures.maintenanceRequirement));
    const risk = await onChainRisk(contracts, account, after.block);
    expect(withCall.greeks[0].delta).to.equal(formatWad(risk.delta[0]!));
    expect(withCall.greeks[0].vegaUsd).to.equal(formatWad(risk.vega[0]!));
    expect(Number(withCall.greeks[0].vegaUsd)).to.be.greaterThan(0);

    // Yield-bearing collateral: 2 wstETH at 1.17 ETH each count in ETH's grid after a 5% fall of
    // the rate, the same to the wei in the API and on the hub; a depeg of the rate lowers both.
    expect(await engine.read('assetIdOf', [spokeA!.eid, spokeA!.tokens.wstETH!])).to.equal(3);
    await mintAndDeposit(spokeA!, TRADER, 'wstETH', e18(2n));
    await waitFor('the wstETH credit', async () => (await hub.read('collateralOf', [account, 3])) === e18(2n));
    const equalOnChain = () => apiEqualsHub(contracts, api, trader, account);
    const withWsteth = await equalOnChain();
    const line = withWsteth.collateral.find((c: { assetId: number }) => c.assetId === 3);
    expect(line.priceUsd).to.equal('3510', '1.17 × $3,000 a token');
    // wstETH's thin market ($5M deep, 5% impact): both its haircuts rise by 5% × √($6,669 / $5M),
    // on the model's 2.223 ETH at $3,000 (the hub's figures above include it).
    const terms = await engine.read('concentrationTerms', [3]);
    expect(line.concentrationAddOn).to.equal(formatWad(concentrationAddOn(6_669n * 10n ** 18n, terms)));
    expect(Number(line.concentrationAddOn)).to.be.closeTo(0.05 * Math.sqrt(6_669 / 5e6), 1e-12);
    // 2 × 1.17 × 0.95 = 2.223 ETH of exposure more than before (the call's delta moves a little with time).
    expect(Number(withWsteth.greeks[0].delta) - Number(withCall.greeks[0].delta)).to.be.closeTo(2.223, 1e-4);
    await setFeed(manifest, OPERATOR, 'WSTETH_RATE', 105_000_000n);
    await waitFor(
      'the API to see the depeg',
      async () =>
        (await getJson(`${api}/v1/accounts/${trader}`)).body.accounts[0].collateral.find(
          (c: { assetId: number }) => c.assetId === 3,
        ).priceUsd === '3150',
    );
    const depegged = await equalOnChain();
    expect(Number(depegged.health)).to.be.lessThan(Number(withWsteth.health));
  });

  it('previews withdrawals, trades, price moves and deposits; doing them on chain gives the previewed figures to the wei', async function () {
    const PREVIEWER = anvilKey(6);
    const owner = new Wallet(PREVIEWER).address;
    const account = toAccountId(owner, 0);
    const [, spokeA, spokeB] = manifest.chains;
    const assetA = manifest.assets.find((a) => a.eid === spokeA!.eid)!.assetId;
    const assetB = manifest.assets.find((a) => a.eid === spokeB!.eid)!.assetId;
    const { hub } = hubContracts(manifest, devnetSigner(hubChain(manifest).rpcUrl, PREVIEWER));
    // The other side of its trades: an account with hub cash of its own.
    const COUNTERPARTY = anvilKey(7);
    await mintAndDeposit(hubChain(manifest), COUNTERPARTY, 'USDC', 1_000_000n * 10n ** 6n);
    await mintAndDeposit(spokeA!, PREVIEWER, 'WETH', e18(4n));
    await waitFor('the credit', async () => (await hub.read('collateralOf', [account, assetA])) === e18(4n));

    /** Previews `actions`, does them with `act`, and checks the hub's figures equal the preview's. */
    const previewThenDo = async (actions: unknown[], act: () => Promise<void>) => {
      const res = await postJson(`${api}/v1/accounts/${owner}/preview`, { actions });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      await act();
      const f = await hub.read('accountFigures', [account]);
      const after = res.body.after;
      expect([
        after.equityUsd.maintenance,
        after.equityUsd.initial,
        after.requirementUsd.maintenance,
        after.requirementUsd.initial,
      ]).to.deep.equal(
        [f.maintenanceEquity, f.initialEquity, f.maintenanceRequirement, f.initialRequirement].map(formatWad),
      );
      expect(after.health).to.equal(formatHealth(await hub.read('health', [account])));
      return res.body;
    };

    const withdrawn = await previewThenDo([{ type: 'withdraw', assetId: assetA, amount: e18(1n).toString() }], () =>
      requestWithdrawal(manifest, PREVIEWER, assetA, e18(1n)),
    );
    expect(withdrawn.before.collateral[0].amount).to.equal(e18(4n).toString());
    expect(withdrawn.after.collateral[0].amount).to.equal(e18(3n).toString());
    await previewThenDo([{ type: 'trade', marketId: 0, size: '2', price: '3000' }], () =>
      venueTrade(manifest, OPERATOR, { key: PREVIEWER }, { key: COUNTERPARTY }, 0, e18(2n), e18(3000n)),
    );
    const moved = await previewThenDo([{ type: 'price', riskAsset: 1, price: '2700.5' }], () =>
      setFeed(manifest, OPERATOR, 'ETH', 2_700_50_000_000n),
    );
    expect(moved.after.collateral[0].priceUsd).to.equal('2700.5');
    await setFeed(manifest, OPERATOR, 'ETH', 3_000n * 10n ** 8n);
    const both = await previewThenDo(
      [
        { type: 'deposit', assetId: assetB, amount: e18(1n).toString() },
        { type: 'trade', marketId: 0, size: '-1.5', price: '3000' },
      ],
      async () => {
        await mintAndDeposit(spokeB!, PREVIEWER, 'WETH', e18(1n));
        await waitFor('the credit', async () => (await hub.read('collateralOf', [account, assetB])) === e18(1n));
        await venueTrade(manifest, OPERATOR, { key: COUNTERPARTY }, { key: PREVIEWER }, 0, e18(3n) / 2n, e18(3000n));
      },
    );
    expect(both.after.positions.map((p: { size: string }) => p.size)).to.deep.equal(['0.5']);

    // The liquidation price: the hub finds the account liquidatable at it (rounded down to the
    // feed's 8 decimals) and not one feed unit above.
    const eth = both.after.liquidationPrices.find((l: { riskAsset: number }) => l.riskAsset === 1);
    expect(eth.aboveUsd, 'long ETH: no liquidation on a rise').to.equal(null);
    expect(eth.liquidationPriceUsd).to.equal(eth.belowUsd);
    const boundary =
      BigInt(eth.liquidationPriceUsd.split('.')[0]) * 10n ** 8n +
      BigInt((eth.liquidationPriceUsd.split('.')[1] ?? '').padEnd(8, '0').slice(0, 8));
    try {
      await setFeed(manifest, OPERATOR, 'ETH', boundary);
      expect((await hub.read('health', [account])) < 10n ** 18n, `liquidatable at ${eth.liquidationPriceUsd}`).to.equal(
        true,
      );
      await setFeed(manifest, OPERATOR, 'ETH', boundary + 1n);
      expect((await hub.read('health', [account])) >= 10n ** 18n, 'healthy one feed unit above').to.equal(true);
    } finally {
      await setFeed(manifest, OPERATOR, 'ETH', 3_000n * 10n ** 8n);
    }

    // What the hub would refuse, refused in words.
    const tooMuch = await postJson(`${api}/v1/accounts/${owner}/preview`, {
      actions: [{ type: 'withdraw', assetId: assetA, amount: e18(9n).toString() }],
    });
    expect([tooMuch.status, tooMuch.body.error]).to.deep.equal([
      400,
      `action 0 (withdraw): ${e18(9n)} is more than the ${e18(3n)} held of asset ${assetA}`,
    ]);
  });

  it('a withdrawal round trip survives the relayer being killed mid-way, delivering every pending packet exactly once', async function () {
    const [hubC, spokeA, spokeB] = manifest.chains;
    const wethA = new TypedContract(testTokenAbi, spokeA!.tokens.WETH!, devnetSigner(spokeA!.rpcUrl, TRADER));
    const assetA = manifest.assets.find((a) => a.eid === spokeA!.eid)!.assetId;
    const account = toAccountId(trader, 0);
    const hub = hubContracts(manifest, devnetSigner(hubC!.rpcUrl, TRADER)).hub;
    const before: bigint = await hub.read('collateralOf', [account, assetA]);
    const vaultA = new TypedContract(collateralVaultAbi, spokeA!.vault, devnetSigner(spokeA!.rpcUrl, TRADER));
    const custodyBefore: bigint = await vaultA.read('custodied', [spokeA!.tokens.WETH!]);

    await relayer.stop();
    await requestWithdrawal(manifest, TRADER, assetA, e18(1n)); // RELEASE to spoke A, pending
    await mintAndDeposit(spokeB!, TRADER, 'WETH', e18(4n)); // CREDIT to the hub, pending
    // Crash between the two delivery steps: the RELEASE is verified on spoke A but not executed.
    await validateOnly(spokeA!, await lastPacket(hubC!, spokeA!));
    expect(await wethA.read('balanceOf', [trader])).to.equal(0n);

    // Public-network mode (no devnet worker) on the same store: indexes both packets, delivers neither.
    const watcher = await Relayer.create(
      {
        ...devnetRelayerConfig(manifest, { dataDir, apiPort: 0, relayerKey: DEPLOYER }),
        devnetWorker: false,
        stuckAfterBlocks: 1,
      },
      log,
    );
    const watcherApi = await watcher.start();
    const inFlight = await waitFor('both packets in flight on the API', async () => {
      const body = (await getJson(`${watcherApi}/v1/accounts/${trader}?subAccount=0`)).body;
      return body.accounts[0].inFlight.length === 2 && body.accounts[0].inFlight;
    });
    expect(inFlight.map((m: { type: string; amount: string }) => [m.type, m.amount]).sort()).to.deep.equal([
      ['CREDIT', e18(4n).toString()],
      ['RELEASE', e18(1n).toString()],
    ]);
    // With nobody delivering, a block later both are stuck: the CREDIT never verified, the RELEASE verified and never
    // executed.
    await Promise.all([spokeB!, spokeA!].map((c) => new JsonRpcProvider(c.rpcUrl).send('evm_mine', [])));
    const stuck = await waitFor('both packets stuck on the API', async () => {
      watcher.stuck.check();
      const { body } = await getJson(`${watcherApi}/v1/messages?status=stuck`);
      return body.total === 2 && body.messages;
    });
    expect(stuck.map((m: { type: string; stuck: string }) => [m.type, m.stuck]).sort()).to.deep.equal([
      ['CREDIT', 'not-verified'],
      ['RELEASE', 'not-executed'],
    ]);
    const stuckAlerts = (await getJson(`${watcherApi}/v1/alerts`)).body.alerts.filter(
      (a: { kind: string; detail: string }) =>
        a.kind === 'message-stuck' && stuck.some((m: { guid: string }) => a.detail.includes(m.guid)),
    );
    expect(stuckAlerts).to.have.length(2);
    expect(await fetch(`${watcherApi}/metrics`).then((r) => r.text())).to.match(
      /relayer_messages_stuck\{reason="not-executed"\} 1/,
    );
    await watcher.stop();
    expect(await wethA.read('balanceOf', [trader])).to.equal(0n);

    await startRelayer();
    await waitFor('the RELEASE to be paid', async () => (await wethA.read('balanceOf', [trader])) === e18(1n));
    const assetB = manifest.assets.find((a) => a.eid === spokeB!.eid)!.assetId;
    await waitFor('the CREDIT to land', async () => (await hub.read('collateralOf', [account, assetB])) === e18(6n));
    await waitFor('the store to see both delivered', async () => relayer.store.inFlight().length === 0);

    // Paid once, credited once, ledger and custody agree.
    expect(await wethA.read('balanceOf', [trader])).to.equal(e18(1n));
    expect(await hub.read('collateralOf', [account, assetA])).to.equal(before - e18(1n));
    expect(await vaultA.read('custodied', [spokeA!.tokens.WETH!])).to.equal(custodyBefore - e18(1n));
    expect(relayer.store.messages().filter((m) => m.lastError)).to.deep.equal([]);
    const { body } = await getJson(`${api}/v1/messages?status=inflight`);
    expect(body.total).to.equal(0);
  });

  it('reports chains, messages, custody and metrics', async function () {
    const chainsRes = await getJson(`${api}/v1/chains`);
    expect(chainsRes.body.chains.map((c: { name: string }) => c.name)).to.deep.equal(['hub', 'spoke-1', 'spoke-2']);
    // One check per vault and token: every listed asset.
    await waitFor(
      'a custody check',
      async () => (await getJson(`${api}/v1/custody`)).body.checks.length === manifest.assets.length,
    );
    const custody = await getJson(`${api}/v1/custody`);
    expect(custody.body.checks.every((c: { ok: boolean }) => c.ok)).to.equal(true);
    const delivered = await getJson(`${api}/v1/messages?status=delivered&limit=500`);
    expect(delivered.body.messages.map((m: { type: string }) => m.type)).to.include.members(['CREDIT', 'RELEASE']);
    const metrics = await fetch(`${api}/metrics`).then((r) => r.text());
    expect(metrics).to.match(/relayer_chain_head_block\{chain="hub"\} \d+/);
    expect((await getJson(`${api}/openapi.json`)).body.openapi).to.equal('3.1.0');
    // The parity monitor has compared accounts with MarginHub.accountFigures at each block, and found no difference.
    await waitFor('parity checks', async () => relayer.parity.checked >= 3);
    expect(relayer.parity.mismatches).to.equal(0);
    expect(metrics).to.match(/relayer_parity_checks_total \d+/);
    expect(
      (await getJson(`${api}/v1/alerts`)).body.alerts.filter((a: { kind: string }) => a.kind === 'parity-mismatch'),
    ).to.deep.equal([]);
    expect((await getJson(`${api}/healthz`)).body.status).to.equal('ok');
  });

  it("the SDK's RelayerClient reads every answer with the API's own schemas, and turns a 400 into a RelayerApiError with its message", async function () {
    const client = new RelayerClient(api);
    const { accounts } = await client.account(trader);
    const raw = (await getJson(`${api}/v1/accounts/${trader}`)).body;
    expect(accounts[0]!.health).to.equal(raw.accounts[0].health);
    expect(accounts[0]!.liquidationPrices.length).to.be.greaterThan(0);
    const [chains, fees, custody, messages, liquidations, page] = await Promise.all([
      client.chains(),
      client.fees(),
      client.custody(),
      client.messages({ status: 'all', limit: 5 }),
      client.liquidations(),
      client.accounts({ maxHealth: '100' }),
    ]);
    expect(chains.chains.map((c) => c.eid)).to.deep.equal(manifest.chains.map((c) => c.eid));
    const { engine } = hubContracts(manifest, devnetSigner(hubChain(manifest).rpcUrl, TRADER));
    expect(fees.fees.length).to.equal(Number(await engine.read('assetCount', [])));
    expect(custody.checks.every((c) => c.ok)).to.equal(true);
    expect(messages.messages.length).to.equal(Math.min(5, messages.total));
    expect(messages.total).to.be.greaterThan(0);
    expect(liquidations.total).to.equal(0);
    expect(page.accounts.length).to.be.greaterThan(0);
    const preview = await client.preview(trader, { actions: [{ type: 'price', riskAsset: 1, price: '2900' }] });
    expect(preview.after.collateral[0]!.priceUsd).to.equal('2900');
    let refused: unknown;
    await client
      .preview(trader, { actions: [{ type: 'deposit', assetId: 99, amount: '1' }] })
      .catch((err: unknown) => (refused = err));
    expect(refused).to.be.instanceOf(RelayerApiError);
    expect([(refused as RelayerApiError).status, (refused as RelayerApiError).message]).to.deep.equal([
      400,
      'action 0 (deposit): no asset 99 is listed',
    ]);
  });

  it('the parity monitor alerts when the relayer figures differ from the hub at the same block', async function () {
    // The hub's figures are real; the relayer's are off by one wei of maintenance equity.
    const skewed = new Proxy(relayer.reader, {
      get(target, prop, receiver) {
        if (prop !== 'accountRisks') return Reflect.get(target, prop, receiver);
        return async (ids: string[], block: number) =>
          (await target.accountRisks(ids, block)).map((r) =>
            r.figures ? { ...r, figures: { ...r.figures, maintenanceEquity: r.figures.maintenanceEquity + 1n } } : r,
          );
      },
    });
    const monitor = new ParityMonitor(
      skewed,
      relayer.chains.get(manifest.hubEid)!,
      relayer.store,
      2,
      log,
      relayer.metrics,
    );
    await monitor.check();
    expect(monitor.checked).to.equal(2);
    expect(monitor.mismatches).to.be.greaterThan(0);
    const alert = (await getJson(`${api}/v1/alerts`)).body.alerts.find(
      (a: { kind: string }) => a.kind === 'parity-mismatch',
    );
    expect(alert.detail).to.match(/maintenanceEquity relayer \d+ hub \d+/);
  });

  it('a loss beyond the insurance fund is charged to positive cash, and the book re-reads every holder', async function () {
    const hub = hubContracts(manifest, devnetSigner(hubChain(manifest), OPERATOR)).hub;
    const makerId = toAccountId(maker, 0);
    const before = (await hub.read('accountState', [makerId])).cash;
    expect(before > 0n, 'the maker holds positive cash (it sold the perp)').to.equal(true);
    await waitFor('the book to hold the maker', async () => relayer.book.entry(makerId)?.holdings.cash === before);

    // A venue pays a stranger out of an empty account: it is bankrupt at once, and what the
    // insurance fund cannot cover is charged to every positive balance, the maker's among them.
    const shortfall = (await hub.read('insuranceFund', [])) + e18(1_000n);
    const [emptyKey, payee] = [Wallet.createRandom().privateKey, Wallet.createRandom().address];
    await venueSettle(manifest, OPERATOR, emptyKey, payee, shortfall);
    expect(await hub.read('unownedLoss', [])).to.equal(0n);
    expect((await hub.read('cashIndex', [])) < 10n ** 18n, 'the cash index fell').to.equal(true);
    const after = (await hub.read('accountState', [makerId])).cash;
    expect(after < before, 'the maker bears part of the loss').to.equal(true);

    // No event names the maker: the book re-reads it because the cash index fell.
    await waitFor('the book to re-read the maker', async () => relayer.book.entry(makerId)?.holdings.cash === after);

    // The API and the SDK client show the waterfall as the hub has it.
    const waterfall = await new RelayerClient(api).waterfall();
    const at = { blockTag: waterfall.block };
    expect(waterfall.socialisedLossUsd).to.equal(formatWad(await hub.read('socialisedLoss', [], at)));
    expect(waterfall.cashIndex).to.equal(formatWad(await hub.read('cashIndex', [], at)));
    expect(waterfall.insuranceFundUsd).to.equal('0');
    expect(waterfall.unownedLossUsd).to.equal('0');
    expect(Number(waterfall.totalCashUsd)).to.be.at.most(Number(waterfall.settlementHeldUsd));
  });

  it('answers bad input with a 400 that says what was wrong, and unknown routes with a 404', async function () {
    // The checksummed address with one letter's case flipped: mixed case, wrong EIP-55 checksum.
    const badChecksum = trader.replace(/[a-f]/, (c) => c.toUpperCase());
    expect(badChecksum).to.not.equal(trader);
    const cases: Array<[string, number, RegExp]> = [
      ['/v1/accounts/0x123', 400, /40 hex characters/],
      ['/v1/accounts/not-an-address', 400, /40 hex characters/],
      [`/v1/accounts/${badChecksum}`, 400, /invalid address checksum/],
      [`/v1/accounts/${trader}?subAccount=-1`, 400, /subAccount must be a whole number/],
      [`/v1/accounts/${trader}?subAccount=4294967296`, 400, /subAccount must be between/],
      [`/v1/accounts/${trader}?colour=red`, 400, /unknown query parameter\(s\): colour/],
      ['/v1/accounts?maxHealth=abc', 400, /maxHealth must be a non-negative decimal/],
      ['/v1/accounts?maxHealth=-1', 400, /maxHealth must be a non-negative decimal/],
      ['/v1/accounts?limit=0', 400, /limit must be between 1 and 500/],
      ['/v1/accounts?limit=501', 400, /limit must be between 1 and 500/],
      ['/v1/accounts?offset=x', 400, /offset must be a whole number/],
      ['/v1/messages?status=lost', 400, /status/],
      ['/v1/accounts/%E0%A4%A', 400, /the path \/v1\/accounts\/%E0%A4%A is not valid percent-encoding/],
      ['/v1/accounts/%ZZ', 400, /not valid percent-encoding/],
      ['/v1/accounts?maxHealth=%E0%A4%A', 400, /maxHealth must be a non-negative decimal/],
      ['/v2/accounts', 404, /no route GET \/v2\/accounts/],
    ];
    for (const [path, status, message] of cases) {
      const res = await getJson(`${api}${path}`);
      expect(res.status, path).to.equal(status);
      expect(res.body.error, path).to.match(message);
      expect(JSON.stringify(res.body), path).to.not.match(/at .*\.ts:\d+/);
    }
    const preview = `${api}/v1/accounts/${trader}/preview`;
    const bodies: Array<[unknown, RegExp]> = [
      ['{"actions": [', /the request body is not valid JSON/],
      [{}, /actions: /],
      [{ actions: [] }, /actions: actions must list at least one action/],
      [{ actions: [{ type: 'borrow' }] }, /actions.0.type: /],
      [
        { actions: [{ type: 'withdraw', assetId: 1, amount: '-5' }] },
        /actions.0.amount: amount must be a positive whole number of base units/,
      ],
      [
        { actions: [{ type: 'trade', marketId: 0, size: '1e3', price: '3000' }] },
        /actions.0.size: size must be a decimal string/,
      ],
      [
        { actions: [{ type: 'price', riskAsset: 1, price: '3000', colour: 'red' }] },
        /actions.0: unknown field\(s\): colour/,
      ],
      [{ actions: [{ type: 'deposit', assetId: 99, amount: '1' }] }, /action 0 \(deposit\): no asset 99 is listed/],
      [
        { actions: [{ type: 'volatility', riskAsset: 0, volatility: '0.5' }] },
        /action 0 \(volatility\): risk asset 0 has no volatility feed/,
      ],
    ];
    for (const [body, message] of bodies) {
      const res = await postJson(preview, body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.error, JSON.stringify(body)).to.match(message);
    }
  });

  // Last: it leaves the devnet with a hub ledger the vault no longer backs.
});
