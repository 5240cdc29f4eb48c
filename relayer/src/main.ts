/**
 * `npm run relayer -- --config relayer.json`: the relayer on its own, against chains someone else
 * runs (a testnet, mainnet, or a devnet started elsewhere). LayerZero's DVNs and executors
 * deliver; the relayer indexes, keeps the book, liquidates (with a keeper key), reconciles and
 * serves the API.
 */
import { runRelayerCli } from './cli.js';
import { Relayer } from './relayer.js';

await runRelayerCli('npm run relayer --', async (config, log) => {
  // The devnet's stand-in DVN and executor run only on local devnets (npm start, devnet/relayerMain.ts).
  if (config.devnetWorker)
    throw new Error(
      'devnetWorker is for local devnets (npm start, or tsx relayer/src/devnet/relayerMain.ts); set it to false here',
    );
  return Relayer.create(config, log);
});
