import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { renderAbiFiles } from '../../scripts/generate-abis.js';

describe('typed ABIs in sdk/src/abi', function () {
  it('are what `npm run abis` writes from the current build (rerun it after changing a contract interface)', function () {
    for (const file of renderAbiFiles()) {
      expect(readFileSync(file.path, 'utf8'), file.path).to.equal(file.text);
    }
  });
});
