import { validationError } from '../errors';

/** What the plugin's named rows (tokens, accounts) are read through: a Strapi query of their content type. */
interface NamedQuery {
  findOne(params: { where: Record<string, unknown>; select?: string[]; populate?: unknown }): Promise<unknown>;
}

/**
 * A row by reference: an id (a number, or a string of digits) or a name. A name made of digits
 * only is found too, when no row has that id.
 */
export async function findByRef<R>(query: NamedQuery, ref: number | string, populate?: unknown): Promise<R | null> {
  const asId = typeof ref === 'number' ? ref : /^\d+$/.test(ref) ? Number(ref) : undefined;
  const row = (await query.findOne({ where: asId !== undefined ? { id: asId } : { name: ref }, populate })) as R | null;
  if (row || asId === undefined || typeof ref === 'number') return row;
  return (await query.findOne({ where: { name: ref }, populate })) as R | null;
}

/** Names are unique per kind: a 400 naming the field when another row has this one. */
export async function assertNameFree(query: NamedQuery, name: string, label: string, exceptId?: number): Promise<void> {
  const other = (await query.findOne({ where: { name }, select: ['id'] })) as { id: number } | null;
  if (other && other.id !== exceptId) throw validationError([{ path: ['name'], message: `is already used by another ${label}` }], `Invalid ${label}`);
}
