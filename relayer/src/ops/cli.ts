/**
 * `npm run ops -- <command>`: operator actions on messages the relayer tracks. Reads the relayer's
 * config and store (it may be running); signs with the key in the OPS_KEY environment variable,
 * never one on the command line.
 *
 *   retry --guid <0x…> --gas <n>   execute a verified, unexecuted message with more gas
 */
import { Command, InvalidArgumentError } from 'commander';
import { connectChain } from '../chain/clients.js';
import { loadRelayerConfig } from '../config.js';
import { createLogger } from '../log.js';
import { RelayerStore } from '../store/store.js';
import { retryWithGas } from './retry.js';

const guidOption = (value: string) => {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) throw new InvalidArgumentError('--guid must be 0x followed by 64 hex characters');
  return value.toLowerCase();
};
const gasOption = (value: string) => {
  if (!/^\d+$/.test(value) || BigInt(value) < 21_000n || BigInt(value) > 100_000_000n) throw new InvalidArgumentError('--gas must be a whole number from 21000 to 100000000');
  return BigInt(value);
};

const program = new Command().name('npm run ops --').description('Operator actions on cross-chain messages.');
program
  .command('retry')
  .description('Execute a message its destination holds verified but not executed (it ran out of gas or reverted), with more gas. Signs with OPS_KEY.')
  .requiredOption('--config <file>', 'the relayer config JSON (its dataDir holds the store)')
  .requiredOption('--guid <guid>', 'the message, as GET /v1/messages lists it', guidOption)
  .requiredOption('--gas <n>', 'gas for the execution', gasOption)
  .action(async (opts: { config: string; guid: string; gas: bigint }) => {
    const key = process.env.OPS_KEY;
    if (!key || !/^0x[0-9a-fA-F]{64}$/.test(key)) throw new Error('set OPS_KEY to the 0x-prefixed private key that pays for the execution');
    const config = loadRelayerConfig(opts.config);
    const store = await RelayerStore.open(config.dataDir);
    const message = store.message(opts.guid);
    if (!message) throw new Error(`no message ${opts.guid} in the store at ${config.dataDir}`);
    const chainConfig = config.chains.find((c) => c.eid === message.dstEid);
    if (!chainConfig) throw new Error(`message ${opts.guid} goes to eid ${message.dstEid}, which the config does not name`);
    const chain = connectChain(chainConfig, config.pollIntervalMs, createLogger('silent'));
    try {
      const result = await retryWithGas(chain, message, key, opts.gas);
      process.stdout.write(`executed ${opts.guid} on ${chainConfig.name} in ${result.txHash} (${result.gasUsed} gas used)\n`);
    } finally {
      chain.provider.destroy();
    }
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`ops: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
