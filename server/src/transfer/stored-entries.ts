import { MailAuthError, type FieldError } from '../errors';

/** What the entry kinds share about the rows they import into. */

/** The stored row an entry's name refers to: the exact name first, then the database's own match (MySQL ignores case). */
export const sameName = <R extends { name: string }>(rows: readonly R[], name: string): R | undefined =>
  rows.find((r) => r.name === name) ?? rows.find((r) => r.name.toLowerCase() === name.toLowerCase());

/**
 * Names are unique by the plugin's rule, not by a database index: after a create, ask the
 * database, in the import's transaction, whether the name is now taken twice (MySQL compares
 * names without case).
 */
export async function assertNameOnce(db: { count(params: { where: { name: string } }): Promise<number> }, name: string, label: string): Promise<void> {
  if ((await db.count({ where: { name } })) <= 1) return;
  throw new MailAuthError('CONFLICT', `"${name}" is also the name of another ${label}, as the database compares names: nothing was imported`, {
    advice: 'Names that differ only in case are the same name on MySQL and MariaDB: rename one of them and import again.',
    errors: [{ path: ['Name'], message: `is already used by another ${label} (the database ignores case)` }],
  });
}

/** The lastError of an entry imported with settings to complete; `problems` name the fields as the admin API does. */
export const configurationRequired = (label: string, problems: readonly FieldError[]) => ({
  code: 'CONFIGURATION_REQUIRED',
  message: `Imported with settings to complete before the ${label} can be used`,
  advice: problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; '),
  at: new Date().toISOString(),
});

/** Whether an import marked the row as having settings to complete (configurationRequired). */
export const markedIncomplete = (row: { lastError?: { code?: string } | null }): boolean => row.lastError?.code === 'CONFIGURATION_REQUIRED';

/** The error for using an account an import marked as incomplete; undefined when it is not marked. */
export const pendingConfiguration = (row: { name: string; lastError?: { code?: string; advice?: string | null } | null }, label: string): MailAuthError | undefined =>
  markedIncomplete(row)
    ? new MailAuthError('CONFIGURATION_REQUIRED', `The ${label} "${row.name}" was imported with settings to complete: it is not used until they are`, {
        advice: `Open the account and complete: ${row.lastError?.advice ?? 'the settings the import left out'}.`,
      })
    : undefined;
