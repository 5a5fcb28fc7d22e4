/**
 * Retries `probe` until it stops throwing (an `expect` inside it passes) or the deadline
 * passes, then rethrows the last failure. The way to wait for asynchronous outcomes: no sleeps.
 */
export async function expectEventually<T>(
  probe: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
