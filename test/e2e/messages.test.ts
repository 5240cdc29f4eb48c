import { expect } from 'chai';
import { waitFor } from '../../relayer/src/wait.js';
import { JsonRpcProvider, Wallet, ZeroHash } from 'ethers';
import { anvilKey } from '../../relayer/src/devnet/anvil.js';
import {
  ENFORCED_LZ_RECEIVE_GAS,
  devnetSigner,
  hubContracts,
  type DevnetManifest,
} from '../../relayer/src/devnet/deploySystem.js';
import { deployBuilt, DEVNET_GAS_PRICE_WEI } from '../../relayer/src/devnet/layerzero.js';
import { loadArtifact } from '../../deploy/artifacts.js';
import { collateralVaultAbi, endpointV2Abi, sendUln302Abi, testTokenAbi } from '@omnichain-collateral/sdk/abi';
import { lzReceiveGas, lzReceiveOption } from '@omnichain-collateral/sdk/lzOptions';
import { MessageType } from '@omnichain-collateral/sdk/messageCodec';
import { retryWithGas, RetryRefused } from '../../relayer/src/ops/retry.js';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { decodePacket, payloadHash } from '@omnichain-collateral/sdk/packet';
import { hubChain, mintAndDeposit } from '../../relayer/src/devnet/actions.js';
import type { Relayer } from '../../relayer/src/relayer.js';
import { toAccountId } from '@omnichain-collateral/sdk/accountId';
import { getJson } from './http.js';
import { startTestDevnet, type TestDevnet } from './devnetFixture.js';

const DEPLOYER = anvilKey(0);
/** The venue and the feeds' owner: not the relayer's key, so test transactions never take the relayer's nonces. */
const OPERATOR = anvilKey(4);
const TRADER = anvilKey(1);
const trader = new Wallet(TRADER).address;
const e18 = (n: bigint) => n * 10n ** 18n;

