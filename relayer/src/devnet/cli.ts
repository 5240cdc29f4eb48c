/** Shared pieces of the devnet command lines (`npm start`, `npm run demo`). */
import { InvalidArgumentError } from 'commander';

/** A commander argument parser for a number from `min` to `max`, a whole one if `integer`. */
export const numberOption = (name: string, min: number, max: number, integer: boolean) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new InvalidArgumentError(`${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`);
  }
  return n;
};
