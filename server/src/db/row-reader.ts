import type { Core, UID } from '@strapi/strapi';

import { perContentType } from './per-content-type';

type FromDb = (value: unknown) => unknown;

const asText: FromDb = (v) => String(v);
const asNumber: FromDb = (v) => Number(v);
const asDate = (v: unknown) => (v instanceof Date ? v : new Date(v as string | number));
const asJson: FromDb = (v) => {
  if (typeof v !== 'string') return v;
  try {
    const parsed = JSON.parse(v);
    // Strapi 5 before rc.7 stored some values stringified twice; its query layer parses them twice.
    return typeof parsed === 'string' ? JSON.parse(parsed) : parsed;
  } catch {
    return v;
  }
};

/**
 * A scalar column's value as Strapi's query layer hands it out (each type's `fromDB` in
 * @strapi/database's fields): booleans from SQLite's and MariaDB's 0 and 1, JSON parsed where the
 * driver returns text, datetimes as ISO strings whatever the driver returns.
 */
const FROM_DB: Record<string, FromDb> = {
  increments: asNumber,
  integer: asNumber,
  float: asNumber,
  decimal: asNumber,
  biginteger: asText,
  string: asText,
  text: asText,
  richtext: asText,
  enumeration: asText,
  uid: asText,
  email: asText,
  password: asText,
  boolean: (v) => (typeof v === 'boolean' ? v : String(v) === '1' ? true : String(v) === '0' ? false : null),
  datetime: (v) => {
    const d = asDate(v);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  },
  timestamp: (v) => {
    const t = asDate(v).getTime();
    return Number.isNaN(t) ? null : String(t);
  },
  date: (v) => v,
  time: (v) => v,
  json: asJson,
  blocks: asJson,
};

/** Rows of a content type's scalar columns, read straight through knex. */
export interface RowReader {
  /** Every scalar column of the table: what a SELECT or a RETURNING names. */
  columns: string[];
  /** A row of those columns as the query layer would return it: by attribute, each value converted as it converts it. */
  read(row: Record<string, unknown>): Record<string, unknown>;
}

/**
 * The read side of the state writer (state-writer.ts): the rows a job takes by the hundred (the
 * refresh job's leased tokens), converted without the query layer. Its conversion makes a field
 * object for every column of every row and parses the column's name as a path (lodash): some
 * 30 ms of CPU time per 1,000 leased tokens in the refresh job's profile on PostgreSQL
 * (bench/refresh), beside the driver's own parsing. Relations are not read (their join columns
 * are left out).
 */
export const rowReader: (strapi: Core.Strapi, uid: UID.Schema) => RowReader = perContentType((strapi, uid) => makeReader(strapi, uid));

function makeReader(strapi: Core.Strapi, uid: UID.Schema): RowReader {
  const attributes = strapi.db.metadata.get(uid).attributes as Record<string, { type: string; columnName?: string }>;
  const fields = Object.entries(attributes)
    .filter(([, a]) => FROM_DB[a.type])
    .map(([name, a]) => ({ name, column: a.columnName ?? name, fromDb: FROM_DB[a.type] }));
  return {
    columns: fields.map((f) => f.column),
    read(row) {
      const out: Record<string, unknown> = {};
      for (const { name, column, fromDb } of fields) {
        if (!(column in row)) continue;
        const value = row[column];
        out[name] = value === null || value === undefined ? null : fromDb(value);
      }
      return out;
    },
  };
}
