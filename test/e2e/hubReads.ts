/**
 * What the e2e tests read from the hub to hold the API to it: the greeks on chain, and an
 * account's API figures against the hub's at the block the API read.
 */
import { expect } from 'chai';
import { formatWad, health } from '@omnichain-collateral/sdk/risk/marginModel';
import type { hubContracts } from '../../relayer/src/devnet/deploySystem.js';
import { getJson } from './http.js';

type Hub = ReturnType<typeof hubContracts>;

/** The greeks on chain: the engine's `risk` over the holdings the hub reports, at one block. */
export async function onChainRisk({ hub, engine }: Hub, account: string, blockTag: number) {
  const [held] = await hub.read('holdingsOf', [[account]], { blockTag });
  return engine.read('risk', [held!.cash, held!.collateral, held!.positions], { blockTag });
}

/** `owner`'s first account in the API, after checking its figures and delta equal the hub's at the API's block. */
export async function apiEqualsHub(contracts: Hub, api: string, owner: string, account: string) {
  const { body } = await getJson(`${api}/v1/accounts/${owner}`);
  const onHub = await contracts.hub.read('accountFigures', [account], { blockTag: body.block });
  const acct = body.accounts[0];
  expect(acct.equityUsd.maintenance).to.equal(formatWad(onHub.maintenanceEquity));
  expect(acct.requirementUsd.initial).to.equal(formatWad(onHub.initialRequirement));
  expect(acct.requirementUsd.maintenance).to.equal(formatWad(onHub.maintenanceRequirement));
  // From the same call's figures: a second eth_call at the head block may run a second later (option time value).
  expect(acct.health).to.equal(formatWad(health(onHub.maintenanceEquity, onHub.maintenanceRequirement)));
  const risk = await onChainRisk(contracts, account, body.block);
  expect(acct.greeks[0].delta).to.equal(formatWad(risk.delta[0]!));
  return acct;
}
