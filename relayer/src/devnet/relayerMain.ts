/**
 * The relayer as its own process on a devnet, with the devnet's DVN and executor when the config
 * asks for them: `tsx relayer/src/devnet/relayerMain.ts --config relayer.json`. (`npm run
 * relayer` is the same for public networks, where LayerZero's workers deliver.) The crash demo
 * runs the relayer this way, and its fault test kills it.
 */
import { runRelayerCli } from '../cli.js';
import { createDevnetRelayer } from './relayer.js';

await runRelayerCli('relayerMain', createDevnetRelayer);
