/**
 * Unified health on every spoke: a HealthReader per spoke chain (the hub chain calls MarginHub
 * itself), wired to read the hub with lzRead. Its read channel is open (the channel's peer is the
 * reader itself, as OAppRead has it), every request carries the file's lzRead gas and answer
 * size, and the channel is pinned to ReadLib1002 with the file's read DVNs and executor rather
 * than LayerZero's defaults.
 */
import { AbiCoder, zeroPadValue } from 'ethers';
import { endpointV2Abi, healthReaderAbi, readLib1002Abi } from '@omnichain-collateral/sdk/abi';
import { lzReadOption } from '@omnichain-collateral/sdk/lzOptions';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { loadArtifact } from './artifacts.js';
import { sameAddress, type ChainContext, type DeployContext } from './context.js';
import { NIL_DVN_COUNT, sorted } from './wireLayerZero.js';

/** ReadLib1002's one config type: the executor and DVNs of an OApp's read channel. */
const CONFIG_TYPE_READ_LIB = 1;
const READ_LIB_CONFIG_TYPE =
  'tuple(address executor, uint8 requiredDVNCount, uint8 optionalDVNCount, uint8 optionalDVNThreshold, address[] requiredDVNs, address[] optionalDVNs)';

interface ReadLibConfig {
  executor: string;
  requiredDVNCount: number;
  optionalDVNCount: number;
  optionalDVNThreshold: number;
  requiredDVNs: readonly string[];
  optionalDVNs: readonly string[];
}

/** Deploys and wires a HealthReader on every spoke; returns chain name => reader address. */
export async function wireHealthReaders(ctx: DeployContext, hub: string): Promise<Map<string, string>> {
  const readers = new Map<string, string>();
  if (!ctx.file.read) return readers;
  for (const chain of ctx.chains.values()) {
    if (chain === ctx.hub) continue;
    readers.set(chain.spec.name, await wireHealthReader(ctx, chain, hub));
  }
  return readers;
}

async function wireHealthReader(ctx: DeployContext, chain: ChainContext, hub: string): Promise<string> {
  const read = ctx.file.read!;
  const lz = chain.lz.read!;
  const channel = read.channel;
  const reader = await ctx.ensureContract(
    `healthReader:${chain.spec.name}`,
    chain,
    healthReaderAbi,
    loadArtifact('HealthReader.sol'),
    [chain.lz.endpoint, ctx.deployer, channel, ctx.hub.eid, hub, read.multicall, read.hubConfirmations],
  );
  // What the constructor fixed cannot be converged: a file that asks otherwise needs a new reader.
  const fixed: Array<[string, unknown, unknown]> = [
    ['hub', (await reader.read('hub', [])).toLowerCase(), hub.toLowerCase()],
    ['readChannel', Number(await reader.read('readChannel', [])), channel],
    ['hubConfirmations', Number(await reader.read('hubConfirmations', [])), read.hubConfirmations],
    ['multicall', (await reader.read('multicall', [])).toLowerCase(), read.multicall.toLowerCase()],
  ];
  for (const [what, now, want] of fixed) {
    if (now !== want)
      throw new Error(
        `${chain.spec.name}: the HealthReader at ${reader.address} has ${what} ${String(now)}, the network file asks ${String(want)}`,
      );
  }

  const self = zeroPadValue(reader.address, 32).toLowerCase();
  await ctx.converge(
    chain,
    `healthReader: read channel ${channel} open`,
    async () => (await reader.read('peers', [channel])).toLowerCase() === self,
    () => reader.send('setReadChannel', [channel, true]),
  );
  const options = lzReadOption(read.gas, read.answerSize);
  const msgType = Number(await reader.read('READ_FIGURES', []));
  await ctx.converge(
    chain,
    `healthReader: enforced lzRead gas ${read.gas}, answer ${read.answerSize} bytes`,
    async () => (await reader.read('enforcedOptions', [channel, msgType])).toLowerCase() === options.toLowerCase(),
    () => reader.send('setEnforcedOptions', [[{ eid: channel, msgType, options }]]),
  );

  const endpoint = new TypedContract(endpointV2Abi, chain.lz.endpoint, chain.signer);
  await ctx.converge(
    chain,
    `healthReader: read channel send library ${lz.readLib}`,
    async () =>
      !(await endpoint.read('isDefaultSendLibrary', [reader.address, channel])) &&
      sameAddress(await endpoint.read('getSendLibrary', [reader.address, channel]), lz.readLib),
    () => endpoint.send('setSendLibrary', [reader.address, channel, lz.readLib]),
  );
  await ctx.converge(
    chain,
    `healthReader: read channel receive library ${lz.readLib}`,
    async () => {
      const [lib, isDefault] = await endpoint.read('getReceiveLibrary', [reader.address, channel]);
      return !isDefault && sameAddress(lib, lz.readLib);
    },
    () => endpoint.send('setReceiveLibrary', [reader.address, channel, lz.readLib, 0n]),
  );
  const required = sorted(lz.requiredDVNs);
  const optional = sorted(lz.optionalDVNs);
  const want: ReadLibConfig = {
    executor: lz.executor,
    requiredDVNCount: required.length === 0 ? NIL_DVN_COUNT : required.length,
    optionalDVNCount: optional.length === 0 ? NIL_DVN_COUNT : optional.length,
    optionalDVNThreshold: read.optionalThreshold,
    requiredDVNs: required,
    optionalDVNs: optional,
  };
  const readLib = new TypedContract(readLib1002Abi, lz.readLib, chain.provider);
  await ctx.converge(
    chain,
    `healthReader: read executor ${lz.executor}, read DVNs ${required.join(' ')}`,
    async () => sameReadConfig(await readLib.read('getAppReadLibConfig', [reader.address, channel]), want),
    () =>
      endpoint.send('setConfig', [
        reader.address,
        lz.readLib,
        [
          {
            eid: channel,
            configType: CONFIG_TYPE_READ_LIB,
            config: AbiCoder.defaultAbiCoder().encode(
              [READ_LIB_CONFIG_TYPE],
              [
                [
                  want.executor,
                  want.requiredDVNCount,
                  want.optionalDVNCount,
                  want.optionalDVNThreshold,
                  want.requiredDVNs,
                  want.optionalDVNs,
                ],
              ],
            ),
          },
        ],
      ]),
  );
  return reader.address;
}

function sameReadConfig(a: ReadLibConfig, b: ReadLibConfig): boolean {
  const list = (x: readonly string[]) => x.map((d) => d.toLowerCase()).join(',');
  return (
    sameAddress(a.executor, b.executor) &&
    a.requiredDVNCount === b.requiredDVNCount &&
    a.optionalDVNCount === b.optionalDVNCount &&
    a.optionalDVNThreshold === b.optionalDVNThreshold &&
    list(a.requiredDVNs) === list(b.requiredDVNs) &&
    list(a.optionalDVNs) === list(b.optionalDVNs)
  );
}
