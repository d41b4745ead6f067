import { EmptyStateLayout, Flex, Table, Tbody, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { EmptyDocuments } from '@strapi/icons/symbols';
import type { ReactNode } from 'react';

import { PaginationFooter } from './PaginationFooter';

export interface ListTableProps<Row extends { id: number | string }> {
  /** The column headings, in order; their count is the table's column count. */
  headings: string[];
  rows: Row[];
  /** Attributes for a row's <tr>, e.g. `{ 'data-account': row.name }` (the e2e tests select rows by them). */
  rowAttributes: (row: Row) => Record<`data-${string}`, string>;
  /** The row's <Td> cells, in the order of `headings`. */
  cells: (row: Row) => ReactNode;
  /** Shown instead of the table when there is no row. */
  emptyContent: string;
  emptyAction?: ReactNode;
  pagination: { pageCount: number; total: number } | undefined;
  pageSize: number;
}

/** A paged list page's body: the table with its pagination, or the empty state when there is no row. */
export const ListTable = <Row extends { id: number | string }>({ headings, rows, rowAttributes, cells, emptyContent, emptyAction, pagination, pageSize }: ListTableProps<Row>) => {
  if (rows.length === 0) return <EmptyStateLayout icon={<EmptyDocuments width="16rem" />} content={emptyContent} action={emptyAction} />;
  return (
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Table colCount={headings.length} rowCount={rows.length + 1}>
        <Thead>
          <Tr>
            {headings.map((heading) => (
              <Th key={heading}><Typography variant="sigma">{heading}</Typography></Th>
            ))}
          </Tr>
        </Thead>
        <Tbody>
          {rows.map((row) => (
            <Tr key={row.id} {...rowAttributes(row)}>
              {cells(row)}
            </Tr>
          ))}
        </Tbody>
      </Table>
      {pagination && <PaginationFooter pageCount={pagination.pageCount} total={pagination.total} pageSize={pageSize} />}
    </Flex>
  );
};
