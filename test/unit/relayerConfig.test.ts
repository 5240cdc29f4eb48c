import { expect } from 'chai';
import { parseRelayerConfig } from '../../relayer/src/config.js';

const ADDRESS = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;
const KEY = `0x${'11'.repeat(32)}`;

/** The smallest config the schema takes: one chain that is the hub. */
const minimal = {
  hubEid: 40_101,
  hub: ADDRESS(1),
  riskEngine: ADDRESS(2),
  chains: [
    {
      name: 'hub',
      chainId: 31_201,
      eid: 40_101,
      rpcUrl: 'http://127.0.0.1:8545',
      endpoint: ADDRESS(3),
      vault: ADDRESS(4),
    },
  ],
  dataDir: 'data',
  api: {},
};

describe('relayer config', function () {
  it('takes a backstop caller key with the backstop vault it hands accounts to', function () {
    const config = parseRelayerConfig({ ...minimal, backstop: ADDRESS(5), backstopCallerKey: KEY });
    expect(config.backstop).to.equal(ADDRESS(5));
    expect(config.backstopCallerKey).to.equal(KEY);
  });

  it('refuses a backstop caller key without a backstop vault, naming what is missing', function () {
    expect(() => parseRelayerConfig({ ...minimal, backstopCallerKey: KEY })).to.throw(
      /backstopCallerKey needs backstop/,
    );
  });

  it('refuses a backstop caller key that is not a 32-byte hex key', function () {
    expect(() => parseRelayerConfig({ ...minimal, backstop: ADDRESS(5), backstopCallerKey: '0x12' })).to.throw(
      /backstopCallerKey/,
    );
  });
});
