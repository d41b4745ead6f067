/** What a list route takes from its query string. */
export interface PageQuery {
  page?: number | string;
  pageSize?: number | string;
}

/** A page of results and where it stands, the shape of every list answer of the admin API. */
export interface Page<V> {
  results: V[];
  pagination: { page: number; pageSize: number; total: number; pageCount: number };
}

/** What a page is read through: a Strapi query of the content type. */
interface PagedQuery {
  findMany(params: Record<string, unknown>): Promise<unknown[]>;
  count(params: { where: Record<string, unknown> }): Promise<number>;
}

/**
 * One page of rows (25 by default, at most 100, from page 1) and their total, read side by side,
 * each row as the API shows it. Out-of-range or unreadable numbers fall back to the defaults.
 */
export async function findPage<R, V>(
  query: PagedQuery,
  asked: PageQuery,
  params: { where: Record<string, unknown>; orderBy: unknown; populate?: unknown },
  show: (row: R) => V,
): Promise<Page<V>> {
  const page = Math.max(1, Number(asked.page) || 1);
  const pageSize = Math.min(100, Math.max(1, Number(asked.pageSize) || 25));
  const [rows, total] = await Promise.all([query.findMany({ ...params, offset: (page - 1) * pageSize, limit: pageSize }), query.count({ where: params.where })]);
  return { results: (rows as R[]).map(show), pagination: { page, pageSize, total, pageCount: Math.ceil(total / pageSize) } };
}
