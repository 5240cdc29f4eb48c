/**
 * `occ`: the command line of a trader or an operator. Reads the relayer API (account, preview,
 * liquidations, messages, chains) and sends transactions (deposit, withdraw, transfer) with the
 * key in OCC_KEY, following each cross-chain message until it lands. Human-readable by default,
 * `--json` for scripts; every refusal is a sentence and nothing is sent before the amount and
 * addresses are checked.
 */
import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { RelayerClient } from '../api/client.js';
import type { PreviewBody } from '../api/requests.js';
import {
  assetOf,
  parseAddress,
  parseAmount,
  runDeposit,
  runRefund,
  runTransfer,
  runVenue,
  runWithdraw,
  UsageError,
} from './actions.js';
import {
  formatAccounts,
  formatChains,
  formatLiquidations,
  formatMessages,
  formatPreview,
  formatWaterfall,
} from './format.js';
import { loadManifest, type CliManifest } from './manifest.js';
import { formatOnchainHealth, runOnchainHealth } from './onchainHealth.js';

interface Globals {
  api?: string;
  manifest: string;
  json?: boolean;
}

const int =
  (name: string, max = 0xffffffff) =>
  (value: string) => {
    if (!/^\d+$/.test(value) || Number(value) > max)
      throw new InvalidArgumentError(`${name} must be a whole number from 0 to ${max}`);
    return Number(value);
  };
const seconds = (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('--timeout must be a whole number of seconds');
  return Number(value) * 1000;
};
const collect = (value: string, previous: string[] = []) => [...previous, value];
/** `--timeout <s>`, in ms once parsed, two minutes unless given. */
const timeoutOption = (description: string) =>
  new Option('--timeout <s>', description).argParser(seconds).default(120_000, '120');

const program = new Command()
  .name('occ')
  .description('Omnichain collateral: one margin account over every chain. Reads the relayer API; signs with OCC_KEY.')
  .option('--api <url>', "the relayer API (default: the manifest's, else http://127.0.0.1:8787; env OCC_API)")
  .option(
    '--manifest <file>',
    "where the contracts are: npm start's .data/devnet.json or a deploy manifest (env OCC_MANIFEST)",
    process.env.OCC_MANIFEST ?? '.data/devnet.json',
  )
  .option('--json', 'print JSON instead of text')
  .showHelpAfterError();

const globals = () => program.opts<Globals>();
const manifest = (): CliManifest => loadManifest(globals().manifest);
function client(): RelayerClient {
  const g = globals();
  const fromManifest = existsSync(g.manifest) ? loadManifest(g.manifest).apiUrl : undefined;
  return new RelayerClient(g.api ?? process.env.OCC_API ?? fromManifest ?? 'http://127.0.0.1:8787');
}
/** Progress lines go to stderr, so `--json` output on stdout stays clean. */
const say = (line: string) => process.stderr.write(`${line}\n`);
const print = (text: string, json: unknown) =>
  process.stdout.write(
    `${globals().json ? JSON.stringify(json, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) : text}\n`,
  );

program
  .command('chains')
  .description('Each chain: endpoint id, head, what the relayer has indexed, lag')
  .action(async () => {
    const { chains } = await client().chains();
    print(formatChains(chains), chains);
  });

program
  .command('waterfall')
  .description("The hub's default waterfall: insurance fund, loss socialised on positive cash, cash index")
  .action(async () => {
    const waterfall = await client().waterfall();
    print(formatWaterfall(waterfall), waterfall);
  });

program
  .command('account')
  .description("Health, collateral by chain, positions and liquidation prices of an owner's sub-accounts")
  .argument('<address>', 'the owner')
  .option('--sub <n>', 'one sub-account only', int('--sub'))
  .action(async (address: string, opts: { sub?: number }) => {
    const r = await client().account(parseAddress(address, 'owner'), opts.sub);
    print(formatAccounts(r), r);
  });

program
  .command('onchain-health')
  .description(
    "The account's health as a spoke chain's HealthReader holds it (the hub's figures read with lzRead); --request asks afresh",
  )
  .argument('<address>', 'the owner')
  .requiredOption('--chain <name>', 'the spoke chain whose HealthReader to read (see occ chains)')
  .option('--sub <n>', 'the sub-account', int('--sub'), 0)
  .option('--request', 'send a new read (paid from OCC_KEY on that chain) and wait for its answer')
  .addOption(timeoutOption('how long to wait for the answer'))
  .action(async (address: string, opts: { chain: string; sub: number; request?: boolean; timeout: number }) => {
    const r = await runOnchainHealth(
      manifest(),
      {
        chain: opts.chain,
        owner: parseAddress(address, 'owner'),
        sub: opts.sub,
        request: opts.request ?? false,
        timeoutMs: opts.timeout,
      },
      say,
    );
    print(formatOnchainHealth(r), r);
  });

