/** `--window FROM:TO`, as `npm run stress` and `npm run backtest` both take it. */
import { InvalidArgumentError } from 'commander';

/** Two days as YYYY-MM-DD, FROM not after TO; anything else is refused in words. */
export function parseWindow(value: string): { from: string; to: string } {
  const m = /^(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})$/.exec(value);
  if (!m || m[1]! > m[2]!)
    throw new InvalidArgumentError('--window must be FROM:TO, two days as YYYY-MM-DD, FROM not after TO');
  return { from: m[1]!, to: m[2]! };
}
