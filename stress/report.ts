/**
 * The stress run's outputs: a table for the terminal, the figures as JSON, and charts as SVG
 * (vega-lite specifications rendered by vega without a browser or canvas).
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { REGIMES, type RegimeName } from './regimes.js';
import type { RegimeResult } from './simulate.js';
import { cover2 } from './waterfall.js';

const usd = (x: number) => `$${Math.round(x).toLocaleString('en-US')}`;
const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(2)}%`);

/** Mean calm-day capital (haircuts counted) of a regime over the scenarios that had calm days. */
export function meanCalmCapital(results: readonly RegimeResult[], regime: RegimeName): number | null {
  const xs = results.filter((r) => r.regime === regime && r.calmCapital !== null).map((r) => r.calmCapital!);
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Scenarios where the keeper cannot act for hours: their shortfall measures the outage, not the margin. */
const OPERATIONAL_FAILURES = ['stale oracle', 'keeper outage'];

export interface GoalCheck {
  /** scenarios with any loss left unowned, any regime (goal: none) */
  unowned: string[];
  /** scenarios where Gen 3's shortfall exceeds Gen 2's (goal: none) */
  gen3ShortfallAboveGen2: string[];
  /** scenarios where Gen 3 costs users more than Gen 2 (goal: none) */
  gen3CostAboveGen2: string[];
  /**
   * scenarios where Gen 3 leaves a shortfall, of those where the goal is none: all but the stale oracle and the keeper
   * outage, whose losses no margin level prevents
   */
  gen3ShortfallIn: string[];
  /** Gen 1's calm-day capital per notional ÷ Gen 3's (goal ≥ 1.5) */
  gen1OverGen3: number | null;
  /** Gen 3's ÷ Gen 2's (goal ≤ 1) */
  gen3OverGen2: number | null;
  /** the insurance fund Cover 2 asks for, per regime: the two largest account shortfalls of the worst scenario */
  cover2Usd: Record<RegimeName, number>;
}

export function goalCheck(results: readonly RegimeResult[]): GoalCheck {
  const c1 = meanCalmCapital(results, 'Gen 1');
  const c2 = meanCalmCapital(results, 'Gen 2');
  const c3 = meanCalmCapital(results, 'Gen 3');
  const of = (scenario: string, regime: RegimeName) =>
    results.find((r) => r.scenario === scenario && r.regime === regime);
  const gen3 = results.filter((r) => r.regime === 'Gen 3');
  const worse = (pick: (r: RegimeResult) => number) =>
    gen3.filter((r) => {
      const gen2 = of(r.scenario, 'Gen 2');
      return gen2 !== undefined && pick(r) > pick(gen2);
    });
  const cover = (regime: RegimeName) =>
    cover2(results.filter((r) => r.regime === regime).map((r) => r.largestShortfallsUsd));
  return {
    unowned: results.filter((r) => r.unownedUsd > 0).map((r) => `${r.scenario} (${r.regime})`),
    gen3ShortfallAboveGen2: worse((r) => r.shortfallUsd).map((r) => r.scenario),
    gen3CostAboveGen2: worse((r) => r.liquidationCostUsd).map((r) => r.scenario),
    gen3ShortfallIn: gen3
      .filter((r) => r.shortfallUsd > 0 && !OPERATIONAL_FAILURES.includes(r.scenario))
      .map((r) => r.scenario),
    gen1OverGen3: c1 !== null && c3 ? c1 / c3 : null,
    gen3OverGen2: c3 !== null && c2 ? c3 / c2 : null,
    cover2Usd: { 'Gen 1': cover('Gen 1'), 'Gen 2': cover('Gen 2'), 'Gen 3': cover('Gen 3') },
  };
}

/** A fixed-width table, one row per scenario and regime. */
export function table(results: readonly RegimeResult[]): string {
  const header = [
    'scenario',
    'regime',
    'shortfall',
    'backstop',
    'insurance',
    'socialized',
    'unowned',
    'liquidations',
    'accounts hit',
    'cost to users',
    'worst health',
    'capital / notional (calm)',
  ];
  const rows = results.map((r) => [
    r.scenario,
    r.regime,
    usd(r.shortfallUsd),
    `${usd(r.absorbedUsd.backstop)} (${r.backstopTakeovers})`,
    usd(r.absorbedUsd.insurance),
    usd(r.absorbedUsd.socialized),
    usd(r.unownedUsd),
    r.liquidations.toLocaleString('en-US'),
    r.accountsLiquidated.toLocaleString('en-US'),
    usd(r.liquidationCostUsd),
    r.worstHealth.toFixed(3),
    r.calmCapital === null ? 'no calm day' : `${pct(r.calmCapital)} (${r.calmDays} d)`,
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
  const capital = REGIMES.map((r) => `${r} ${pct(meanCalmCapital(results, r))}`).join(', ');
  const none = (xs: string[], what: string) =>
    xs.length === 0 ? `${what}: none (goal met)` : `${what}: ${xs.join(', ')} (goal: none)`;
  return [
    `capital per notional on calm days, haircuts counted (mean over scenarios): ${capital}`,
    `Gen 1 ÷ Gen 3: ${g.gen1OverGen3?.toFixed(2) ?? 'n/a'} (goal ≥ 1.5); Gen 3 ÷ Gen 2: ${g.gen3OverGen2?.toFixed(2) ?? 'n/a'} (goal ≤ 1)`,
    none(g.unowned, 'loss left unowned'),
    none(g.gen3ShortfallAboveGen2, 'Gen 3 shortfall above Gen 2'),
    none(g.gen3CostAboveGen2, 'Gen 3 cost to users above Gen 2'),
    none(g.gen3ShortfallIn, 'Gen 3 shortfall outside the stale oracle and keeper outage'),
    `insurance fund for Cover 2 (the two largest account shortfalls of one scenario): ${REGIMES.map((r) => `${r} ${usd(g.cover2Usd[r])}`).join(', ')}`,
  ];
}

const REGIME_COLORS = { domain: [...REGIMES], range: ['#9e9e9e', '#4e79a7', '#f28e2b'] };

/** Shortfall, cost to users and calm-day capital per scenario and regime, side by side. */
export function summarySpec(results: readonly RegimeResult[]): TopLevelSpec {
  const values = results.map((r) => ({
    scenario: r.scenario,
    regime: r.regime,
    shortfall: r.shortfallUsd,
    cost: r.liquidationCostUsd,
    capital: r.calmCapital ?? 0,
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
      panel('shortfall', 'shortfall (USD)', '$.3~s', true),
      panel('cost', 'liquidation cost to users (USD)', '$.2~s', false),
      panel('capital', 'capital / notional, calm days (haircuts counted)', '.0%', false),
    ],
    config: { font: 'sans-serif' },
  } as TopLevelSpec;
}

/** Gen 3's ETH scan range and each regime's cumulative shortfall, day by day, per scenario. */
export function dailySpec(results: readonly RegimeResult[]): TopLevelSpec {
  const values = results.flatMap((r) =>
    r.daily.map((d, day) => ({
      scenario: r.scenario,
      regime: r.regime,
      day: day + 1,
      shortfall: d.shortfallUsd,
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
            y: { field: 'shortfall', type: 'quantitative', title: 'shortfall', axis: { format: '$.2~s' } },
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
    title: 'Cumulative shortfall by day (solid) and Gen 3’s ETH scan range (dashed)',
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
