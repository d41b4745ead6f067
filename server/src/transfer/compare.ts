/**
 * The leaf paths at which two entries in document shape differ ('Config.Scope',
 * 'MailAuth.Grant.AccessToken'), in a stable order. A key missing on one side counts as a
 * difference at that key.
 */
export function differingPaths(a: unknown, b: unknown, prefix: string[] = []): string[] {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isMap(a) && isMap(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => differingPaths(a[key], b[key], [...prefix, key]));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((item, i) => differingPaths(item, b[i], [...prefix, String(i)]));
  }
  return Object.is(a, b) ? [] : [prefix.join('.')];
}
