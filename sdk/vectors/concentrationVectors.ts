/**
 * Shared test vectors for the per-account concentration add-on, with what the TypeScript twin
 * gives (`concentratedHaircuts`): holdings of 6-, 8- and 18-decimal tokens from dust to far past
 * any market, prices from a cent to $200,000, depths from $1 to $100B (a tenth 0: no add-on),
 * impacts and caps across what `RiskConfig.setAssetConcentration` accepts, and haircuts up to
 * 100% (the raised haircut stops there). A twentieth sit past sqrtWad's exact range. The forge
 * test `Concentration.t.sol` asserts `Concentration.addOn` and `raise` return the same to the
 * wei; the mocha test asserts regenerating gives the committed file.
 *
 *   npx tsx sdk/vectors/concentrationVectors.ts   # rewrites contracts/test/vectors/concentration.hex
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AbiCoder } from 'ethers';
import { WAD } from '../src/risk/fixedPoint.js';
import { concentratedHaircuts } from '../src/risk/concentration.js';
import { rng } from './optionMathVectors.js';

export const CONCENTRATION_VECTOR_FILE = fileURLToPath(
  new URL('../../contracts/test/vectors/concentration.hex', import.meta.url),
);
export const CONCENTRATION_VECTOR_COUNT = 600;

const TUPLE =
  'tuple(uint256 amount,uint8 decimals,uint256 price,uint128 depthUsd,uint64 impact,uint64 cap,uint64 initialHaircut,uint64 maintenanceHaircut,' +
  'uint256 addOn,uint256 raisedInitial,uint256 raisedMaintenance)[]';

/** A random number with a log-uniform order of magnitude below 10^maxDigits. */
const logUniform = (next: (bound: bigint) => bigint, maxDigits: number): bigint =>
  next(10n ** next(BigInt(maxDigits) + 1n) + 1n);

export function generateConcentrationVectors(): string {
  const next = rng(0xc0ce7n);
  const vectors = Array.from({ length: CONCENTRATION_VECTOR_COUNT }, () => {
    const decimals = [6, 8, 18][Number(next(3n))]!;
    const far = next(20n) === 0n;
    // Up to 10^12 whole tokens, or (far) over 1e41 times a $1 depth: past sqrtWad's exact range.
    const amount = far ? 10n ** BigInt(decimals) * (2n ** 140n + next(2n ** 140n)) : logUniform(next, 12 + decimals);
    const price = far ? 200_000n * WAD : 10n ** 16n + next(200_000n * WAD);
    const depthUsd = far ? WAD : next(10n) === 0n ? 0n : WAD + logUniform(next, 29);
    const off = depthUsd === 0n;
    const maintenanceHaircut = next(WAD + 1n);
    const asset = {
      initialHaircut: maintenanceHaircut + next(WAD - maintenanceHaircut + 1n),
      maintenanceHaircut,
      concentration: { depthUsd, impact: off ? 0n : next(WAD + 1n), cap: off ? 0n : next(WAD / 2n + 1n) },
    };
    const h = concentratedHaircuts(asset, amount, decimals, price);
    return {
      amount,
      decimals,
      price,
      ...asset.concentration,
      initialHaircut: asset.initialHaircut,
      maintenanceHaircut,
      addOn: h.addOn,
      raisedInitial: h.initialHaircut,
      raisedMaintenance: h.maintenanceHaircut,
    };
  });
  return AbiCoder.defaultAbiCoder().encode([TUPLE], [vectors]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(CONCENTRATION_VECTOR_FILE, generateConcentrationVectors() + '\n');
  process.stdout.write(`wrote ${CONCENTRATION_VECTOR_COUNT} concentration vectors to ${CONCENTRATION_VECTOR_FILE}\n`);
}
