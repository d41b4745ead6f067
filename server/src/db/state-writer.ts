import type { Core, UID } from '@strapi/strapi';
import type { Knex } from 'knex';

import { perContentType } from './per-content-type';
import { rowReader } from './row-reader';

type Where = (qb: Knex.QueryBuilder) => Knex.QueryBuilder;

/** A row's plain columns, as Strapi's query layer would write them. */
export interface StateWriter {
  /** UPDATE … SET data WHERE …; returns how many rows it changed. */
  update(where: Where, data: Record<string, unknown>): Promise<number>;
  /**
   * Several rows' own values in one UPDATE: each row's columns set where its id is (CASE), the
   * others left as they are, and only rows meeting their own conditions written. Returns how many
   * rows it changed.
   */
  updateRows(rows: RowUpdate[]): Promise<number>;
  /**
   * UPDATE … SET data WHERE …, and the rows it changed as the query layer reads them, in the same
   * statement (RETURNING); undefined, and nothing written, where the dialect has no UPDATE …
   * RETURNING (MariaDB, MySQL): the caller then updates and reads back the rows its own way.
   */
  updateReturning(where: Where, data: Record<string, unknown>): Promise<Record<string, unknown>[] | undefined>;
  /** SELECT of the rows' scalar columns, as the query layer reads them. */
  select(where: Where): Promise<Record<string, unknown>[]>;
  /** The column of an attribute, for the where clauses. */
  column(attribute: string): string;
}

/**
 * One row of updateRows: its id, the values its columns must have for it to be written
 * (attribute → value; null: IS NULL), its new values.
 */
export interface RowUpdate {
  id: number;
  when: Record<string, unknown>;
  data: Record<string, unknown>;
}

/**
 * Writes the scalar state of a content type's rows straight through knex. For the writes a job
 * repeats by the thousand (a refresh job's results and leases), Strapi's query layer costs about
 * twice the CPU time of the statement itself (its lifecycles, data processing and query
 * builder: about 0.2 ms against 0.1 ms an UPDATE on SQLite, measured with bench/refresh), and
 * the job shares the machine's cores with everything else. The values are written as Strapi
 * writes them (columns from its metadata, JSON as text, dates as Date objects for the driver);
 * relations and components are not written here, and no lifecycle runs (the plugin's internal
 * types have none). Inside a Strapi transaction, the statement joins it.
 */
export const stateWriter: (strapi: Core.Strapi, uid: UID.Schema) => StateWriter = perContentType((strapi, uid) => makeWriter(strapi, uid));

/** Whether two values of a column are one value to the database (dates by their time). */
const sameValue = (a: unknown, b: unknown) => a === b || (a instanceof Date && b instanceof Date && a.getTime() === b.getTime());

