/**
 * A date column as YYYY-MM-DD, whichever form the database driver returns it in (the pg and
 * mysql drivers make a Date at local midnight of that day).
 */
export const dateOnly = (v: string | Date | null | undefined): string | null => {
  if (!v) return null;
  if (!(v instanceof Date)) return String(v).slice(0, 10);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${v.getFullYear()}-${pad(v.getMonth() + 1)}-${pad(v.getDate())}`;
};
