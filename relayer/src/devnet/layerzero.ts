/**
 * The real LayerZero V2 protocol contracts on a local chain, from the
 * @layerzerolabs/lz-evm-sdk-v2 artifacts, wired like a mainnet pathway: EndpointV2 with
 * SendUln302 and ReceiveUln302 as the default libraries for every remote endpoint id, one
 * required DVN (LayerZero's `DVN`, quorum 1) and LayerZero's `Executor`, with the price feed and
 * fee libraries that make their fees real. The relayer's key is the DVN's signer and admin and
 * the executor's admin: on a devnet the relayer does what LayerZero's off-chain workers do.
 * `SimpleMessageLib` (one library, no DVN, no executor, options ignored) remains as an option.
 * Multicall3 is placed at its canonical address, as on every public network.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { concat, ContractFactory, dataSlice, getAddress, keccak256, type JsonRpcProvider, type Signer } from 'ethers';
import type { Abi } from 'abitype';
import {
  dvnAbi,
  dvnFeeLibAbi,
  endpointV2Abi,
  executorAbi,
  executorFeeLibAbi,
  priceFeedAbi,
  readLib1002Abi,
  receiveUln302Abi,
  sendUln302Abi,
  simpleMessageLibAbi,
  simpleReadDvnAbi,
  simpleReadExecutorAbi,
} from '@omnichain-collateral/sdk/abi';
import { MULTICALL3_ADDRESS } from '@omnichain-collateral/sdk/contracts/multicall';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { loadArtifact, type Artifact } from '../../../deploy/artifacts.js';

const require = createRequire(import.meta.url);

function lzBytecode(path: string): string {
  const file = require.resolve(`@layerzerolabs/lz-evm-sdk-v2/artifacts/contracts/${path}`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { bytecode: string }).bytecode;
}

export type MessageLibKind = 'uln302' | 'simple';

/** What the devnet worker drives on a chain on the production path. */
export interface UlnWorkers {
  sendLib: string;
  receiveLib: string;
  dvn: string;
  /** the DVN's verifier id, part of every instruction it signs */
  dvnVid: number;
  executor: string;
  priceFeed: string;
}

/**
 * The lzRead stack on a chain: ReadLib1002 as the read channel's send and receive library, with
 * LayerZero's SimpleReadDVN and SimpleReadExecutor, which the devnet worker drives.
 */
export interface ReadWorkers {
  channel: number;
  readLib: string;
  dvn: string;
  executor: string;
}

/** LayerZero's read channel id on its public networks. */
export const READ_CHANNEL = 4_294_967_295;

export interface LayerZeroDeployment {
  endpoint: string;
  read: ReadWorkers;
  /** SimpleMessageLib, when the chain runs on it */
  messageLib?: string;
  /** the ULN302 libraries and workers, when the chain runs on them */
  uln?: UlnWorkers;
}

/**
 * The devnet's fee parameters. Every devnet chain's native token is ETH at $3,000 (the price
 * feed's USD unit is 1e20) and gas costs 1 gwei; the workers add 20% and at least $0.01.
 */
const NATIVE_PRICE_USD = 3_000n * 10n ** 20n;
export const DEVNET_GAS_PRICE_WEI = 1_000_000_000n;
const WORKER_MULTIPLIER_BPS = 12_000;
const WORKER_FLOOR_MARGIN_USD = 10n ** 18n;
/** Gas a DVN's verify costs on the destination, and the executor's own overhead per lzReceive. */
const DVN_VERIFY_GAS = 80_000n;
const EXECUTOR_BASE_GAS = 50_000n;
const MAX_MESSAGE_SIZE = 10_000;

/** Deploys `bytecode` with constructor `args` and returns the typed contract. */
export async function deploy<A extends Abi>(
  signer: Signer,
  abi: A,
  bytecode: string,
  ...args: unknown[]
): Promise<TypedContract<A>> {
  const factory = new ContractFactory(abi as never, bytecode, signer);
  const contract = await factory.deploy(...args);
  await contract.waitForDeployment();
  return new TypedContract(abi, await contract.getAddress(), signer);
}

