import { expect } from 'chai';
import { type Signer } from 'ethers';
import { anvilKey, startAnvil, type AnvilChain } from '../relayer/src/devnet/anvil.js';
import { deploySystem, devnetSigner, contractAt, type DevnetManifest } from '../relayer/src/devnet/deploySystem.js';
import { DevnetDeliverer } from '../relayer/src/devnet/deliverer.js';
import { toAccountId } from '../sdk/src/accountId.js';
import { decodeMessage, MessageType } from '../sdk/src/messageCodec.js';

const DEPLOYER_KEY = anvilKey(0);
const TRADER_KEY = anvilKey(1);

describe('devnet: three anvil chains, the real LayerZero EndpointV2 and SimpleMessageLib', function () {
  this.timeout(120_000);
  const chains: AnvilChain[] = [];
  let manifest: DevnetManifest;
  let deliverer: DevnetDeliverer;
  let trader: Signer;
  let traderAddress: string;

  before(async function () {
    for (const chainId of [31_001, 31_002, 31_003]) chains.push(await startAnvil({ chainId }));
    const specs = chains.map((c, i) => ({ name: i === 0 ? 'hub' : `spoke-${i}`, chainId: c.chainId, eid: 40_001 + i, rpcUrl: c.rpcUrl }));
    manifest = await deploySystem(specs[0]!, specs.slice(1), DEPLOYER_KEY);
    deliverer = new DevnetDeliverer(
      manifest.chains.map((c) => ({ eid: c.eid, signer: devnetSigner(c.rpcUrl, DEPLOYER_KEY), endpoint: c.endpoint, messageLib: c.messageLib })),
    );
    trader = devnetSigner(manifest.chains[1]!.rpcUrl, TRADER_KEY);
    traderAddress = await trader.getAddress();
  });

  after(async function () {
    await Promise.all(chains.map((c) => c.stop()));
  });

  it('a deposit on a spoke reaches the hub ledger only when the packet is delivered, exactly once', async function () {
    const spoke = manifest.chains[1]!;
    const weth = contractAt('TestToken.sol', spoke.tokens.WETH!, trader);
    const vault = contractAt('CollateralVault.sol', spoke.vault, trader);
    const hubSigner = devnetSigner(manifest.chains[0]!.rpcUrl, TRADER_KEY);
    const hub = contractAt('MarginHub.sol', manifest.hub, hubSigner);
    const wethAsset = manifest.assets.find((a) => a.eid === spoke.eid)!.assetId;
    const account = toAccountId(traderAddress, 0);

    await (await weth.getFunction('mint')(traderAddress, 5n * 10n ** 18n)).wait();
    await (await weth.getFunction('approve')(spoke.vault, 5n * 10n ** 18n)).wait();
    const fee: bigint = await vault.getFunction('quoteDeposit')(traderAddress, 0, spoke.tokens.WETH, 5n * 10n ** 18n, '0x');
    expect(fee > 0n).to.equal(true);
    await (await vault.getFunction('deposit')(traderAddress, 0, spoke.tokens.WETH, 5n * 10n ** 18n, '0x', { value: fee })).wait();
    expect(await hub.getFunction('collateralOf')(account, wethAsset)).to.equal(0n);

    const first = await deliverer.deliverPending();
    expect(first.map((o) => o.status)).to.deep.equal(['delivered']);
    const credit = decodeMessage(first[0]!.packet.message);
    expect(credit.msgType).to.equal(MessageType.CREDIT);
    expect(credit.amount).to.equal(5n * 10n ** 18n);
    expect(await hub.getFunction('collateralOf')(account, wethAsset)).to.equal(5n * 10n ** 18n);

    // A restarted deliverer sees the same packet again and must not apply it twice.
    const restarted = new DevnetDeliverer(
      manifest.chains.map((c) => ({ eid: c.eid, signer: devnetSigner(c.rpcUrl, DEPLOYER_KEY), endpoint: c.endpoint, messageLib: c.messageLib })),
    );
    expect((await restarted.deliverPending()).map((o) => o.status)).to.deep.equal(['already-delivered']);
    expect(await hub.getFunction('collateralOf')(account, wethAsset)).to.equal(5n * 10n ** 18n);
  });

  it('a withdrawal asked of the hub is paid on the spoke once the RELEASE is delivered', async function () {
    const spoke = manifest.chains[1]!;
    const hubSigner = devnetSigner(manifest.chains[0]!.rpcUrl, TRADER_KEY);
    const hub = contractAt('MarginHub.sol', manifest.hub, hubSigner);
    const weth = contractAt('TestToken.sol', spoke.tokens.WETH!, trader);
    const wethAsset = manifest.assets.find((a) => a.eid === spoke.eid)!.assetId;

    const fee: bigint = await hub.getFunction('quoteOrder')(wethAsset, MessageType.RELEASE, '0x');
    await (await hub.getFunction('withdraw')(0, wethAsset, 2n * 10n ** 18n, traderAddress, '0x', { value: fee })).wait();
    expect(await weth.getFunction('balanceOf')(traderAddress)).to.equal(0n);

    const outcomes = await deliverer.deliverPending();
    expect(outcomes.map((o) => o.status)).to.deep.equal(['delivered']);
    expect(await weth.getFunction('balanceOf')(traderAddress)).to.equal(2n * 10n ** 18n);
    expect(await hub.getFunction('collateralOf')(toAccountId(traderAddress, 0), wethAsset)).to.equal(3n * 10n ** 18n);
  });
});
