import type { Core, UID } from '@strapi/strapi';
import type { Knex } from 'knex';

import { documentIds } from './document-id';

/** Bound values in one statement at most: below SQLite's 32,766 and PostgreSQL's and MySQL's 65,535. */
const MAX_BINDINGS = 30_000;

/** A row written by BulkInsert: its primary key and documentId. */
export interface InsertedRow {
  id: number;
  documentId: string;
}

/** Many rows of one content type in one INSERT. */
export interface BulkInsert {
  /**
   * Inserts the rows (attribute → value; scalar attributes only) in one statement and returns
   * their ids in the rows' order. Inside a Strapi transaction, the statement joins it.
   */
  insert(rows: Record<string, unknown>[]): Promise<InsertedRow[]>;
  /** The same INSERT for rows whose ids nobody reads (a log's entries): on MySQL/MariaDB no SELECT after it. */
  insertOnly(rows: Record<string, unknown>[]): Promise<void>;
}

/**
 * Writes rows of a content type in one multi-row INSERT straight through knex, as Strapi's
 * query layer would write them (columns from its metadata, JSON as text, dates as Date objects
 * for the driver; documentId, createdAt, updatedAt and publishedAt filled in), for the rows a
 * fetch writes by the thousand. What this saves, per 200-row chunk (bench/fetch): Strapi's
 * createMany runs its data processing per row and field and hands knex an insert that knex
 * spells on SQLite as `SELECT … UNION ALL SELECT …`, quoting every column again for each row;
 * here the statement is spelled once per chunk size. Relations, components and lifecycles are
 * not handled (the plugin's internal types have none of them). The ids come back through
 * RETURNING on SQLite and PostgreSQL, and by documentId (indexed) on MySQL/MariaDB.
 */
export function bulkInsert(strapi: Core.Strapi, uid: UID.Schema): BulkInsert {
  const meta = strapi.db.metadata.get(uid);
  const attributes = meta.attributes as Record<string, { type: string; columnName?: string }>;
  const knex = strapi.db.connection;
  const client = strapi.db.dialect.client as string;
  const returning = client === 'sqlite' || client === 'postgres';
  const column = (attribute: string) => {
    const a = attributes[attribute];
    if (!a || a.type === 'relation' || a.type === 'component' || a.type === 'dynamiczone' || a.type === 'media') {
      throw new Error(`${uid} has no scalar attribute "${attribute}"`);
    }
    return a.columnName ?? attribute;
  };
  const quote = (identifier: string) => knex.raw('??', [identifier]).toQuery();
  // In the connection's schema, as Strapi's own statements are (getConnection's withSchema).
  const schema = strapi.db.getSchemaName();
  const table = schema ? `${quote(schema)}.${quote(meta.tableName)}` : quote(meta.tableName);
  const idColumn = quote(column('id'));
  const documentIdColumn = quote(column('documentId'));
  /** The statement's text for a set of attributes and a number of rows: made once per shape. */
  const statements = new Map<string, string>();
  const statement = (names: string[], count: number) => {
    const shape = `${count}:${names.join(',')}`;
    let sql = statements.get(shape);
    if (!sql) {
      const row = `(${names.map(() => '?').join(', ')})`;
      sql = `insert into ${table} (${names.map((n) => quote(column(n))).join(', ')}) values ${new Array(count).fill(row).join(', ')}`;
      if (returning) sql += ` returning ${idColumn}, ${documentIdColumn}`;
      if (statements.size > 64) statements.clear();
      statements.set(shape, sql);
    }
    return sql;
  };
  const typeOf = (name: string) => attributes[name]?.type;
  const value = (name: string, v: unknown) => {
    if (v === undefined || v === null) return null;
    const type = typeOf(name);
    if (type === 'json') return JSON.stringify(v);
    // as Strapi's datetime fields: a Date for the driver, whatever it was given
    if ((type === 'datetime' || type === 'timestamp') && !(v instanceof Date)) return new Date(v as string | number);
    return v;
  };

  const run = async (sql: string, bindings: unknown[], trx?: Knex.Transaction) => {
    const query = knex.raw(sql, bindings as Knex.RawBinding[]);
    return trx ? query.transacting(trx) : query;
  };
  const execute = (sql: string, bindings: unknown[]) =>
    strapi.db.inTransaction() ? strapi.db.transaction(({ trx }) => run(sql, bindings, trx)) : run(sql, bindings);

  /** One statement for rows of one shape; their ids by documentId (none when `ids` is false). */
  const insertPart = async (names: string[], part: Record<string, unknown>[], ids = true): Promise<Map<string, number>> => {
    const bindings: unknown[] = [];
    for (const row of part) for (const name of names) bindings.push(value(name, row[name]));
    const result = await execute(statement(names, part.length), bindings);
    if (!ids) return new Map();
    let written: { id: unknown; document_id?: unknown; documentId?: unknown }[];
    if (returning) {
      written = Array.isArray(result) ? result : (result as { rows: typeof written }).rows;
    } else {
      const documentIdName = column('documentId');
      const read = (trx?: Knex.Transaction) => {
        const q = strapi.db
          .getConnection(meta.tableName)
          .select({ id: column('id'), documentId: documentIdName })
          .whereIn(documentIdName, part.map((r) => r.documentId as string));
        return trx ? q.transacting(trx) : q;
      };
      written = strapi.db.inTransaction() ? await strapi.db.transaction(({ trx }) => read(trx)) : await read();
    }
    return new Map(written.map((w) => [String(w.documentId ?? w.document_id), Number(w.id)]));
  };

  /** The rows with documentId and timestamps filled in, in statements of at most MAX_BINDINGS values. */
  const insertAll = async (rows: Record<string, unknown>[], ids: boolean) => {
    const now = new Date();
    const documents = documentIds(rows.length);
    const full = rows.map((row, i) => ({ documentId: documents[i], createdAt: now, updatedAt: now, publishedAt: now, ...row }) as Record<string, unknown>);
    const names = Object.keys(full[0]);
    const perStatement = Math.max(1, Math.floor(MAX_BINDINGS / names.length));
    const byDocument = new Map<string, number>();
    for (let i = 0; i < full.length; i += perStatement) {
      for (const [documentId, id] of await insertPart(names, full.slice(i, i + perStatement), ids)) byDocument.set(documentId, id);
    }
    return full.map((row) => ({ id: byDocument.get(row.documentId as string)!, documentId: row.documentId as string }));
  };

  return {
    insert: async (rows) => (rows.length ? insertAll(rows, true) : []),
    insertOnly: async (rows) => void (rows.length && (await insertAll(rows, false))),
  };
}
