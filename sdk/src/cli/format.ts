/** Human-readable output of the CLI: short aligned tables; `--json` prints the API's JSON instead. */
import { formatUnits } from 'ethers';
import type {
  AccountJson,
  ChainJson,
  LiquidationJson,
  LiquidationPriceJson,
  MessageJson,
  OwnerAccounts,
  PreviewResponse,
  WaterfallJson,
} from '../api/schemas.js';

/** Rows as columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** A USD decimal string rounded to cents, with thousands separators. */
export function usd(s: string | null | undefined): string {
  if (s === null || s === undefined) return '-';
  const n = Number(s);
  return Number.isFinite(n)
    ? `${n < 0 ? '-' : ''}$${Math.abs(n).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
    : s;
}

/** Base units as a decimal token amount ("3", "1.5"). */
export function units(amount: string, decimals: number): string {
  return formatUnits(BigInt(amount), decimals).replace(/\.0$/, '');
}

function healthLine(a: AccountJson): string {
  const health =
    a.health === null
      ? 'unknown (a price cannot be trusted)'
      : a.health === 'Infinity'
        ? 'no requirement'
        : Number(a.health).toFixed(4);
  return `health ${health}${a.liquidatable ? '  LIQUIDATABLE' : ''}   equity ${usd(a.equityUsd?.maintenance)} / requirement ${usd(a.requirementUsd?.maintenance)} (maintenance)   cash ${usd(a.cashUsd)}`;
}

function collateralTable(a: AccountJson): string {
  if (a.collateral.length === 0) return '  no collateral';
  return table(
    ['  chain', 'asset', 'amount', 'price', 'value', 'counts for (maint.)'],
    a.collateral.map((c) => [
      `  ${c.chain}`,
      String(c.assetId),
      units(c.amount, c.decimals),
      usd(c.priceUsd),
      usd(c.valueUsd),
      usd(c.maintenanceValueUsd),
    ]),
  );
}

function positionTable(a: AccountJson): string {
  if (a.positions.length === 0) return '  no positions';
  return table(
    ['  market', 'kind', 'size', 'mark', 'value'],
    a.positions.map((p) => [
      `  ${p.marketId}`,
      p.kind === 'perp' ? 'perp' : `${p.kind} ${usd(p.strikeUsd)}${p.settled ? ' (settled)' : ''}`,
      p.size,
      usd(p.markUsd),
      usd(p.valueUsd),
    ]),
  );
}

function liquidationPriceLines(prices: readonly LiquidationPriceJson[]): string {
  if (prices.length === 0) return '  no price exposure';
  return prices
    .map(
      (l) =>
        `  underlying ${l.riskAsset} at ${usd(l.priceUsd)}: liquidated ${l.liquidationPriceUsd === null ? 'within no 100x move' : `at ${usd(l.liquidationPriceUsd)}`}${l.belowUsd && l.aboveUsd ? ` (below ${usd(l.belowUsd)}, above ${usd(l.aboveUsd)})` : ''}`,
    )
    .join('\n');
}

export function formatAccounts(r: OwnerAccounts): string {
  return r.accounts
    .map((a) =>
      [
        `${a.owner} sub-account ${a.subAccount} (${a.margin}) at hub block ${a.block}`,
        healthLine(a),
        'collateral by chain:',
        collateralTable(a),
        'positions:',
        positionTable(a),
        'liquidation prices:',
        liquidationPriceLines(a.liquidationPrices),
        ...(a.inFlight.length
          ? [
              'on their way:',
              ...a.inFlight.map((m) => `  ${m.type} ${m.amount} of ${m.token} from eid ${m.srcEid}: ${m.status}`),
            ]
          : []),
      ].join('\n'),
    )
    .join('\n\n');
}

export function formatPreview(p: PreviewResponse): string {
  return [
    `${p.owner} sub-account ${p.subAccount} at hub block ${p.block}`,
    `now:   ${healthLine(p.before)}`,
    `after: ${healthLine(p.after)}`,
    'collateral after:',
    collateralTable(p.after),
    'positions after:',
    positionTable(p.after),
    'liquidation prices after:',
    liquidationPriceLines(p.after.liquidationPrices),
  ].join('\n');
}

export function formatWaterfall(w: WaterfallJson): string {
  const b = w.backstop;
  return [
    `hub block ${w.block}`,
    b
      ? `  backstop vault         $${b.totalAssetsUsd} (${b.shares} shares at $${b.sharePriceUsd}); ` +
        `holds $${b.cashUsd} cash, ${b.collateral.length} collateral lines, ${b.positions.length} positions`
      : '  backstop vault         none',
    `  insurance fund         $${w.insuranceFundUsd}`,
    `  socialised loss        $${w.socialisedLossUsd} (charged to positive cash; cash index ${w.cashIndex})`,
    `  unowned loss           $${w.unownedLossUsd}`,
    `  cash / tokens held     $${w.totalCashUsd} / $${w.settlementHeldUsd}`,
  ].join('\n');
}

export function formatChains(chains: readonly ChainJson[]): string {
  return table(
    ['chain', 'chain id', 'eid', 'head', 'indexed', 'lag', 'rpc', 'health reader'],
    chains.map((c) => [
      c.name,
      String(c.chainId),
      String(c.eid),
      String(c.head ?? '-'),
      String(c.checkpoint ?? '-'),
      String(c.lag ?? '-'),
      c.rpcUrl,
      c.healthReader ?? '-',
    ]),
  );
}

export function formatMessages(messages: readonly MessageJson[], total: number): string {
  if (messages.length === 0) return 'no messages';
  return `${table(
    ['type', 'from', 'to', 'amount', 'account', 'status', 'sent at block', 'guid'],
    messages.map((m) => [
      m.type,
      String(m.srcEid),
      String(m.dstEid),
      m.amount,
      `${m.account.slice(0, 10)}…/${m.subAccount}`,
      `${m.status}${m.stuck ? ` (stuck: ${m.stuck})` : ''}${m.failed ? ' (failed)' : ''}`,
      String(m.sentBlock),
      m.guid,
    ]),
  )}\n${messages.length} of ${total}`;
}

export function formatLiquidations(list: readonly LiquidationJson[], total: number): string {
  if (list.length === 0) return 'no liquidations';
  return `${table(
    ['id', 'account', 'kind', 'status', 'chain', 'health', 'repaid', 'latency'],
    list.map((l) => [
      l.id,
      `${l.account.slice(0, 18)}…`,
      l.kind,
      `${l.status}${l.reason ? ` (${l.reason})` : ''}`,
      l.chain ?? '-',
      l.healthAtPlan,
      usd(l.repaidUsd),
      l.latencyBlocks === null ? '-' : `${l.latencyBlocks} blocks`,
    ]),
  )}\n${list.length} of ${total}`;
}
