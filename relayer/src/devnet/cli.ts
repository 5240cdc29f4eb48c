/** Shared pieces of the devnet command lines (`npm start`, `npm run demo`). */
import { InvalidArgumentError } from 'commander';
import type { MessageLibKind } from './layerzero.js';

/** A commander argument parser for a number from `min` to `max`, a whole one if `integer`. */
export const numberOption = (name: string, min: number, max: number, integer: boolean) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new InvalidArgumentError(`${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`);
  }
  return n;
};

/**
 * `--message-lib`: the devnet's LayerZero path, the production one (ULN302 with a DVN and an executor) unless asked.
 */
export const messageLibOption = (value: string): MessageLibKind => {
  if (value !== 'uln302' && value !== 'simple')
    throw new InvalidArgumentError('--message-lib must be uln302 or simple');
  return value;
};
export const MESSAGE_LIB_HELP =
  'LayerZero message library: uln302 (DVN, executor, real fees) or simple (SimpleMessageLib: no DVN, options ignored)';
