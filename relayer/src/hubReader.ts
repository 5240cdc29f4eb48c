/**
 * Reads what the SDK risk model needs from the hub chain: the risk configuration (assets,
 * markets), guarded prices, and an account's raw holdings; then computes its figures off-chain
 * with the same model the hub runs. Every read for one answer is pinned to one block, so the
 * figures equal what `MarginHub.accountFigures` returns at that block, to the wei.
 */
import { Contract, type JsonRpcProvider } from 'ethers';
import { fromAccountId } from '../../sdk/src/accountId.js';
import { health, marginFigures, tokenValue, type CollateralLine, type MarginFigures, type PerpLine } from '../../sdk/src/risk/marginModel.js';
import { abis, latestBlock, revertReason } from './chains.js';

export interface AssetInfo {
  assetId: number;
  eid: number;
  token: string;
  decimals: number;
  riskAsset: number;
  initialHaircut: bigint;
  maintenanceHaircut: bigint;
  liquidationBonus: bigint;
}

export interface MarketInfo {
  marketId: number;
  riskAsset: number;
  initialFactor: bigint;
  maintenanceFactor: bigint;
}

export type PriceReading = { ok: true; price: bigint } | { ok: false; error: string };

export interface AccountRisk {
  accountId: string;
  owner: string;
  subAccount: number;
  block: number;
  cash: bigint;
  collateral: Array<{ asset: AssetInfo; amount: bigint; price: bigint; valueUsd: bigint; initialValueUsd: bigint; maintenanceValueUsd: bigint }>;
  positions: Array<{ market: MarketInfo; size: bigint; price: bigint; notionalUsd: bigint }>;
  /** absent when a price the account depends on cannot be trusted (then `priceErrors` says why) */
  figures?: MarginFigures;
  health?: bigint;
  priceErrors: string[];
}

export class HubReader {
  readonly hub: Contract;
  readonly engine: Contract;
  private assets: AssetInfo[] = [];
  private markets: MarketInfo[] = [];

  constructor(
    readonly provider: JsonRpcProvider,
    hubAddress: string,
    engineAddress: string,
  ) {
    this.hub = new Contract(hubAddress, abis.hub(), provider);
    this.engine = new Contract(engineAddress, abis.engine(), provider);
  }

  /** (Re)reads the listed assets and markets; cheap, called when the engine emits a config event. */
  async loadConfig(): Promise<void> {
    const assetCount = Number(await this.engine.getFunction('assetCount')());
    const marketCount = Number(await this.engine.getFunction('marketCount')());
    this.assets = await Promise.all(
      Array.from({ length: assetCount }, async (_, assetId) => {
        const a = await this.engine.getFunction('asset')(assetId);
        return {
          assetId,
          eid: Number(a.eid),
          token: a.token as string,
          decimals: Number(a.decimals),
          riskAsset: Number(a.riskAsset),
          initialHaircut: a.initialHaircut as bigint,
          maintenanceHaircut: a.maintenanceHaircut as bigint,
          liquidationBonus: a.liquidationBonus as bigint,
        };
      }),
    );
    this.markets = await Promise.all(
      Array.from({ length: marketCount }, async (_, marketId) => {
        const m = await this.engine.getFunction('market')(marketId);
        return { marketId, riskAsset: Number(m.riskAsset), initialFactor: m.initialFactor as bigint, maintenanceFactor: m.maintenanceFactor as bigint };
      }),
    );
  }

  listedAssets(): readonly AssetInfo[] {
    return this.assets;
  }

  async price(riskAsset: number, blockTag: number): Promise<PriceReading> {
    try {
      return { ok: true, price: (await this.engine.getFunction('price')(riskAsset, { blockTag })) as bigint };
    } catch (err) {
      return { ok: false, error: revertReason(err, [this.engine.interface]) };
    }
  }

  async accountRisk(accountId: string, blockTag?: number): Promise<AccountRisk> {
    const block = blockTag ?? (await latestBlock(this.provider));
    const { owner, subAccount } = fromAccountId(accountId);
    const state = await this.hub.getFunction('accountState')(accountId, { blockTag: block });
    const cash = state.cash as bigint;
    const heldAssets = bits(BigInt(state.assets)).map((i) => this.assets[i]!);
    const openMarkets = bits(BigInt(state.markets)).map((i) => this.markets[i]!);
    const prices = new Map<number, PriceReading>();
    const priceOf = async (riskAsset: number) => {
      if (!prices.has(riskAsset)) prices.set(riskAsset, await this.price(riskAsset, block));
      return prices.get(riskAsset)!;
    };

    const risk: AccountRisk = { accountId, owner, subAccount, block, cash, collateral: [], positions: [], priceErrors: [] };
    const collateralLines: CollateralLine[] = [];
    for (const asset of heldAssets) {
      const amount = (await this.hub.getFunction('collateralOf')(accountId, asset.assetId, { blockTag: block })) as bigint;
      const p = await priceOf(asset.riskAsset);
      const price = p.ok ? p.price : 0n;
      const line = { amount, decimals: asset.decimals, price, initialHaircut: asset.initialHaircut, maintenanceHaircut: asset.maintenanceHaircut };
      collateralLines.push(line);
      const f = marginFigures(0n, [line], []);
      risk.collateral.push({ asset, amount, price, valueUsd: tokenValue(amount, asset.decimals, price), initialValueUsd: f.initialEquity, maintenanceValueUsd: f.maintenanceEquity });
    }
    const perpLines: PerpLine[] = [];
    for (const market of openMarkets) {
      const size = (await this.hub.getFunction('positionOf')(accountId, market.marketId, { blockTag: block })) as bigint;
      const p = await priceOf(market.riskAsset);
      const price = p.ok ? p.price : 0n;
      perpLines.push({ size, price, initialFactor: market.initialFactor, maintenanceFactor: market.maintenanceFactor });
      risk.positions.push({ market, size, price, notionalUsd: ((size < 0n ? -size : size) * price) / 10n ** 18n });
    }
    for (const p of prices.values()) if (!p.ok) risk.priceErrors.push(p.error);
    if (risk.priceErrors.length === 0) {
      risk.figures = marginFigures(cash, collateralLines, perpLines);
      risk.health = health(risk.figures.maintenanceEquity, risk.figures.maintenanceRequirement);
    }
    return risk;
  }
}

function bits(x: bigint): number[] {
  const out: number[] = [];
  for (let i = 0; x > 0n; i++, x >>= 1n) if (x & 1n) out.push(i);
  return out;
}
