import { useQueryParams } from '@strapi/strapi/admin';

/** The page, page size and search text of a searchable paged list, read from the address. */
export const useListQuery = () => {
  const [{ query }] = useQueryParams<{ page?: string; pageSize?: string; _q?: string }>();
  const page = Number(query.page) || 1;
  const pageSize = Number(query.pageSize) || 10;
  const search = query._q ?? '';
  return { page, pageSize, search, key: `${page}|${pageSize}|${search}` };
};
