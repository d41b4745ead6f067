/**
 * Makes `target[method]` run `check` first, each time (a connection to a host the network policy
 * forbids is refused before it is opened). The object keeps its class and every other method.
 */
export function checkBefore<T extends object, K extends keyof T>(target: T, method: K, check: () => Promise<void>): void {
  const original = target[method] as unknown as (...args: unknown[]) => Promise<unknown>;
  (target as Record<K, unknown>)[method] = async (...args: unknown[]) => {
    await check();
    return original.apply(target, args);
  };
}
