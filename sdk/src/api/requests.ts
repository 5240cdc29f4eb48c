/**
 * What the relayer API takes, defined once for the relayer (which validates with it) and the
 * SDK's client (which types its calls with it). The body of `POST /v1/accounts/:address/preview`:
 * the sub-account and the hypothetical actions, in the API's units (token amounts as integer
 * strings in base units, as the API shows them; sizes, prices and volatilities as decimal
 * strings), parsed into the SDK's PreviewAction.
 */
import { parseUnits } from 'ethers';
import { z } from 'zod';

const id = (name: string) =>
  z
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(0)
    .max(0xffff);
const baseUnits = z
  .string()
  .regex(
    /^[1-9]\d{0,77}$/,
    'amount must be a positive whole number of base units, as a string (e.g. "1500000000000000000")',
  )
  .transform(BigInt);
const decimal = (name: string, signed: boolean) =>
  z
    .string()
    .regex(
      signed ? /^-?\d+(\.\d{1,18})?$/ : /^\d+(\.\d{1,18})?$/,
      `${name} must be a ${signed ? '' : 'non-negative '}decimal string with at most 18 decimals, e.g. "${signed ? '-2.5' : '2750.5'}"`,
    )
    .transform((s) => parseUnits(s, 18));

export const previewActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('deposit'), assetId: id('assetId'), amount: baseUnits }).strict(),
  z.object({ type: z.literal('withdraw'), assetId: id('assetId'), amount: baseUnits }).strict(),
  z
    .object({
      type: z.literal('trade'),
      marketId: id('marketId'),
      size: decimal('size', true),
      price: decimal('price', false),
    })
    .strict(),
  z.object({ type: z.literal('price'), riskAsset: id('riskAsset'), price: decimal('price', false) }).strict(),
  z
    .object({ type: z.literal('volatility'), riskAsset: id('riskAsset'), volatility: decimal('volatility', false) })
    .strict(),
]);

export const previewBodySchema = z
  .object({
    subAccount: z.number().int().min(0).max(0xffffffff).default(0),
    actions: z.array(previewActionSchema).min(1, 'actions must list at least one action').max(32, 'at most 32 actions'),
  })
  .strict();

export type PreviewBody = z.input<typeof previewBodySchema>;