function makeWriter(strapi: Core.Strapi, uid: UID.Schema): StateWriter {
  const meta = strapi.db.metadata.get(uid);
  const attributes = meta.attributes as Record<string, { type: string; columnName?: string }>;
  const column = (attribute: string) => {
    const a = attributes[attribute];
    if (!a || a.type === 'relation' || a.type === 'component' || a.type === 'dynamiczone' || a.type === 'media') {
      throw new Error(`${uid} has no scalar attribute "${attribute}"`);
    }
    return a.columnName ?? attribute;
  };
  const toRow = (data: Record<string, unknown>) => {
    const row: Record<string, unknown> = {};
    for (const [attribute, value] of Object.entries(data)) {
      if (value === undefined) continue;
      const json = attributes[attribute]?.type === 'json' && value !== null && typeof value === 'object';
      row[column(attribute)] = json ? JSON.stringify(value) : value;
    }
    return row;
  };

  const knex = strapi.db.connection;
  const quotes = new Map<string, string>();
  /** A column's name as the dialect quotes it, worked out once. */
  const quoted = (col: string) => {
    let q = quotes.get(col);
    if (!q) quotes.set(col, (q = knex.raw('??', [col]).toQuery()));
    return q;
  };

  /** A statement on the table, inside the Strapi transaction that is open, if one is. */
  const onTable = async <T>(statement: (qb: Knex.QueryBuilder) => Knex.QueryBuilder): Promise<T> => {
    const query = (trx?: Knex.Transaction) => {
      const qb = statement(strapi.db.getConnection(meta.tableName));
      return trx ? qb.transacting(trx) : qb;
    };
    return (strapi.db.inTransaction() ? await strapi.db.transaction(({ trx }) => query(trx)) : await query()) as T;
  };
  const run = async (where: Where, values: Record<string, unknown>) => Number(await onTable((qb) => where(qb).update(values)));
  const reader = rowReader(strapi, uid);

  return {
    column,
    update: (where, data) => run(where, toRow(data)),
    async updateReturning(where, data) {
      if (!strapi.db.dialect.useReturning()) return undefined;
      const rows = await onTable<Record<string, unknown>[]>((qb) => where(qb).update(toRow(data), reader.columns));
      return rows.map(reader.read);
    },
    select: async (where) => (await onTable<Record<string, unknown>[]>((qb) => where(qb).select(reader.columns))).map(reader.read),
    async updateRows(rows) {
      // Spelled here rather than through knex's builder (a raw CASE of `??` identifiers and a
      // where callback a row): the job writes these by the hundred, and knex's compiling of them
      // cost as much CPU time as the rest of the write.
      const id = quoted('id');
      let values: Record<string, unknown> = {};
      if (rows.length === 1) {
        values = toRow(rows[0].data);
      } else {
        // column -> [id, value] of the rows that set it
        const byColumn = new Map<string, unknown[]>();
        for (const row of rows) {
          for (const [col, value] of Object.entries(toRow(row.data))) {
            if (!byColumn.has(col)) byColumn.set(col, []);
            byColumn.get(col)!.push(row.id, value);
          }
        }
        for (const [col, set] of byColumn) {
          // A value every row sets alike (a lease released, a mark cleared: half a renewal's
          // columns) is one plain assignment: a CASE costs the database a branch a row to plan
          // and to evaluate for each row it writes.
          if (set.length === rows.length * 2 && set.every((value, i) => i % 2 === 0 || sameValue(value, set[1]))) {
            values[col] = set[1];
            continue;
          }
          // ELSE the column itself: a row that does not set it keeps its value (and on PostgreSQL
          // the branches take the column's type).
          const branches = new Array(set.length / 2).fill(`WHEN ${id} = ? THEN ?`).join(' ');
          values[col] = knex.raw(`CASE ${branches} ELSE ${quoted(col)} END`, set as Knex.RawBinding[]);
        }
      }
      // The conditions: those every row has alike once (the job's lease owner), the rows' ids as
      // one list the primary key is searched by, and each row's own (its compare-and-swap) OR'ed.
      const bindings: unknown[] = [];
      const term = (attribute: string, value: unknown) => {
        if (value === null || value === undefined) return `${quoted(column(attribute))} IS NULL`;
        bindings.push(value);
        return `${quoted(column(attribute))} = ?`;
      };
      const shared = Object.keys(rows[0].when).filter((a) => rows.every((r) => a in r.when && sameValue(r.when[a], rows[0].when[a])));
      const own = rows.map((r) => Object.keys(r.when).filter((a) => !shared.includes(a)));
      const terms = [`${id} IN (${rows.map(() => '?').join(', ')})`];
      bindings.push(...rows.map((r) => r.id));
      terms.push(...shared.map((a) => term(a, rows[0].when[a])));
      if (own.some((attributes) => attributes.length)) {
        const each = rows.map(({ id: rowId, when }, i) => {
          bindings.push(rowId);
          return `(${[`${id} = ?`, ...own[i].map((a) => term(a, when[a]))].join(' AND ')})`;
        });
        terms.push(`(${each.join(' OR ')})`);
      }
      return run((qb) => qb.whereRaw(terms.join(' AND '), bindings as Knex.RawBinding[]), values);
    },
  };
}