program
  .command('preview')
  .description("The figures after hypothetical actions, by the hub's model, without sending anything")
  .argument('<address>', 'the owner')
  .option('--sub <n>', 'the sub-account', int('--sub'), 0)
  .option('--deposit <asset:amount>', 'deposit a token amount of an asset (repeatable)', collect)
  .option('--withdraw <asset:amount>', 'withdraw a token amount of an asset (repeatable)', collect)
  .option('--trade <market:size@price>', 'trade a market; a negative size sells (repeatable), e.g. 0:-2@3000', collect)
  .option('--price <underlying:usd>', "move an underlying's price (repeatable), e.g. 1:2700", collect)
  .option('--vol <underlying:vol>', "move an underlying's implied volatility (repeatable), e.g. 1:0.95", collect)
  .action(
    async (
      address: string,
      opts: {
        sub: number;
        deposit?: string[];
        withdraw?: string[];
        trade?: string[];
        price?: string[];
        vol?: string[];
      },
    ) => {
      const actions = await previewActions(opts);
      if (actions.length === 0)
        throw new UsageError(
          'give at least one action: --deposit, --withdraw, --trade, --price or --vol (see occ preview --help)',
        );
      const r = await client().preview(parseAddress(address, 'owner'), { subAccount: opts.sub, actions });
      print(formatPreview(r), r);
    },
  );

program
  .command('deposit')
  .description("Deposit a token on a chain's vault; its CREDIT reaches the hub over LayerZero (fee shown first)")
  .requiredOption('--chain <name>', 'the chain the token is on (see occ chains)')
  .requiredOption('--token <symbol>', 'the token, e.g. WETH')
  .requiredOption('--amount <n>', 'in token units, e.g. 1.5')
  .option('--sub <n>', 'the sub-account credited', int('--sub'), 0)
  .option('--for <owner>', "credit another owner's account")
  .option('--no-wait', 'return once sent, without following the CREDIT')
  .addOption(timeoutOption('how long to follow the message'))
  .action(
    async (opts: {
      chain: string;
      token: string;
      amount: string;
      sub: number;
      for?: string;
      wait: boolean;
      timeout: number;
    }) => {
      const r = await runDeposit(
        manifest(),
        client(),
        {
          chain: opts.chain,
          token: opts.token,
          amount: opts.amount,
          sub: opts.sub,
          ...(opts.for ? { owner: opts.for } : {}),
          wait: opts.wait,
          timeoutMs: opts.timeout,
        },
        say,
      );
      print(`deposited: ${r.txHash}`, r);
    },
  );

program
  .command('withdraw')
  .description(
    "Withdraw collateral through the hub, which checks margin and debits at once; its RELEASE pays on the asset's chain",
  )
  .requiredOption('--asset <id>', 'the asset id (see occ account)', int('--asset', 0xffff))
  .requiredOption('--amount <n>', 'in token units, e.g. 0.5')
  .option('--sub <n>', 'the sub-account', int('--sub'), 0)
  .option('--to <address>', 'who is paid (default: the signer)')
  .option('--no-wait', 'return once sent, without following the RELEASE')
  .addOption(timeoutOption('how long to follow the message'))
  .action(async (opts: { asset: number; amount: string; sub: number; to?: string; wait: boolean; timeout: number }) => {
    const r = await runWithdraw(
      manifest(),
      client(),
      {
        asset: opts.asset,
        amount: opts.amount,
        sub: opts.sub,
        ...(opts.to ? { to: opts.to } : {}),
        wait: opts.wait,
        timeoutMs: opts.timeout,
      },
      say,
    );
    print(`withdrawn: ${r.txHash}`, r);
  });

program
  .command('transfer')
  .description('Move collateral between two of your sub-accounts on the hub')
  .requiredOption('--asset <id>', 'the asset id', int('--asset', 0xffff))
  .requiredOption('--amount <n>', 'in token units')
  .requiredOption('--from-sub <n>', 'from this sub-account', int('--from-sub'))
  .requiredOption('--to-sub <n>', 'to this one', int('--to-sub'))
  .action(async (opts: { asset: number; amount: string; fromSub: number; toSub: number }) => {
    const r = await runTransfer(
      manifest(),
      { asset: opts.asset, amount: opts.amount, from: opts.fromSub, to: opts.toSub },
      say,
    );
    print(`transferred: ${r.txHash}`, r);
  });

