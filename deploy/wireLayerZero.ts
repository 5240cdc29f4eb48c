/**
 * Each pathway's LayerZero configuration, pinned on the OApp rather than left to LayerZero's
 * defaults (which its owner may change): the send and receive libraries, and on ULN302 the
 * executor and the DVNs with the confirmations they wait. The OApp's delegate (the deployer)
 * sets them through the endpoint.
 *
 * A pathway A -> B is verified by the DVNs A's send side names (paid on A) at the confirmations
 * of A; B's receive side must name the same DVNs (their contracts on B) and require the same
 * confirmations, or every message from A stays unverified.
 */
import { AbiCoder } from 'ethers';
import { endpointV2Abi, receiveUln302Abi, sendUln302Abi } from '@omnichain-collateral/sdk/abi';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import { sameAddress, type ChainContext, type DeployContext } from './context.js';

const CONFIG_TYPE_EXECUTOR = 1;
const CONFIG_TYPE_ULN = 2;
/** UlnBase's "literally none" values: 0 would mean "use LayerZero's default". */
export const NIL_DVN_COUNT = 255;
const NIL_CONFIRMATIONS = 2n ** 64n - 1n;

interface UlnConfig {
  confirmations: bigint;
  requiredDVNCount: number;
  optionalDVNCount: number;
  optionalDVNThreshold: number;
  requiredDVNs: readonly string[];
  optionalDVNs: readonly string[];
}

const ULN_CONFIG_TYPE =
  'tuple(uint64 confirmations, uint8 requiredDVNCount, uint8 optionalDVNCount, uint8 optionalDVNThreshold, address[] requiredDVNs, address[] optionalDVNs)';
const EXECUTOR_CONFIG_TYPE = 'tuple(uint32 maxMessageSize, address executor)';

/** DVN lists must be sorted ascending with no duplicates (UlnBase rejects anything else). */
export const sorted = (dvns: string[]) =>
  [...new Set(dvns.map((d) => d.toLowerCase()))].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));

/** The pinned ULN config of a pathway whose source chain waits `confirmations`, verified by `chain`'s DVN contracts. */
function ulnConfig(ctx: DeployContext, chain: ChainContext, confirmations: number): UlnConfig {
  const required = sorted(chain.lz.requiredDVNs);
  const optional = sorted(chain.lz.optionalDVNs);
  return {
    confirmations: confirmations === 0 ? NIL_CONFIRMATIONS : BigInt(confirmations),
    requiredDVNCount: required.length === 0 ? NIL_DVN_COUNT : required.length,
    optionalDVNCount: optional.length === 0 ? NIL_DVN_COUNT : optional.length,
    optionalDVNThreshold: ctx.file.pathway.optionalThreshold,
    requiredDVNs: required,
    optionalDVNs: optional,
  };
}

function sameUln(a: UlnConfig, b: UlnConfig): boolean {
  const list = (x: readonly string[]) => x.map((d) => d.toLowerCase()).join(',');
  return (
    a.confirmations === b.confirmations &&
    a.requiredDVNCount === b.requiredDVNCount &&
    a.optionalDVNCount === b.optionalDVNCount &&
    a.optionalDVNThreshold === b.optionalDVNThreshold &&
    list(a.requiredDVNs) === list(b.requiredDVNs) &&
    list(a.optionalDVNs) === list(b.optionalDVNs)
  );
}

const encodeUln = (c: UlnConfig) =>
  AbiCoder.defaultAbiCoder().encode(
    [ULN_CONFIG_TYPE],
    [[c.confirmations, c.requiredDVNCount, c.optionalDVNCount, c.optionalDVNThreshold, c.requiredDVNs, c.optionalDVNs]],
  );

/** Pins `oapp`'s pathways to and from `remote` on `chain`. */
export async function wirePathway(
  ctx: DeployContext,
  chain: ChainContext,
  label: string,
  oapp: string,
  remote: ChainContext,
): Promise<void> {
  const endpoint = new TypedContract(endpointV2Abi, chain.lz.endpoint, chain.signer);
  const { sendLib, receiveLib } = chain.lz;
  const eid = remote.eid;
  const to = `${label} -> ${remote.spec.name}`;
  const from = `${label} <- ${remote.spec.name}`;

  await ctx.converge(
    chain,
    `${to}: send library ${sendLib}`,
    async () =>
      !(await endpoint.read('isDefaultSendLibrary', [oapp, eid])) &&
      sameAddress(await endpoint.read('getSendLibrary', [oapp, eid]), sendLib),
    () => endpoint.send('setSendLibrary', [oapp, eid, sendLib]),
  );
  await ctx.converge(
    chain,
    `${from}: receive library ${receiveLib}`,
    async () => {
      const [lib, isDefault] = await endpoint.read('getReceiveLibrary', [oapp, eid]);
      return !isDefault && sameAddress(lib, receiveLib);
    },
    () => endpoint.send('setReceiveLibrary', [oapp, eid, receiveLib, 0n]),
  );
  if (ctx.file.pathway.messageLib === 'simple') return;

  const executor = chain.lz.executor!;
  const maxMessageSize = ctx.file.pathway.maxMessageSize;
  const send = new TypedContract(sendUln302Abi, sendLib, chain.provider);
  const sendUln = ulnConfig(ctx, chain, chain.spec.confirmations);
  await ctx.converge(
    chain,
    `${to}: executor ${executor}, DVNs ${sendUln.requiredDVNs.join(' ')}, ${chain.spec.confirmations} confirmations`,
    async () => {
      const [size, current] = await send.read('executorConfigs', [oapp, eid]);
      return (
        size === maxMessageSize &&
        sameAddress(current, executor) &&
        sameUln(await send.read('getAppUlnConfig', [oapp, eid]), sendUln)
      );
    },
    () =>
      endpoint.send('setConfig', [
        oapp,
        sendLib,
        [
          {
            eid,
            configType: CONFIG_TYPE_EXECUTOR,
            config: AbiCoder.defaultAbiCoder().encode([EXECUTOR_CONFIG_TYPE], [[maxMessageSize, executor]]),
          },
          { eid, configType: CONFIG_TYPE_ULN, config: encodeUln(sendUln) },
        ],
      ]),
  );

  const receive = new TypedContract(receiveUln302Abi, receiveLib, chain.provider);
  const receiveUln = ulnConfig(ctx, chain, remote.spec.confirmations);
  await ctx.converge(
    chain,
    `${from}: DVNs ${receiveUln.requiredDVNs.join(' ')}, ${remote.spec.confirmations} confirmations`,
    async () => sameUln(await receive.read('getAppUlnConfig', [oapp, eid]), receiveUln),
    () =>
      endpoint.send('setConfig', [
        oapp,
        receiveLib,
        [{ eid, configType: CONFIG_TYPE_ULN, config: encodeUln(receiveUln) }],
      ]),
  );
}
