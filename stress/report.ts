/**
 * The stress run's outputs: a table for the terminal, the figures as JSON, and charts as SVG
 * (vega-lite specifications rendered by vega without a browser or canvas).
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { REGIMES, type RegimeName } from './regimes.js';
import type { RegimeResult } from './simulate.js';

const usd = (x: number) => `$${Math.round(x).toLocaleString('en-US')}`;
const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(2)}%`);

/** Mean capital efficiency of a regime over the scenarios that had calm days. */
export function meanEfficiency(results: readonly RegimeResult[], regime: RegimeName): number | null {
  const xs = results
    .filter((r) => r.regime === regime && r.capitalEfficiency !== null)
    .map((r) => r.capitalEfficiency!);
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export interface GoalCheck {
  gen3BadDebtFree: boolean;
  gen3ScenariosWithBadDebt: string[];
  /** Gen 1's calm-day initial margin per notional ÷ Gen 3's (goal ≥ 1.5) */
  gen1OverGen3: number | null;
  /** Gen 3's ÷ Gen 2's (goal ≤ 1) */
  gen3OverGen2: number | null;
}

export function goalCheck(results: readonly RegimeResult[]): GoalCheck {
  const g1 = meanEfficiency(results, 'Gen 1');
  const g2 = meanEfficiency(results, 'Gen 2');
  const g3 = meanEfficiency(results, 'Gen 3');
  const withDebt = results.filter((r) => r.regime === 'Gen 3' && r.badDebtUsd > 0).map((r) => r.scenario);
  return {
    gen3BadDebtFree: withDebt.length === 0,
    gen3ScenariosWithBadDebt: withDebt,
    gen1OverGen3: g1 !== null && g3 ? g1 / g3 : null,
    gen3OverGen2: g3 !== null && g2 ? g3 / g2 : null,
  };
}

/** A fixed-width table, one row per scenario and regime. */
export function table(results: readonly RegimeResult[]): string {
  const header = [
    'scenario',
    'regime',
    'bad debt',
    'liquidations',
    'accounts hit',
    'cost to users',
    'worst health',
    'IM / notional (calm)',
  ];
  const rows = results.map((r) => [
    r.scenario,
    r.regime,
    usd(r.badDebtUsd),
    r.liquidations.toLocaleString('en-US'),
    r.accountsLiquidated.toLocaleString('en-US'),
    usd(r.liquidationCostUsd),
    r.worstHealth.toFixed(3),
    r.capitalEfficiency === null ? 'no calm day' : `${pct(r.capitalEfficiency)} (${r.calmDays} d)`,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w, c) => (c < 2 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

export function goalLines(results: readonly RegimeResult[]): string[] {
  const g = goalCheck(results);
  const efficiency = REGIMES.map((r) => `${r} ${pct(meanEfficiency(results, r))}`).join(', ');
  return [
    `initial margin per notional on calm days (mean over scenarios): ${efficiency}`,
    `Gen 1 ÷ Gen 3: ${g.gen1OverGen3?.toFixed(2) ?? 'n/a'} (goal ≥ 1.5); Gen 3 ÷ Gen 2: ${g.gen3OverGen2?.toFixed(2) ?? 'n/a'} (goal ≤ 1)`,
    g.gen3BadDebtFree
      ? 'Gen 3 bad debt: $0 in every scenario (goal met)'
      : `Gen 3 bad debt in: ${g.gen3ScenariosWithBadDebt.join(', ')} (goal: none)`,
  ];
}

const REGIME_COLORS = { domain: [...REGIMES], range: ['#9e9e9e', '#4e79a7', '#f28e2b'] };

/** Bad debt, cost to users and calm-day margin per scenario and regime, side by side. */
export function summarySpec(results: readonly RegimeResult[]): TopLevelSpec {
  const values = results.map((r) => ({
    scenario: r.scenario,
    regime: r.regime,
    badDebt: r.badDebtUsd,
    cost: r.liquidationCostUsd,
    efficiency: r.capitalEfficiency ?? 0,
  }));
  // Scenario names label the first panel only; the others line up with it.
  const panel = (field: string, title: string, format: string, labels: boolean) => ({
    width: 260,
    height: 180,
    title,
    mark: { type: 'bar' as const },
    encoding: {
      y: {
        field: 'scenario',
        type: 'nominal' as const,
        title: null,
        sort: null,
        axis: labels ? { labelLimit: 220 } : null,
      },
      yOffset: { field: 'regime', type: 'nominal' as const, sort: [...REGIMES] },
      x: { field, type: 'quantitative' as const, title: null, axis: { format } },
      color: { field: 'regime', type: 'nominal' as const, scale: REGIME_COLORS, title: 'regime' },
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    title: { text: 'Stress scenarios × regimes: the same book on the same paths', fontSize: 14 },
    hconcat: [
      panel('badDebt', 'bad debt (USD)', '$.3~s', true),
      panel('cost', 'liquidation cost to users (USD)', '$.2~s', false),
      panel('efficiency', 'initial margin / notional, calm days', '.0%', false),
    ],
    config: { font: 'sans-serif' },
  } as TopLevelSpec;
}

/** Gen 3's ETH scan range and each regime's cumulative bad debt, day by day, per scenario. */
export function dailySpec(results: readonly RegimeResult[]): TopLevelSpec {
  const values = results.flatMap((r) =>
    r.daily.map((d, day) => ({
      scenario: r.scenario,
      regime: r.regime,
      day: day + 1,
      badDebt: d.badDebtUsd,
      scanRange: d.ethScanRange,
    })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    facet: { row: { field: 'scenario', type: 'nominal', title: null, sort: null } },
    spec: {
      width: 520,
      height: 90,
      layer: [
        {
          mark: { type: 'line', interpolate: 'step-after' },
          encoding: {
            x: { field: 'day', type: 'quantitative', title: 'day' },
            y: { field: 'badDebt', type: 'quantitative', title: 'bad debt', axis: { format: '$.2~s' } },
            color: { field: 'regime', type: 'nominal', scale: REGIME_COLORS },
          },
        },
        {
          transform: [{ filter: "datum.regime === 'Gen 3'" }],
          mark: { type: 'line', strokeDash: [4, 3], color: '#e15759' },
          encoding: {
            x: { field: 'day', type: 'quantitative' },
            y: {
              field: 'scanRange',
              type: 'quantitative',
              title: 'Gen 3 ETH scan range (dashed)',
              axis: { format: '.0%' },
            },
          },
        },
      ],
      resolve: { scale: { y: 'independent' } },
    },
    resolve: { scale: { y: 'independent' } },
    title: 'Cumulative bad debt by day (solid) and Gen 3’s ETH scan range (dashed)',
    config: { font: 'sans-serif' },
  } as TopLevelSpec;
}

/** A vega-lite specification as an SVG document. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
