/**
 * Shared test vectors for the urgency-scaled liquidation bonus: seeded random healths (a tenth at
 * or above 1, a tenth at or below the full-bonus health, the rest between), bonuses up to the
 * hub's 25% cap, floor shares and full-bonus healths across their ranges, with the bonus the
 * TypeScript rule gives. The forge test `MarginMath.t.sol` asserts `MarginMath.urgencyBonus`
 * returns the same to the wei; the mocha test asserts regenerating gives the committed file.
 *
 *   npx tsx sdk/vectors/liquidationVectors.ts   # rewrites contracts/test/vectors/urgency-bonus.hex
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AbiCoder } from 'ethers';
import { WAD } from '../src/risk/fixedPoint.js';
import { urgencyBonus } from '../src/risk/liquidation.js';
import { rng } from './optionMathVectors.js';

export const BONUS_VECTOR_FILE = fileURLToPath(new URL('../../contracts/test/vectors/urgency-bonus.hex', import.meta.url));
export const BONUS_VECTOR_COUNT = 600;

export function generateBonusVectors(): string {
  const next = rng(0xb0b05n);
  const vectors: Array<[bigint, bigint, bigint, bigint, bigint]> = [];
  for (let i = 0; i < BONUS_VECTOR_COUNT; i++) {
    const maxBonus = next(WAD / 4n + 1n);
    const minShare = next(5n) === 0n ? WAD : next(WAD + 1n);
    const fullHealth = next(WAD);
    const pick = next(10n);
    const health = pick === 0n ? WAD + next(3n * WAD) : pick === 1n ? next(fullHealth + 1n) : fullHealth + 1n + next(WAD - fullHealth - 1n);
    vectors.push([health, maxBonus, minShare, fullHealth, urgencyBonus(health, maxBonus, minShare, fullHealth)]);
  }
  return AbiCoder.defaultAbiCoder().encode(['tuple(uint256 health,uint256 maxBonus,uint256 minShare,uint256 fullHealth,uint256 bonus)[]'], [vectors]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(BONUS_VECTOR_FILE, generateBonusVectors() + '\n');
  process.stdout.write(`wrote ${BONUS_VECTOR_COUNT} urgency-bonus vectors to ${BONUS_VECTOR_FILE}\n`);
}
