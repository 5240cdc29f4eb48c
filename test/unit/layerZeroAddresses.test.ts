import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { getAddress } from 'ethers';
import { layerZeroAddresses, lzDeploymentAddress } from '../../deploy/layerZeroAddresses.js';
import { parseNetworkFile, type NetworkChain, type NetworkFile } from '../../deploy/networkFile.js';

const require = createRequire(import.meta.url);
/** The address in LayerZero's own deployment file, read here without the tool's lookup. */
const fileAddress = (deployment: string, file: string) =>
  getAddress(
    (
      JSON.parse(
        readFileSync(require.resolve(`@layerzerolabs/lz-evm-sdk-v2/deployments/${deployment}/${file}.json`), 'utf8'),
      ) as { address: string }
    ).address,
  );

const pathway = {
  messageLib: 'uln302',
  requiredDVNs: ['DVN'],
  optionalDVNs: [],
  optionalThreshold: 0,
  maxMessageSize: 10_000,
} as NetworkFile['pathway'];
const read = {
  channel: 4_294_967_295,
  requiredDVNs: ['DVNRead'],
  optionalDVNs: [],
  optionalThreshold: 0,
  hubConfirmations: 0,
  gas: 200_000n,
  answerSize: 640,
  multicall: '0xcA11bde05977b3631167028862bE2a173976CA11',
};
const chain = (deployment: string): NetworkChain => ({
  name: deployment,
  chainId: 1,
  rpcUrl: 'http://127.0.0.1:1',
  confirmations: 1,
  layerZero: { deployment },
});

describe('LayerZero addresses from @layerzerolabs/lz-evm-sdk-v2/deployments', function () {
  it('gives the lzRead stack of a testnet: ReadLib1002, the Executor and the named read DVN', function () {
    const lz = layerZeroAddresses(chain('arbsep-testnet'), pathway, read);
    expect(lz.read).to.deep.equal({
      readLib: fileAddress('arbsep-testnet', 'ReadLib1002'),
      executor: fileAddress('arbsep-testnet', 'Executor'),
      requiredDVNs: [fileAddress('arbsep-testnet', 'DVNRead')],
      optionalDVNs: [],
    });
    expect(layerZeroAddresses(chain('arbsep-testnet'), pathway).read, 'no read section, no read stack').to.equal(
      undefined,
    );
  });

  it('finds a contract whatever the case of its file name (basesep-testnet spells it DVNread)', function () {
    expect(lzDeploymentAddress('basesep-testnet', 'DVNRead')).to.equal(fileAddress('basesep-testnet', 'DVNread'));
  });

  it('names what is missing', function () {
    expect(() => lzDeploymentAddress('nowhere-testnet', 'EndpointV2')).to.throw(
      '@layerzerolabs/lz-evm-sdk-v2 has no deployment "nowhere-testnet"',
    );
    expect(() => lzDeploymentAddress('arbsep-testnet', 'NoSuchDVN')).to.throw(
      '@layerzerolabs/lz-evm-sdk-v2 has no NoSuchDVN deployment for "arbsep-testnet"',
    );
    const local = {
      ...chain('local'),
      layerZero: {
        endpoint: fileAddress('arbsep-testnet', 'EndpointV2'),
        sendLib: fileAddress('arbsep-testnet', 'SendUln302'),
        receiveLib: fileAddress('arbsep-testnet', 'ReceiveUln302'),
        executor: fileAddress('arbsep-testnet', 'Executor'),
        dvns: {},
      },
    };
    expect(() => layerZeroAddresses(local, { ...pathway, requiredDVNs: [] }, read)).to.throw(
      'local: lzRead needs layerZero.readLib and layerZero.readExecutor',
    );
  });

  it('the network file refuses a read section without a read DVN', function () {
    const file = {
      name: 'x',
      hub: 'a',
      chains: [chain('arbsep-testnet')],
      enforcedGas: { CREDIT: 1, RELEASE: 1, SEIZE: 1 },
      settlement: { token: fileAddress('arbsep-testnet', 'EndpointV2'), decimals: 6 },
      riskAssets: [],
      collateral: [],
    };
    expect(() => parseNetworkFile({ ...file, read: { requiredDVNs: [], gas: 200_000 } })).to.throw(
      /read\.requiredDVNs/,
    );
  });
});
