/**
 * @omnichain-collateral/sdk: one account's health across chains, computed exactly as the hub
 * computes it, and everything needed to act on it.
 *
 * - the margin model, to the wei (`accountRisk`, `portfolioMargin`, `health`), its float
 *   screening for books (`screenBook`) and the memoized exact path (`ExactBook`);
 * - what-if previews and liquidation prices (`previewAccount`, `liquidationPrices`);
 * - the hub's liquidation sizing and urgency-scaled bonus (`liquidationAmounts`, `urgencyBonus`),
 *   and its per-account concentration add-on (`concentrationAddOn`);
 * - the cross-chain message codec, account ids, LayerZero packets and options;
 * - typed ABIs (also at `@omnichain-collateral/sdk/abi`), `TypedContract`, Multicall3 batches,
 *   named revert reasons, and contract helpers (`deposit`, `withdraw`, `transfer`, `readFigures`);
 * - a typed client of the relayer API (`RelayerClient`), its request and answer schemas.
 */
export * from './messageCodec.js';
export * from './accountId.js';
export * from './packet.js';
export * from './lzOptions.js';

export * from './risk/fixedPoint.js';
export * from './risk/marginModel.js';
export * from './risk/optionMath.js';
export * from './risk/portfolioMargin.js';
export * from './risk/accountRisk.js';
export * from './risk/preview.js';
export * from './risk/exactBook.js';
export * from './risk/screening.js';
export * from './risk/liquidation.js';
export * from './risk/concentration.js';

export * from './contracts/typedContract.js';
export * from './contracts/multicall.js';
export * from './contracts/revert.js';
export * from './contracts/marginAccount.js';

export * from './api/schemas.js';
export * from './api/requests.js';
export * from './api/client.js';