describe('cross-chain messages on the devnet: ULN302 delivery, failed executions and their retries, a reorg under a delivered deposit', function () {
  this.timeout(180_000);
  let devnet: TestDevnet;
  let manifest: DevnetManifest;
  let relayer: Relayer;
  let api: string;

  before(async function () {
    devnet = await startTestDevnet({
      chainIds: [31_121, 31_122, 31_123],
      name: 'delivery-test',
      operatorKey: OPERATOR,
    });
    ({ manifest, relayer, api } = devnet);
  });

  after(async function () {
    await devnet?.stop();
  });

  it('runs on ULN302: a deposit sent with no options gets the CREDIT enforced gas, pays the DVN and the executor, and is verified, committed and executed', async function () {
    const [hubC, spokeA] = manifest.chains;
    expect(spokeA!.uln, 'the devnet defaults to ULN302').to.not.equal(undefined);
    const provider = new JsonRpcProvider(spokeA!.rpcUrl);
    try {
      const vault = new TypedContract(collateralVaultAbi, spokeA!.vault, provider);
      const sendLib = new TypedContract(sendUln302Abi, spokeA!.uln!.sendLib, provider);
      const [dvnBefore, executorBefore] = await Promise.all([
        sendLib.read('fees', [spokeA!.uln!.requiredDVNs[0]!]),
        sendLib.read('fees', [spokeA!.uln!.executor]),
      ]);
      const fee: bigint = await vault.read('quoteDeposit', [trader, 0, spokeA!.tokens.WETH!, e18(1n), '0x']);
      await mintAndDeposit(spokeA!, TRADER, 'WETH', e18(1n));
      const [dvnAfter, executorAfter] = await Promise.all([
        sendLib.read('fees', [spokeA!.uln!.requiredDVNs[0]!]),
        sendLib.read('fees', [spokeA!.uln!.executor]),
      ]);
      // The quote is the two workers' fees, and each was paid its part.
      expect(dvnAfter - dvnBefore > 0n && executorAfter - executorBefore > 0n).to.equal(true);
      expect(dvnAfter - dvnBefore + (executorAfter - executorBefore)).to.equal(fee);
      // The executor charges at least the destination gas it will spend on lzReceive.
      expect(executorAfter - executorBefore >= ENFORCED_LZ_RECEIVE_GAS.CREDIT * DEVNET_GAS_PRICE_WEI).to.equal(true);
      // The API shows the same fee before anyone pays: per asset, a deposit, a withdrawal and a liquidation.
      const fees = (await getJson(`${api}/v1/fees`)).body.fees as Array<{
        chain: string;
        depositWei: string;
        withdrawWei: string;
        seizeWei: string;
      }>;
      const onSpokeA = fees.find((f) => f.chain === spokeA!.name)!;
      expect(onSpokeA.depositWei).to.equal(String(fee));
      expect(BigInt(onSpokeA.withdrawWei) >= ENFORCED_LZ_RECEIVE_GAS.RELEASE * DEVNET_GAS_PRICE_WEI).to.equal(true);
      expect(BigInt(onSpokeA.seizeWei) >= ENFORCED_LZ_RECEIVE_GAS.SEIZE * DEVNET_GAS_PRICE_WEI).to.equal(true);
      expect(
        fees.find((f) => f.chain === hubC!.name)!.depositWei,
        'a deposit on the hub chain sends no message',
      ).to.equal('0');

      const endpoint = new TypedContract(endpointV2Abi, spokeA!.endpoint, provider);
      const sent = (await endpoint.queryEvent('PacketSent', null, 0))
        .map((l) => endpoint.parseEvent('PacketSent', l)!)
        .at(-1)!;
      expect(lzReceiveGas(sent.options).gas).to.equal(ENFORCED_LZ_RECEIVE_GAS.CREDIT);
      const packet = decodePacket(sent.encodedPayload);
      const hubProvider = new JsonRpcProvider(hubC!.rpcUrl);
      const hubEndpoint = new TypedContract(endpointV2Abi, hubC!.endpoint, hubProvider);
      await waitFor(
        'the CREDIT executed on the hub',
        async () =>
          (await hubEndpoint.read('lazyInboundNonce', [packet.receiver, packet.srcEid, packet.sender])) >= packet.nonce,
      );
      // Executed through the executor with the gas the options carry: the endpoint cleared it, and no LzReceiveAlert.
      expect(
        await hubEndpoint.read('inboundPayloadHash', [packet.receiver, packet.srcEid, packet.sender, packet.nonce]),
      ).to.equal(ZeroHash);
      const alerts = (await hubEndpoint.queryEvent('LzReceiveAlert', null, 0)).map((l) =>
        hubEndpoint.parseEvent('LzReceiveAlert', l)!,
      );
      expect(
        alerts.map((a) => `${a.origin.srcEid}/${a.origin.nonce} ${a.guid} gas ${a.gas}: ${a.reason}`),
      ).to.deep.equal([]);
      const executed = (await hubEndpoint.queryEvent('PacketDelivered', null, 0)).at(-1)!;
      const tx = await hubProvider.getTransaction(executed.transactionHash);
      expect(tx!.to).to.equal(hubC!.uln!.executor);
      hubProvider.destroy();
    } finally {
      provider.destroy();
    }
  });

  it('an execution that runs out of gas stays verified on the endpoint, shows as failed, and lands once on an operator retry with more gas', async function () {
    const [hubC, spokeA] = manifest.chains;
    const admin = devnetSigner(spokeA!.rpcUrl, DEPLOYER);
    const vaultA = new TypedContract(collateralVaultAbi, spokeA!.vault, admin);
    const setCreditGas = (gas: bigint) =>
      vaultA.send('setEnforcedOptions', [
        [{ eid: hubC!.eid, msgType: MessageType.CREDIT, options: lzReceiveOption(gas) }],
      ]);
    const hub = hubContracts(manifest, devnetSigner(hubC!.rpcUrl, TRADER)).hub;
    const account = toAccountId(trader, 0);
    const assetA = manifest.assets.find((a) => a.eid === spokeA!.eid)!.assetId;
    const before: bigint = await hub.read('collateralOf', [account, assetA]);
    await setCreditGas(25_000n); // far below the ~150,000 a CREDIT needs
    try {
      await mintAndDeposit(spokeA!, TRADER, 'WETH', e18(1n));
      const failed = await waitFor('the out-of-gas execution on the API', async () => {
        const { body } = await getJson(`${api}/v1/messages?status=failed`);
        return body.messages.find((m: { lastError?: string }) => /ran out of its 25000 gas/.test(m.lastError ?? ''));
      });
      relayer.stuck.check();
      const stuck = (await getJson(`${api}/v1/messages?status=stuck`)).body.messages.find(
        (m: { guid: string }) => m.guid === failed.guid,
      );
      expect(stuck.stuck).to.equal('execution-failed');
      const stored = relayer.store.message(failed.guid)!;
      const packet = decodePacket(stored.encodedPacket);
      const hubChainClient = relayer.chains.get(hubC!.eid)!;
      // The endpoint keeps the packet verified, and nothing was credited.
      expect(
        await hubChainClient.endpoint.read('inboundPayloadHash', [
          packet.receiver,
          packet.srcEid,
          packet.sender,
          packet.nonce,
        ]),
      ).to.equal(payloadHash(packet));
      expect(await hub.read('collateralOf', [account, assetA])).to.equal(before);

      const result = await retryWithGas(hubChainClient, stored, anvilKey(5), 400_000n);
      expect(result.gasUsed > 25_000n).to.equal(true);
      expect(await hub.read('collateralOf', [account, assetA])).to.equal(before + e18(1n));
      await waitFor(
        'the store to see it delivered',
        async () => relayer.store.message(failed.guid)?.status === 'delivered',
      );
      relayer.stuck.check();
      expect(relayer.stuck.reason(failed.guid)).to.equal(undefined);
      // Executed once: a second retry is refused, and the credit was applied once.
      const again = await retryWithGas(hubChainClient, stored, anvilKey(5), 400_000n).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(again).to.be.instanceOf(RetryRefused);
      expect(again!.message).to.match(/already executed/);
      expect(await hub.read('collateralOf', [account, assetA])).to.equal(before + e18(1n));
    } finally {
      await setCreditGas(ENFORCED_LZ_RECEIVE_GAS.CREDIT);
    }
  });

  it('refuses a deposit of a token the hub has not listed, and refunds it to its owner on the chain it came from', async function () {
    const spoke = manifest.chains[1]!;
    const deployer = devnetSigner(spoke.rpcUrl, DEPLOYER);
    // A token the vault takes but the hub has not listed: the hub refuses the CREDIT, and keeps it
    // for its owner rather than failing the delivery for ever.
    const stray = await deployBuilt(deployer, testTokenAbi, loadArtifact('TestToken.sol'), 'Stray', 'STRAY', 18);
    const strayAddress = stray.address;
    await new TypedContract(collateralVaultAbi, spoke.vault, deployer).send('configureToken', [
      strayAddress,
      true,
      10n ** 30n,
    ]);
    await mintAndDeposit({ ...spoke, tokens: { STRAY: strayAddress } }, TRADER, 'STRAY', e18(1n));
    const credit = await waitFor('the refused CREDIT delivered', async () =>
      relayer.store.messages().find((m) => m.token === strayAddress && m.status === 'delivered'),
    );
    const hub = hubContracts(manifest, devnetSigner(hubChain(manifest).rpcUrl, TRADER)).hub;
    const creditId = BigInt(credit.id);
    expect((await hub.read('refusedCredit', [spoke.eid, creditId])).amount).to.equal(e18(1n));

    // The owner asks for it back: a RELEASE the relayer delivers, paid from the vault's custody.
    const fee = await hub.read('quoteRefund', [spoke.eid, creditId, '0x']);
    await hub.send('refundCredit', [spoke.eid, creditId, '0x'], { value: fee });
    const token = new TypedContract(testTokenAbi, strayAddress, new JsonRpcProvider(spoke.rpcUrl));
    await waitFor('the refund paid on the spoke', async () => (await token.read('balanceOf', [trader])) === e18(1n));
    expect((await hub.read('refusedCredit', [spoke.eid, creditId])).amount).to.equal(0n);
    const vault = new TypedContract(collateralVaultAbi, spoke.vault, new JsonRpcProvider(spoke.rpcUrl));
    expect(await vault.read('custodied', [strayAddress])).to.equal(0n);
  });

  it('a reorg that erases a credited deposit is detected: reorg alert, custody breach on the API and in metrics', async function () {
    const spoke = manifest.chains[2]!;
    const provider = new JsonRpcProvider(spoke.rpcUrl);
    const hub = hubContracts(manifest, devnetSigner(hubChain(manifest).rpcUrl, TRADER)).hub;
    const asset = manifest.assets.find((a) => a.eid === spoke.eid)!.assetId;
    const account = toAccountId(trader, 0);
    const base = Number(await provider.send('eth_blockNumber', []));
    const held: bigint = await hub.read('collateralOf', [account, asset]);

    await mintAndDeposit(spoke, TRADER, 'WETH', e18(7n));
    await waitFor('the credit', async () => (await hub.read('collateralOf', [account, asset])) === held + e18(7n));
    const head = Number(await provider.send('eth_blockNumber', []));
    await waitFor(
      'the indexer to pass the deposit',
      async () => (relayer.store.checkpoint(spoke.eid)?.block ?? 0) >= head,
    );

    // Replace every block since `base` with empty ones: the deposit never happened on this chain.
    await provider.send('anvil_reorg', [head - base, []]);
    provider.destroy();

    const alerts = await waitFor('both alerts', async () => {
      const list = (await getJson(`${api}/v1/alerts`)).body.alerts as Array<{ kind: string; detail: string }>;
      return list.some((a) => a.kind === 'reorg') && list.some((a) => a.kind === 'custody-breach') && list;
    });
    expect(alerts.find((a) => a.kind === 'reorg')!.detail).to.match(/^spoke-2: block \d+ reorganised/);
    expect(alerts.find((a) => a.kind === 'custody-breach')!.detail).to.match(
      new RegExp(`^asset ${asset} on eid ${spoke.eid}`),
    );
    const custody = (await getJson(`${api}/v1/custody`)).body.checks.find(
      (c: { assetId: number }) => c.assetId === asset,
    );
    expect(custody.ok).to.equal(false);
    expect(BigInt(custody.hubLedger) > BigInt(custody.custodied)).to.equal(true);
    // The gauge is set when the whole check finishes, a moment after the alert is stored.
    await waitFor('the breach gauge', async () =>
      /^relayer_custody_breaches 1$/m.test(await fetch(`${api}/metrics`).then((r) => r.text())),
    );
  });
});
