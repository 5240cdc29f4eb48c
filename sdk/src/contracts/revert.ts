/** Why a call reverted, in words an operator can act on. */
import type { ErrorDescription, Interface } from 'ethers';

/** The custom error a revert carries, decoded with the first of `interfaces` that knows it. */
export function decodeRevert(err: unknown, interfaces: readonly Interface[]): ErrorDescription | undefined {
  const data = revertData(err);
  if (data === undefined || data.length < 10) return undefined;
  for (const iface of interfaces) {
    try {
      const parsed = iface.parseError(data);
      if (parsed) return parsed;
    } catch {
      // not this interface's error
    }
  }
  return undefined;
}

/** The custom error a revert carries, by name with its arguments, or the plain message. */
export function revertReason(err: unknown, interfaces: readonly Interface[]): string {
  const parsed = decodeRevert(err, interfaces);
  if (parsed) return `${parsed.name}(${parsed.args.map(String).join(', ')})`;
  const e = err as { shortMessage?: string; message?: string };
  const data = revertData(err);
  return (
    e.shortMessage ??
    e.message ??
    (typeof data === 'string' ? `reverted with ${data === '0x' ? 'no data' : data}` : String(err))
  );
}

function revertData(err: unknown): string | undefined {
  const e = err as { data?: unknown; info?: { error?: { data?: unknown } } };
  const data = e.data ?? e.info?.error?.data;
  return typeof data === 'string' ? data : undefined;
}