/**
 * Runs a constructor at `target` on an anvil chain, as if LayerZero had deployed there: the
 * creation code is put at a scratch address, `target` gets a stub that delegatecalls it (so the
 * constructor writes `target`'s storage and returns the runtime code, immutables filled in),
 * and `target` then gets that runtime code. The devnet uses it to stand LayerZero's contracts at
 * the addresses its public deployments have, for chains that carry a public endpoint id.
 */
export async function deployAt<A extends Abi>(
  signer: Signer,
  target: string,
  abi: A,
  bytecode: string,
  ...args: unknown[]
): Promise<TypedContract<A>> {
  const provider = signer.provider as JsonRpcProvider;
  const creation = (await new ContractFactory(abi as never, bytecode).getDeployTransaction(...args)).data;
  const scratch = getAddress(dataSlice(keccak256(concat([target, '0x01'])), 12));
  await provider.send('anvil_setCode', [scratch, creation]);
  // PUSH1 0 (x4), PUSH20 scratch, GAS, DELEGATECALL; RETURNDATACOPY to 0; JUMPI to 0x2c on
  // success; REVERT(0, size); 0x2c: JUMPDEST, RETURN(0, size).
  const stub = concat([
    '0x6000600060006000',
    '0x73',
    scratch,
    '0x5af4',
    '0x3d600060003e',
    '0x602c57',
    '0x3d6000fd',
    '0x5b3d6000f3',
  ]);
  await provider.send('anvil_setCode', [target, stub]);
  const runtime = await provider.call({ to: target, data: '0x', gasLimit: 30_000_000n });
  await (await signer.sendTransaction({ to: target, data: '0x', gasLimit: 30_000_000n })).wait();
  await provider.send('anvil_setCode', [target, runtime]);
  await provider.send('anvil_setCode', [scratch, '0x']);
  return new TypedContract(abi, getAddress(target), signer);
}

/** Deploys one of this project's contracts from forge's build output. */
export function deployBuilt<A extends Abi>(
  signer: Signer,
  abi: A,
  artifact: Artifact,
  ...args: unknown[]
): Promise<TypedContract<A>> {
  return deploy(signer, abi, artifact.bytecode, ...args);
}

/** LayerZero contracts the devnet can stand at a public deployment's address (see deployAt). */
export type LayerZeroAddressBook = Partial<
  Record<'EndpointV2' | 'SendUln302' | 'ReceiveUln302' | 'PriceFeed' | 'Executor' | 'DVN', string>
>;
type Maker = <A extends Abi>(
  name: keyof LayerZeroAddressBook,
  abi: A,
  artifact: string,
  ...args: unknown[]
) => Promise<TypedContract<A>>;

/** Deploys a LayerZero artifact: at its address in `at` when it has one, else wherever CREATE puts it. */
function maker(signer: Signer, at: LayerZeroAddressBook): Maker {
  return (name, abi, artifact, ...args) => {
    const target = at[name];
    return target
      ? deployAt(signer, target, abi, lzBytecode(artifact), ...args)
      : deploy(signer, abi, lzBytecode(artifact), ...args);
  };
}

/**
 * Deploys the endpoint and its libraries on one chain and makes them the default for
 * `remoteEids`. `workers` is the address that signs for the DVN and runs the executor;
 * `confirmations` is how many blocks the DVN waits on this chain's packets (the send side) and
 * the receive side requires of packets from every remote.
 */
export async function deployLayerZero(
  signer: Signer,
  eid: number,
  remoteEids: number[],
  options: { messageLib: MessageLibKind; workers: string; confirmations: number; at?: LayerZeroAddressBook },
): Promise<LayerZeroDeployment> {
  const owner = await signer.getAddress();
  const make = maker(signer, options.at ?? {});
  const endpoint = await make('EndpointV2', endpointV2Abi, 'EndpointV2.sol/EndpointV2.json', eid, owner);
  const read = await deployRead(signer, endpoint, [eid, ...remoteEids]);
  if (options.messageLib === 'simple') {
    const lib = await deploy(
      signer,
      simpleMessageLibAbi,
      lzBytecode('messagelib/SimpleMessageLib.sol/SimpleMessageLib.json'),
      endpoint.address,
      owner,
    );
    await endpoint.send('registerLibrary', [lib.address]);
    for (const remote of remoteEids) {
      await endpoint.send('setDefaultSendLibrary', [remote, lib.address]);
      await endpoint.send('setDefaultReceiveLibrary', [remote, lib.address, 0n]);
    }
    await lib.send('setWhitelistCaller', [options.workers]);
    return { endpoint: endpoint.address, read, messageLib: lib.address };
  }
  const uln = await deployUln302(
    signer,
    make,
    endpoint,
    eid,
    remoteEids,
    options.workers,
    BigInt(options.confirmations),
  );
  return { endpoint: endpoint.address, read, uln };
}

