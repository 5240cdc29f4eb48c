/** Median, 95th percentile and maximum of a sample, by nearest rank (the figures the API and the demo print). */
export interface Percentiles {
  p50: number;
  p95: number;
  max: number;
}

/** Nearest-rank percentiles, or null for an empty sample. */
export function percentiles(values: readonly number[]): Percentiles | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { p50: rank(0.5), p95: rank(0.95), max: sorted.at(-1)! };
}
