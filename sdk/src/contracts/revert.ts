/** Why a call reverted, in words an operator can act on. */
import type { Interface } from 'ethers';

/** The custom error a revert carries, by name with its arguments, or the plain message. */
export function revertReason(err: unknown, interfaces: readonly Interface[]): string {
  const e = err as { data?: string; info?: { error?: { data?: string } }; shortMessage?: string; message?: string };
  const data = e.data ?? e.info?.error?.data;
  if (typeof data === 'string' && data.length >= 10) {
    for (const iface of interfaces) {
      try {
        const parsed = iface.parseError(data);
        if (parsed) return `${parsed.name}(${parsed.args.map(String).join(', ')})`;
      } catch {
        // not this interface's error
      }
    }
  }
  return e.shortMessage ?? e.message ?? (typeof data === 'string' ? `reverted with ${data === '0x' ? 'no data' : data}` : String(err));
}