/** What the devnet's read workers charge: $0.05 per request, and the answer's delivery gas at 1 gwei. */
const READ_REQUEST_FEE_USD = 5n * 10n ** 16n;
const NATIVE_PRICE_USD_WAD = 3_000n * 10n ** 18n;
/** SupportedCmdTypes bits: 0 = an EVM call request, 1 = an EVM call compute. */
const READ_CMD_TYPES = 0b11n;

/**
 * ReadLib1002 with SimpleReadDVN and SimpleReadExecutor, the endpoint's default library for the
 * read channel, able to read every chain in `targetEids` (this one included). No treasury.
 */
async function deployRead(
  signer: Signer,
  endpoint: TypedContract<typeof endpointV2Abi>,
  targetEids: number[],
): Promise<ReadWorkers> {
  const readLib = await deploy(
    signer,
    readLib1002Abi,
    lzBytecode('uln/readlib/ReadLib1002.sol/ReadLib1002.json'),
    endpoint.address,
    10n ** 12n,
    100_000n,
  );
  const dvn = await deploy(
    signer,
    simpleReadDvnAbi,
    lzBytecode('uln/dvn/SimpleReadDVN.sol/SimpleReadDVN.json'),
    readLib.address,
  );
  await dvn.send('setCmdFees', [READ_REQUEST_FEE_USD, 0n, 0n, NATIVE_PRICE_USD_WAD]);
  await dvn.send('setSupportedCmdTypes', [targetEids.map((targetEid) => ({ targetEid, types: READ_CMD_TYPES }))]);
  const executor = await deploy(
    signer,
    simpleReadExecutorAbi,
    lzBytecode('SimpleReadExecutor.sol/SimpleReadExecutor.json'),
    endpoint.address,
  );
  await executor.send('configGas', [16n, DEVNET_GAS_PRICE_WEI]);
  const config = {
    executor: executor.address,
    requiredDVNCount: 1,
    optionalDVNCount: 0,
    optionalDVNThreshold: 0,
    requiredDVNs: [dvn.address],
    optionalDVNs: [],
  };
  await readLib.send('setDefaultReadLibConfigs', [[{ eid: READ_CHANNEL, config }]]);
  await endpoint.send('registerLibrary', [readLib.address]);
  await endpoint.send('setDefaultSendLibrary', [READ_CHANNEL, readLib.address]);
  await endpoint.send('setDefaultReceiveLibrary', [READ_CHANNEL, readLib.address, 0n]);
  return { channel: READ_CHANNEL, readLib: readLib.address, dvn: dvn.address, executor: executor.address };
}

