import { Pagination } from '@strapi/strapi/admin';

const PAGE_SIZES = ['10', '25', '50', '100'];

/** The page-size choice and page links under a paged list; both work through the address (page, pageSize). */
export const PaginationFooter = ({ pageCount, total, pageSize }: { pageCount: number; total: number; pageSize: number }) => (
  <Pagination.Root pageCount={pageCount} total={total} defaultPageSize={pageSize}>
    <Pagination.PageSize options={PAGE_SIZES} />
    <Pagination.Links />
  </Pagination.Root>
);
