/** Whether a database error is a unique-key violation, on SQLite, PostgreSQL and MariaDB/MySQL. */
export function isUniqueViolation(e: unknown): boolean {
  let cur: unknown = e;
  for (let i = 0; cur && typeof cur === 'object' && i < 5; i++) {
    const x = cur as { code?: string | number; errno?: number; message?: string; cause?: unknown };
    if (x.code === '23505' || x.code === 'ER_DUP_ENTRY' || x.errno === 1062 || x.code === 'SQLITE_CONSTRAINT_UNIQUE') return true;
    if (x.code === 'SQLITE_CONSTRAINT' && /UNIQUE/i.test(x.message ?? '')) return true;
    if (/duplicate key value|Duplicate entry|UNIQUE constraint failed/i.test(x.message ?? '')) return true;
    cur = x.cause;
  }
  return false;
}
