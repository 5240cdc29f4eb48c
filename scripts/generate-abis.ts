/**
 * `npm run abis`: writes every contract ABI the TypeScript side calls into `sdk/src/abi/` as typed
 * constants (`as const`, so abitype infers each function's arguments and results), from forge's
 * build output and the LayerZero artifacts on npm. The relayer and the SDK read ABIs only from
 * there, so they run against a real network without a forge build. `npm test` fails when a
 * committed file differs from what this writes (test/unit/abis.test.ts): rerun it after changing a
 * contract's interface.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const abiDir = join(root, 'sdk', 'src', 'abi');
/** ABIs of test-only harness contracts, typed the same way, for the tests alone. */
export const testAbiDir = join(root, 'test', 'e2e', 'abi');

interface AbiSource {
  /** the exported constant, e.g. marginHubAbi, and its file sdk/src/abi/<file>.ts */
  name: string;
  file: string;
  /** where the ABI comes from, for the file's header */
  from: string;
  read: () => unknown[];
  devnet?: true;
  /** a test harness: written to test/e2e/abi, not shipped in the SDK */
  test?: true;
}

const forgeOut =
  (sol: string, contract = sol) =>
  () =>
    (JSON.parse(readFileSync(join(root, 'out', `${sol}.sol`, `${contract}.json`), 'utf8')) as { abi: unknown[] }).abi;
const lzArtifact = (path: string) => () =>
  (
    JSON.parse(readFileSync(require.resolve(`@layerzerolabs/lz-evm-sdk-v2/artifacts/contracts/${path}`), 'utf8')) as {
      abi: unknown[];
    }
  ).abi;

