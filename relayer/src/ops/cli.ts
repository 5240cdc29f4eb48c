/**
 * `npm run ops -- <command>`: operator actions on messages the relayer tracks. Reads the relayer's
 * config and store (it may be running); signs with the key in the OPS_KEY environment variable,
 * never one on the command line.
 *
 *   retry --guid <0x…> --gas <n>   execute a verified, unexecuted message with more gas
 *   clear | skip | nilify | burn --guid <0x…>   the receiving OApp's delegate drops (or, nilify,
 *                                  holds) a message; says what it does to the ledger and asks
 *                                  for confirmation (--yes for scripts)
 */
import { createInterface } from 'node:readline/promises';
import { Command, InvalidArgumentError } from 'commander';
import { connectChain } from '../chain/clients.js';
import { loadRelayerConfig } from '../config.js';
import { createLogger } from '../log.js';
import { RelayerStore } from '../store/store.js';
import { retryWithGas } from './retry.js';
import { DELEGATE_ACTIONS, planDelegateAction, type DelegateAction } from './delegate.js';

const guidOption = (value: string) => {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value))
    throw new InvalidArgumentError('--guid must be 0x followed by 64 hex characters');
  return value.toLowerCase();
};
const gasOption = (value: string) => {
  if (!/^\d+$/.test(value) || BigInt(value) < 21_000n || BigInt(value) > 100_000_000n)
    throw new InvalidArgumentError('--gas must be a whole number from 21000 to 100000000');
  return BigInt(value);
};

const program = new Command().name('npm run ops --').description('Operator actions on cross-chain messages.');
program
  .command('retry')
  .description(
    'Execute a message its destination holds verified but not executed (it ran out of gas or reverted), with more gas. Signs with OPS_KEY.',
  )
  .requiredOption('--config <file>', 'the relayer config JSON (its dataDir holds the store)')
  .requiredOption('--guid <guid>', 'the message, as GET /v1/messages lists it', guidOption)
  .requiredOption('--gas <n>', 'gas for the execution', gasOption)
  .action(async (opts: { config: string; guid: string; gas: bigint }) => {
    const key = opsKey('pays for the execution');
    const { message, chain } = await messageAndChain(opts.config, opts.guid);
    try {
      const result = await retryWithGas(chain, message, key, opts.gas);
      process.stdout.write(
        `executed ${opts.guid} on ${chain.config.name} in ${result.txHash} (${result.gasUsed} gas used)\n`,
      );
    } finally {
      chain.provider.destroy();
    }
  });

const DELEGATE_HELP: Record<DelegateAction, string> = {
  clear: 'Mark a verified message delivered without executing it.',
  skip: 'Pass over the next unverified nonce so later messages can execute; it never will.',
  nilify: "Erase a message's verification: it executes only once verified again.",
  burn: 'Erase a verified message that later nonces have passed, for good.',
};

/** What the relayer's store calls the message after each action. */
const AFTER: Record<DelegateAction, string> = {
  clear: 'cleared',
  skip: 'skipped',
  burn: 'burnt',
  nilify: 'sent (waiting for a verification)',
};

for (const action of DELEGATE_ACTIONS) {
  program
    .command(action)
    .description(
      `${DELEGATE_HELP[action]} Only the receiving OApp's delegate may; signs with OPS_KEY. Says what it does to the ledger and asks first.`,
    )
    .requiredOption('--config <file>', 'the relayer config JSON (its dataDir holds the store)')
    .requiredOption('--guid <guid>', 'the message, as GET /v1/messages lists it', guidOption)
    .option('--yes', 'do not ask for confirmation (scripts)')
    .action(async (opts: { config: string; guid: string; yes?: boolean }) => {
      const key = opsKey("is the receiving OApp's delegate");
      const { message, chain } = await messageAndChain(opts.config, opts.guid);
      try {
        const plan = await planDelegateAction(chain, message, action, key);
        process.stdout.write(`${action} ${opts.guid}: ${plan.what}.\nLedger: ${plan.ledger}\n`);
        if (!opts.yes && !(await confirmed(`Type "${action}" to go on: `, action))) {
          process.stdout.write('Not confirmed: nothing sent.\n');
          process.exitCode = 1;
          return;
        }
        const { txHash } = await plan.send();
        process.stdout.write(
          `done in ${txHash}; the relayer shows the message as ${AFTER[action]} once it indexes the block\n`,
        );
      } finally {
        chain.provider.destroy();
      }
    });
}

function opsKey(role: string): string {
  const key = process.env.OPS_KEY;
  if (!key || !/^0x[0-9a-fA-F]{64}$/.test(key))
    throw new Error(`set OPS_KEY to the 0x-prefixed private key that ${role}`);
  return key;
}

/** The stored message and a client of its destination chain. */
async function messageAndChain(configPath: string, guid: string) {
  const config = loadRelayerConfig(configPath);
  const store = await RelayerStore.open(config.dataDir);
  const message = store.message(guid);
  if (!message)
    throw new Error(
      `no message ${guid} in the store at ${config.dataDir} (the relayer writes one it has just seen within seconds: try again)`,
    );
  const chainConfig = config.chains.find((c) => c.eid === message.dstEid);
  if (!chainConfig) throw new Error(`message ${guid} goes to eid ${message.dstEid}, which the config does not name`);
  return { message, chain: connectChain(chainConfig, config.pollIntervalMs, createLogger('silent')) };
}

/** Reads one answer from stdin (a terminal or a pipe); anything but `word` is a no. */
async function confirmed(question: string, word: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await Promise.race([
      rl.question(question),
      new Promise<string>((resolve) => rl.once('close', () => resolve(''))),
    ]);
    return answer.trim() === word;
  } finally {
    rl.close();
  }
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`ops: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