async function deployUln302(
  signer: Signer,
  make: Maker,
  endpoint: TypedContract<typeof endpointV2Abi>,
  eid: number,
  remoteEids: number[],
  workers: string,
  confirmations: bigint,
): Promise<UlnWorkers> {
  const owner = await signer.getAddress();
  // No treasury is set: the protocol's share of the fee is zero, as on a pathway without one.
  const sendLib = await make(
    'SendUln302',
    sendUln302Abi,
    'uln/uln302/SendUln302.sol/SendUln302.json',
    endpoint.address,
    10n ** 12n,
    100_000n,
  );
  const receiveLib = await make(
    'ReceiveUln302',
    receiveUln302Abi,
    'uln/uln302/ReceiveUln302.sol/ReceiveUln302.json',
    endpoint.address,
  );
  await endpoint.send('registerLibrary', [sendLib.address]);
  await endpoint.send('registerLibrary', [receiveLib.address]);

  // PriceFeed and Executor are upgradeable implementations: deployed and initialised directly.
  const priceFeed = await make('PriceFeed', priceFeedAbi, 'PriceFeed.sol/PriceFeed.json');
  await priceFeed.send('initialize', [owner]);
  const denominator = await priceFeed.read('getPriceRatioDenominator', []);
  // The price feed keys prices by endpoint id modulo 30,000 (the chain, whatever the endpoint version).
  await priceFeed.send('setPrice', [
    remoteEids.map((remote) => ({
      eid: remote % 30_000,
      price: { priceRatio: denominator, gasPriceInUnit: DEVNET_GAS_PRICE_WEI, gasPerByte: 16 },
    })),
  ]);
  await priceFeed.send('setNativeTokenPriceUSD', [NATIVE_PRICE_USD]);

  const libs = [sendLib.address, receiveLib.address];
  const executor = await make('Executor', executorAbi, 'Executor.sol/Executor.json');
  await executor.send('initialize', [
    endpoint.address,
    '0x0000000000000000000000000000000000000000',
    libs,
    priceFeed.address,
    owner,
    [workers],
  ]);
  const executorFeeLib = await deploy(
    signer,
    executorFeeLibAbi,
    lzBytecode('ExecutorFeeLib.sol/ExecutorFeeLib.json'),
    eid,
    10n ** 18n,
  );
  await executor.send('setWorkerFeeLib', [executorFeeLib.address]);
  await executor.send('setDstConfig', [
    remoteEids.map((remote) => ({
      dstEid: remote,
      lzReceiveBaseGas: EXECUTOR_BASE_GAS,
      lzComposeBaseGas: EXECUTOR_BASE_GAS,
      multiplierBps: WORKER_MULTIPLIER_BPS,
      floorMarginUSD: WORKER_FLOOR_MARGIN_USD,
      nativeCap: 10n ** 17n,
    })),
  ]);

  const dvnVid = eid;
  const dvn = await make(
    'DVN',
    dvnAbi,
    'uln/dvn/DVN.sol/DVN.json',
    eid,
    dvnVid,
    libs,
    priceFeed.address,
    [workers],
    1n,
    [owner, workers],
  );
  const dvnFeeLib = await deploy(
    signer,
    dvnFeeLibAbi,
    lzBytecode('uln/dvn/DVNFeeLib.sol/DVNFeeLib.json'),
    eid,
    10n ** 18n,
  );
  await dvn.send('setWorkerFeeLib', [dvnFeeLib.address]);
  await dvn.send('setDstConfig', [
    remoteEids.map((remote) => ({
      dstEid: remote,
      gas: DVN_VERIFY_GAS,
      multiplierBps: WORKER_MULTIPLIER_BPS,
      floorMarginUSD: WORKER_FLOOR_MARGIN_USD,
    })),
  ]);

  // Each side of a pathway names its own chain's DVN: this chain's DVN is paid on send and
  // verifies on receive.
  const ulnConfig = {
    confirmations,
    requiredDVNCount: 1,
    optionalDVNCount: 0,
    optionalDVNThreshold: 0,
    requiredDVNs: [dvn.address],
    optionalDVNs: [],
  };
  await sendLib.send('setDefaultUlnConfigs', [remoteEids.map((remote) => ({ eid: remote, config: ulnConfig }))]);
  await receiveLib.send('setDefaultUlnConfigs', [remoteEids.map((remote) => ({ eid: remote, config: ulnConfig }))]);
  await sendLib.send('setDefaultExecutorConfigs', [
    remoteEids.map((remote) => ({
      eid: remote,
      config: { maxMessageSize: MAX_MESSAGE_SIZE, executor: executor.address },
    })),
  ]);
  for (const remote of remoteEids) {
    await endpoint.send('setDefaultSendLibrary', [remote, sendLib.address]);
    await endpoint.send('setDefaultReceiveLibrary', [remote, receiveLib.address, 0n]);
  }
  return {
    sendLib: sendLib.address,
    receiveLib: receiveLib.address,
    dvn: dvn.address,
    dvnVid,
    executor: executor.address,
    priceFeed: priceFeed.address,
  };
}

/** Puts Multicall3's code at its canonical address, where public networks have it. */
export async function placeMulticall3(provider: JsonRpcProvider): Promise<void> {
  const code = (
    JSON.parse(readFileSync(loadArtifact('Multicall3.sol').path, 'utf8')) as { deployedBytecode: { object: string } }
  ).deployedBytecode.object;
  await provider.send('anvil_setCode', [MULTICALL3_ADDRESS, code]);
}