export const ABI_SOURCES: AbiSource[] = [
  { name: 'marginHubAbi', file: 'marginHub', from: 'contracts/src/MarginHub.sol', read: forgeOut('MarginHub') },
  {
    name: 'riskEngineAbi',
    file: 'riskEngine',
    from: 'contracts/src/risk/RiskEngine.sol',
    read: forgeOut('RiskEngine'),
  },
  {
    name: 'collateralVaultAbi',
    file: 'collateralVault',
    from: 'contracts/src/CollateralVault.sol',
    read: forgeOut('CollateralVault'),
  },
  {
    name: 'riskStewardAbi',
    file: 'riskSteward',
    from: 'contracts/src/risk/RiskSteward.sol',
    read: forgeOut('RiskSteward'),
  },
  {
    name: 'backstopVaultAbi',
    file: 'backstopVault',
    from: 'contracts/src/backstop/BackstopVault.sol',
    read: forgeOut('BackstopVault'),
  },
  {
    name: 'healthReaderAbi',
    file: 'healthReader',
    from: 'contracts/src/read/HealthReader.sol',
    read: forgeOut('HealthReader'),
  },
  {
    name: 'timelockAbi',
    file: 'timelock',
    from: 'contracts/src/governance/Timelock.sol (OpenZeppelin TimelockController)',
    read: forgeOut('Timelock'),
  },
  {
    name: 'aggregatorV3Abi',
    file: 'aggregatorV3',
    from: "contracts/src/interfaces/AggregatorV3Interface.sol (Chainlink's feed interface)",
    read: forgeOut('AggregatorV3Interface'),
  },
  {
    name: 'aggregatorProxyAbi',
    file: 'aggregatorProxy',
    from: "contracts/src/interfaces/AggregatorProxyInterface.sol (Chainlink's proxy: its phases' aggregators)",
    read: forgeOut('AggregatorProxyInterface'),
  },
  { name: 'erc20Abi', file: 'erc20', from: '@openzeppelin/contracts IERC20Metadata', read: forgeOut('IERC20Metadata') },
  {
    name: 'multicall3Abi',
    file: 'multicall3',
    from: 'Multicall3 (contracts/src/devnet/Multicall3.sol, the canonical read functions)',
    read: forgeOut('Multicall3'),
  },
  {
    name: 'endpointV2Abi',
    file: 'endpointV2',
    from: '@layerzerolabs/lz-evm-sdk-v2 EndpointV2',
    read: lzArtifact('EndpointV2.sol/EndpointV2.json'),
  },
  {
    name: 'simpleMessageLibAbi',
    file: 'simpleMessageLib',
    from: '@layerzerolabs/lz-evm-sdk-v2 SimpleMessageLib',
    read: lzArtifact('messagelib/SimpleMessageLib.sol/SimpleMessageLib.json'),
    devnet: true,
  },
  {
    name: 'sendUln302Abi',
    file: 'sendUln302',
    from: '@layerzerolabs/lz-evm-sdk-v2 SendUln302',
    read: lzArtifact('uln/uln302/SendUln302.sol/SendUln302.json'),
  },
  {
    name: 'receiveUln302Abi',
    file: 'receiveUln302',
    from: '@layerzerolabs/lz-evm-sdk-v2 ReceiveUln302',
    read: lzArtifact('uln/uln302/ReceiveUln302.sol/ReceiveUln302.json'),
  },
  {
    name: 'readLib1002Abi',
    file: 'readLib1002',
    from: '@layerzerolabs/lz-evm-sdk-v2 ReadLib1002',
    read: lzArtifact('uln/readlib/ReadLib1002.sol/ReadLib1002.json'),
  },
  {
    name: 'dvnAbi',
    file: 'dvn',
    from: '@layerzerolabs/lz-evm-sdk-v2 DVN',
    read: lzArtifact('uln/dvn/DVN.sol/DVN.json'),
    devnet: true,
  },
  {
    name: 'dvnFeeLibAbi',
    file: 'dvnFeeLib',
    from: '@layerzerolabs/lz-evm-sdk-v2 DVNFeeLib',
    read: lzArtifact('uln/dvn/DVNFeeLib.sol/DVNFeeLib.json'),
    devnet: true,
  },
  {
    name: 'executorAbi',
    file: 'executor',
    from: '@layerzerolabs/lz-evm-sdk-v2 Executor',
    read: lzArtifact('Executor.sol/Executor.json'),
    devnet: true,
  },
  {
    name: 'executorFeeLibAbi',
    file: 'executorFeeLib',
    from: '@layerzerolabs/lz-evm-sdk-v2 ExecutorFeeLib',
    read: lzArtifact('ExecutorFeeLib.sol/ExecutorFeeLib.json'),
    devnet: true,
  },
  {
    name: 'priceFeedAbi',
    file: 'priceFeed',
    from: '@layerzerolabs/lz-evm-sdk-v2 PriceFeed',
    read: lzArtifact('PriceFeed.sol/PriceFeed.json'),
    devnet: true,
  },
  {
    name: 'simpleReadDvnAbi',
    file: 'simpleReadDvn',
    from: '@layerzerolabs/lz-evm-sdk-v2 SimpleReadDVN',
    read: lzArtifact('uln/dvn/SimpleReadDVN.sol/SimpleReadDVN.json'),
    devnet: true,
  },
  {
    name: 'simpleReadExecutorAbi',
    file: 'simpleReadExecutor',
    from: '@layerzerolabs/lz-evm-sdk-v2 SimpleReadExecutor',
    read: lzArtifact('SimpleReadExecutor.sol/SimpleReadExecutor.json'),
    devnet: true,
  },
  {
    name: 'testTokenAbi',
    file: 'testToken',
    from: 'contracts/src/devnet/TestToken.sol',
    read: forgeOut('TestToken'),
    devnet: true,
  },
  {
    name: 'manualAggregatorAbi',
    file: 'manualAggregator',
    from: 'contracts/src/devnet/ManualAggregator.sol',
    read: forgeOut('ManualAggregator'),
    devnet: true,
  },
  {
    name: 'messageCodecHarnessAbi',
    file: 'messageCodecHarness',
    from: 'contracts/test/harness/MessageCodecHarness.sol',
    read: forgeOut('MessageCodecHarness'),
    test: true,
  },
];

/** Each file's path and the text it should hold. */
export function renderAbiFiles(): Array<{ path: string; text: string }> {
  const files = ABI_SOURCES.map((s) => ({
    path: join(s.test ? testAbiDir : abiDir, `${s.file}.ts`),
    text:
      `// Generated by \`npm run abis\` from ${s.from}; do not edit.${s.devnet ? '\n// Devnet and tests only.' : ''}\n` +
      `export const ${s.name} = ${render(s.read())} as const;\n`,
  }));
  const index = ABI_SOURCES.filter((s) => !s.test)
    .map((s) => `export { ${s.name} } from './${s.file}.js';`)
    .join('\n');
  files.push({ path: join(abiDir, 'index.ts'), text: `// Generated by \`npm run abis\`; do not edit.\n${index}\n` });
  return files;
}

/** One ABI item per line: diffs show which function changed. */
function render(abi: unknown[]): string {
  return `[\n${abi.map((item) => `  ${JSON.stringify(item)},`).join('\n')}\n]`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(testAbiDir, { recursive: true });
  for (const f of renderAbiFiles()) writeFileSync(f.path, f.text);
  process.stdout.write(`wrote ${ABI_SOURCES.length} ABIs to ${abiDir}\n`);
}
