/**
 * What every step of a deployment shares: a connection and the deployer's wallet per chain, the
 * progress record, and the two moves a step can make. `ensureContract` creates a contract unless
 * the record shows it on chain; `converge` reads a setting and sends a transaction only when the
 * chain differs from what the network file asks. A run after a finished one therefore sends
 * nothing, and a run after a failure picks up where it stopped.
 */
import { ContractFactory, getAddress, getCreateAddress, JsonRpcProvider, Wallet } from 'ethers';
import type { Abi } from 'abitype';
import { endpointV2Abi } from '@omnichain-collateral/sdk/abi';
import { TypedContract } from '@omnichain-collateral/sdk/contracts/typedContract';
import type { Artifact } from './artifacts.js';
import { layerZeroAddresses, type LayerZeroAddresses } from './layerZeroAddresses.js';
import { saveProgress, type DeployProgress } from './manifest.js';
import type { NetworkChain, NetworkFile } from './networkFile.js';

export interface ChainContext {
  spec: NetworkChain;
  /** read from the endpoint, never from the network file */
  eid: number;
  provider: JsonRpcProvider;
  signer: Wallet;
  lz: LayerZeroAddresses;
}

export interface DeployLog {
  (line: string): void;
}

export class DeployContext {
  /** transactions this run sent */
  transactions = 0;

  private constructor(
    readonly file: NetworkFile,
    readonly chains: Map<string, ChainContext>,
    readonly deployer: string,
    readonly progress: DeployProgress,
    private readonly progressPath: string | undefined,
    readonly log: DeployLog,
  ) {}

  /**
   * Connects to every chain the file names and checks each is the chain it claims to be, with
   * LayerZero's endpoint where the file says.
   */
  static async connect(
    file: NetworkFile,
    deployerKey: string,
    options: { progress?: DeployProgress; progressPath?: string; log: DeployLog; pollingIntervalMs: number },
  ): Promise<DeployContext> {
    const chains = new Map<string, ChainContext>();
    const deployer = new Wallet(deployerKey).address;
    if (
      options.progress &&
      (options.progress.network !== file.name || getAddress(options.progress.deployer) !== deployer)
    ) {
      throw new Error(
        `the manifest records network "${options.progress.network}" deployed by ${options.progress.deployer}, ` +
          `not "${file.name}" by ${deployer}: give another --manifest`,
      );
    }
    for (const spec of file.chains) {
      // No result cache: a nonce read 250 ms after a transaction must see it.
      const provider = new JsonRpcProvider(spec.rpcUrl, undefined, {
        staticNetwork: true,
        pollingInterval: options.pollingIntervalMs,
        cacheTimeout: -1,
      });
      const chainId = Number(
        await provider.send('eth_chainId', []).catch((err: unknown) => {
          throw new Error(
            `${spec.name}: no answer from ${spec.rpcUrl} (${err instanceof Error ? err.message : String(err)})`,
          );
        }),
      );
      if (chainId !== spec.chainId)
        throw new Error(`${spec.name}: ${spec.rpcUrl} is chain ${chainId}, the network file says ${spec.chainId}`);
      const lz = layerZeroAddresses(spec, file.pathway, file.read);
      if ((await provider.getCode(lz.endpoint)) === '0x')
        throw new Error(`${spec.name}: no LayerZero EndpointV2 at ${lz.endpoint}`);
      const eid = Number(await new TypedContract(endpointV2Abi, lz.endpoint, provider).read('eid', []));
      chains.set(spec.name, { spec, eid, provider, signer: new Wallet(deployerKey, provider), lz });
    }
    const progress = options.progress ?? { network: file.name, deployer, contracts: {} };
    return new DeployContext(file, chains, deployer, progress, options.progressPath, options.log);
  }

  chain(name: string): ChainContext {
    const chain = this.chains.get(name);
    if (!chain) throw new Error(`no chain named ${name}`);
    return chain;
  }

  get hub(): ChainContext {
    return this.chain(this.file.hub);
  }

  save(): void {
    if (this.progressPath) saveProgress(this.progressPath, this.progress);
  }

  /**
   * The contract recorded under `key`, created first unless its code is on chain. The address
   * (from the deployer's nonce) is recorded before the transaction is sent, so a run that dies
   * while it is in flight finds the contract the next time.
   */
  async ensureContract<A extends Abi>(
    key: string,
    chain: ChainContext,
    abi: A,
    artifact: Artifact,
    args: unknown[],
  ): Promise<TypedContract<A>> {
    const recorded = this.progress.contracts[key];
    if (recorded && (await chain.provider.getCode(recorded.address)) !== '0x') {
      if (recorded.pending) {
        this.progress.contracts[key] = { chain: recorded.chain, address: recorded.address, nonce: recorded.nonce };
        this.save();
      }
      return new TypedContract(abi, recorded.address, chain.signer);
    }
    const nonce = await chain.provider.getTransactionCount(this.deployer, 'pending');
    const address = getCreateAddress({ from: this.deployer, nonce });
    this.progress.contracts[key] = { chain: chain.spec.name, address, nonce, pending: true };
    this.save();
    this.log(`${chain.spec.name}: deploying ${key} at ${address}`);
    const contract = await new ContractFactory(abi as never, artifact.bytecode, chain.signer).deploy(...args, {
      nonce,
    });
    await contract.waitForDeployment();
    this.transactions++;
    this.progress.contracts[key] = { chain: chain.spec.name, address, nonce };
    this.save();
    return new TypedContract(abi, address, chain.signer);
  }

  /**
   * Sends `apply` only when `isCurrent` says the chain differs from the file. `what` names the
   * setting in the log ("hub: peer for arbsep").
   */
  async converge(
    chain: ChainContext,
    what: string,
    isCurrent: () => Promise<boolean>,
    apply: () => Promise<void>,
  ): Promise<void> {
    if (await isCurrent()) return;
    this.log(`${chain.spec.name}: ${what}`);
    await apply();
    this.transactions++;
  }
}

export const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