program
  .command('refund')
  .description(
    'Take back a deposit the hub refused (a token it has not listed on that chain): a RELEASE pays you there',
  )
  .requiredOption('--chain <name>', 'the chain the deposit was made on')
  .requiredOption('--credit <id>', "the deposit's credit id (its CreditRefused event, or occ messages)")
  .option('--no-wait', 'return once sent, without following the RELEASE')
  .addOption(timeoutOption('how long to follow the message'))
  .action(async (opts: { chain: string; credit: string; wait: boolean; timeout: number }) => {
    const r = await runRefund(
      manifest(),
      client(),
      { chain: opts.chain, credit: opts.credit, wait: opts.wait, timeoutMs: opts.timeout },
      say,
    );
    print(`refunded: ${r.txHash}`, r);
  });

program
  .command('venue')
  .description('Authorise a trading venue to book trades and cash payments for your accounts, or revoke it')
  .argument('<address>', "the venue's address")
  .option('--revoke', 'revoke an authorisation given before')
  .action(async (venue: string, opts: { revoke?: boolean }) => {
    const r = await runVenue(manifest(), { venue, authorized: !opts.revoke }, say);
    print(`${opts.revoke ? 'revoked' : 'authorised'}: ${r.txHash}`, r);
  });

program
  .command('liquidations')
  .description("The keeper's liquidations, newest first")
  .addOption(
    new Option('--status <s>', 'only these')
      .choices(['planned', 'submitted', 'seized', 'settled', 'dropped', 'failed', 'all'])
      .default('all'),
  )
  .option('--limit <n>', 'at most this many', int('--limit', 500), 20)
  .action(async (opts: { status: 'all'; limit: number }) => {
    const r = await client().liquidations({ status: opts.status, limit: opts.limit });
    print(formatLiquidations(r.liquidations, r.total), r);
  });

program
  .command('messages')
  .description('Cross-chain messages the relayer tracks')
  .addOption(
    new Option('--status <s>', 'which')
      .choices(['inflight', 'stuck', 'failed', 'delivered', 'dropped', 'all'])
      .default('inflight'),
  )
  .option('--limit <n>', 'at most this many', int('--limit', 500), 20)
  .action(async (opts: { status: 'inflight'; limit: number }) => {
    const r = await client().messages({ status: opts.status, limit: opts.limit });
    print(formatMessages(r.messages, r.total), r);
  });

/** The preview options as API actions: token amounts in base units (decimals read from the asset's chain). */
async function previewActions(opts: {
  deposit?: string[];
  withdraw?: string[];
  trade?: string[];
  price?: string[];
  vol?: string[];
}): Promise<PreviewBody['actions']> {
  const actions: PreviewBody['actions'] = [];
  const pair = (flag: string, value: string, sep: string) => {
    const at = value.indexOf(sep);
    if (at <= 0) throw new UsageError(`${flag} "${value}" must look like <id>${sep}<number>`);
    const id = value.slice(0, at);
    if (!/^\d+$/.test(id)) throw new UsageError(`${flag} "${value}": "${id}" is not an id`);
    return [Number(id), value.slice(at + 1)] as const;
  };
  for (const [type, values] of [
    ['deposit', opts.deposit],
    ['withdraw', opts.withdraw],
  ] as const) {
    for (const v of values ?? []) {
      const [assetId, amount] = pair(`--${type}`, v, ':');
      actions.push({
        type,
        assetId,
        amount: String(parseAmount(amount, (await assetOf(manifest(), assetId)).decimals)),
      });
    }
  }
  for (const v of opts.trade ?? []) {
    const [marketId, rest] = pair('--trade', v, ':');
    const [size, price] = rest.split('@');
    if (!size || !price) throw new UsageError(`--trade "${v}" must look like <market>:<size>@<price>, e.g. 0:-2@3000`);
    actions.push({ type: 'trade', marketId, size, price });
  }
  for (const v of opts.price ?? []) {
    const [riskAsset, price] = pair('--price', v, ':');
    actions.push({ type: 'price', riskAsset, price });
  }
  for (const v of opts.vol ?? []) {
    const [riskAsset, volatility] = pair('--vol', v, ':');
    actions.push({ type: 'volatility', riskAsset, volatility });
  }
  return actions;
}

try {
  await program.parseAsync(process.argv);
  process.exit(0);
} catch (err) {
  // UsageError, RelayerApiError and refusals carry their sentence as the message.
  process.stderr.write(`occ: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
