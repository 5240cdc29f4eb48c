import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { toAccountId } from '@omnichain-collateral/sdk/accountId';
import { accountRisk, type RiskSetup } from '@omnichain-collateral/sdk/risk/accountRisk';
import { concentratedHaircuts, concentrationAddOn } from '@omnichain-collateral/sdk/risk/concentration';
import { CONCENTRATION_VECTOR_FILE, generateConcentrationVectors } from '../../sdk/vectors/concentrationVectors.js';

const W = 10n ** 18n;
const PCT = W / 100n;
const terms = { depthUsd: 1_000_000n * W, impact: 5n * PCT, cap: 30n * PCT };

describe('sdk concentration add-on (bit-exact twin of Concentration.sol)', function () {
  it('regenerating the shared vectors reproduces the committed file byte for byte', function () {
    // forge's Concentration test checks the Solidity library against this file.
    expect(generateConcentrationVectors() + '\n').to.equal(readFileSync(CONCENTRATION_VECTOR_FILE, 'utf8'));
  });

  it('follows the square-root law up to its cap, and is off without depth', function () {
    expect(concentrationAddOn(10_000n * W, terms)).to.equal(PCT / 2n);
    expect(concentrationAddOn(1_000_000n * W, terms)).to.equal(5n * PCT);
    expect(concentrationAddOn(100_000_000n * W, terms)).to.equal(30n * PCT);
    expect(concentrationAddOn(2n ** 255n, { depthUsd: 1n, impact: 1n, cap: 30n * PCT })).to.equal(30n * PCT);
    expect(concentrationAddOn(1_000_000n * W, { depthUsd: 0n, impact: 0n, cap: 0n })).to.equal(0n);
    const whale = concentratedHaircuts(
      { initialHaircut: 20n * PCT, maintenanceHaircut: 15n * PCT, concentration: terms },
      100n * W,
      18,
      3000n * W,
    );
    expect(whale).to.deep.equal({
      addOn: 27_386_127_875_258_305n,
      initialHaircut: 20n * PCT + 27_386_127_875_258_305n,
      maintenanceHaircut: 15n * PCT + 27_386_127_875_258_305n,
    });
    expect(
      concentratedHaircuts(
        { initialHaircut: 90n * PCT, maintenanceHaircut: 90n * PCT, concentration: terms },
        10n ** 9n * W,
        18,
        3000n * W,
      ).initialHaircut,
    ).to.equal(W);
  });

  it("counts an account's holding at its raised haircuts in accountRisk, as RiskEngine.figures does", function () {
    const setup: RiskSetup = {
      assets: [
        {
          assetId: 0,
          eid: 1,
          token: `0x${'e'.repeat(40)}`,
          decimals: 18,
          riskAsset: 0,
          initialHaircut: 20n * PCT,
          maintenanceHaircut: 15n * PCT,
          liquidationBonus: 5n * PCT,
          concentration: terms,
        },
      ],
      markets: [],
      scenarios: [
        {
          scanRange: 10n * PCT,
          volShift: 25n * PCT,
          extremeMultiple: 2n * W,
          extremeCover: 35n * PCT,
          initialMultiple: 2n * W,
          shortOptionMinimum: PCT,
          volFeed: null,
        },
      ],
      pairOffsets: [],
    };
    const state = {
      block: 1,
      timestamp: 1_700_000_000n,
      prices: new Map([[0, { ok: true as const, price: 3000n * W }]]),
      marks: new Map(),
    };
    const account = toAccountId(`0x${'1'.repeat(40)}`);
    const r = accountRisk(
      setup,
      account,
      { cash: -100_000n * W, collateral: [{ assetId: 0, amount: 100n * W }], positions: [] },
      state,
    );
    const addOn = 27_386_127_875_258_305n;
    // The figures RiskEngine.t.sol asserts for the same holding: 300,000 x (0.85 - addOn), less the debt.
    expect(r.figures!.maintenanceEquity).to.equal((300_000n * W * (85n * PCT - addOn)) / W - 100_000n * W);
    expect(r.collateral[0]!.concentrationAddOn).to.equal(addOn);
    expect(r.collateral[0]!.maintenanceValueUsd).to.equal((300_000n * W * (85n * PCT - addOn)) / W);
  });
});
