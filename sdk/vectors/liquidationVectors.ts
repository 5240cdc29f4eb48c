/**
 * Shared test vectors for liquidations, with what the TypeScript rules give:
 * - `urgency-bonus.hex`: seeded random healths (a tenth at or above 1, a tenth at or below the
 *   full-bonus health, the rest between), bonuses up to the hub's 25% cap, floor shares and
 *   full-bonus healths across their ranges. The forge test `MarginMath.t.sol` asserts
 *   `MarginMath.urgencyBonus` returns the same to the wei;
 * - `liquidation-sizing.hex`: whole liquidations (figures from deep negative equity to healthy,
 *   debts, holdings, prices of 6-, 8- and 18-decimal tokens, offers from one step to unlimited,
 *   any parameters the engine accepts). `LiquidationSizer.t.sol` asserts `LiquidationSizer.size`
 *   returns the same repay, seized and bonus.
 * The mocha test asserts regenerating gives the committed files.
 *
 *   npx tsx sdk/vectors/liquidationVectors.ts   # rewrites both files in contracts/test/vectors/
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AbiCoder } from 'ethers';
import { WAD } from '../src/risk/fixedPoint.js';
import { liquidationAmounts, urgencyBonus, type SizingInputs } from '../src/risk/liquidation.js';
import { rng } from './optionMathVectors.js';

export const BONUS_VECTOR_FILE = fileURLToPath(
  new URL('../../contracts/test/vectors/urgency-bonus.hex', import.meta.url),
);
export const BONUS_VECTOR_COUNT = 600;

export function generateBonusVectors(): string {
  const next = rng(0xb0b05n);
  const vectors: Array<[bigint, bigint, bigint, bigint, bigint]> = [];
  for (let i = 0; i < BONUS_VECTOR_COUNT; i++) {
    const maxBonus = next(WAD / 4n + 1n);
    const minShare = next(5n) === 0n ? WAD : next(WAD + 1n);
    const fullHealth = next(WAD);
    const pick = next(10n);
    const health =
      pick === 0n
        ? WAD + next(3n * WAD)
        : pick === 1n
          ? next(fullHealth + 1n)
          : fullHealth + 1n + next(WAD - fullHealth - 1n);
    vectors.push([health, maxBonus, minShare, fullHealth, urgencyBonus(health, maxBonus, minShare, fullHealth)]);
  }
  return AbiCoder.defaultAbiCoder().encode(
    ['tuple(uint256 health,uint256 maxBonus,uint256 minShare,uint256 fullHealth,uint256 bonus)[]'],
    [vectors],
  );
}

export const SIZING_VECTOR_FILE = fileURLToPath(
  new URL('../../contracts/test/vectors/liquidation-sizing.hex', import.meta.url),
);
export const SIZING_VECTOR_COUNT = 600;

const SIZING_TUPLE =
  'tuple(tuple(int256 equity,uint256 requirement,uint256 debt,uint256 held,uint256 maxRepay,uint256 step,uint256 price,uint8 decimals,uint64 maintenanceHaircut,uint64 maxBonus,' +
  'tuple(uint64 closeFactor,uint64 fullCloseHealth,uint64 targetHealth,uint64 positionPenalty,uint64 insuranceShare,uint64 minBonusShare,uint64 fullBonusHealth) params) inputs,' +
  'uint256 repay,uint256 seized,uint256 bonus)[]';

/** One random liquidation within what the engine accepts (RiskConfig's parameter checks). */
function sizingInputs(next: (bound: bigint) => bigint): SizingInputs {
  const requirement = next(10n) === 0n ? 0n : next(10_000_000n * WAD);
  // Equity from deep negative to above the requirement, often near it.
  const equity =
    next(3n) === 0n ? requirement - next(requirement / 10n + 1n) : next(12_000_000n * WAD) - 2_000_000n * WAD;
  const decimals = [6, 8, 18][Number(next(3n))]!;
  const step = next(2n) === 0n ? 10n ** 12n : 1n;
  const fullCloseHealth = next(WAD + 1n);
  return {
    equity,
    requirement,
    debt: next(20_000_000n * WAD),
    held: next(10n ** BigInt(decimals) * 100_000n),
    maxRepay: [step, next(1_000_000n * WAD), 2n ** 255n][Number(next(3n))]!,
    step,
    price: 1n + next(200_000n * WAD),
    decimals,
    maintenanceHaircut: next(WAD / 2n),
    maxBonus: next(WAD / 4n + 1n),
    params: {
      closeFactor: 1n + next(WAD),
      fullCloseHealth,
      targetHealth: WAD + next(WAD + 1n),
      positionPenalty: next(WAD / 10n + 1n),
      insuranceShare: next(WAD + 1n),
      minBonusShare: next(5n) === 0n ? WAD : next(WAD + 1n),
      fullBonusHealth: next(WAD),
    },
  };
}

export function generateSizingVectors(): string {
  const next = rng(0x512en);
  const vectors = Array.from({ length: SIZING_VECTOR_COUNT }, () => {
    const inputs = sizingInputs(next);
    const { repay, seized, bonus } = liquidationAmounts(inputs);
    return { inputs, repay, seized, bonus };
  });
  return AbiCoder.defaultAbiCoder().encode([SIZING_TUPLE], [vectors]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(BONUS_VECTOR_FILE, generateBonusVectors() + '\n');
  process.stdout.write(`wrote ${BONUS_VECTOR_COUNT} urgency-bonus vectors to ${BONUS_VECTOR_FILE}\n`);
  writeFileSync(SIZING_VECTOR_FILE, generateSizingVectors() + '\n');
  process.stdout.write(`wrote ${SIZING_VECTOR_COUNT} liquidation-sizing vectors to ${SIZING_VECTOR_FILE}\n`);
}
