/**
 * Polls `fn` every `intervalMs` (100) until it returns something truthy, which it resolves with;
 * throws "timed out waiting for <what>" after `timeoutMs` (pass Infinity to wait without a deadline).
 */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
