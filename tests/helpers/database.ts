import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type DatabaseKind = 'sqlite' | 'postgres' | 'mysql';

export interface TestDatabase {
  kind: DatabaseKind;
  name: string;
  /** The DATABASE_* variables that point the playground at this database. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** The database the integration suite runs on: TEST_DB=sqlite (default) | postgres | mysql. */
export const testDatabaseKind = (): DatabaseKind => {
  const kind = process.env.TEST_DB ?? 'sqlite';
  if (kind !== 'sqlite' && kind !== 'postgres' && kind !== 'mysql') {
    throw new Error(`TEST_DB must be sqlite, postgres or mysql, not "${kind}"`);
  }
  return kind;
};

const PG = { host: process.env.TEST_PG_HOST ?? '127.0.0.1', port: 5432, user: process.env.PGUSER ?? 'postgres' };
const MY = { host: '127.0.0.1', port: 3306, user: process.env.MYSQL_USER ?? 'root', password: '' };

/** Runs one statement on PostgreSQL's maintenance database (CREATE and DROP DATABASE cannot run in the database itself). */
async function pgAdmin(sql: string) {
  const { Client } = await import('pg');
  const client = new Client({ ...PG, database: 'postgres' });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const postgresDatabase = (name: string): TestDatabase => ({
  kind: 'postgres',
  name,
  env: {
    DATABASE_CLIENT: 'postgres',
    DATABASE_HOST: PG.host,
    DATABASE_PORT: String(PG.port),
    DATABASE_NAME: name,
    DATABASE_USERNAME: PG.user,
    DATABASE_PASSWORD: '',
  },
  drop: () => pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
});

/**
 * A new PostgreSQL database that starts as a copy of `template` (CREATE DATABASE … TEMPLATE, a
 * copy of its files: seconds where seeding again through Strapi takes minutes). Nothing may be
 * connected to the template meanwhile.
 */
export async function copyPostgresDatabase(template: TestDatabase): Promise<TestDatabase> {
  if (template.kind !== 'postgres') throw new Error(`only a PostgreSQL database can be copied, not ${template.kind}`);
  const name = `mailauth_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await pgAdmin(`CREATE DATABASE ${name} TEMPLATE ${template.name}`);
  return postgresDatabase(name);
}

/** A connection to a PostgreSQL test database, for reading it from outside Strapi (node-postgres). */
export async function connectPostgres(database: TestDatabase) {
  const { Client } = await import('pg');
  const client = new Client({ ...PG, database: database.name });
  await client.connect();
  return client;
}

/** A fresh, empty database of the given kind, dropped again by `drop()`. */
export async function createTestDatabase(kind: DatabaseKind = testDatabaseKind()): Promise<TestDatabase> {
  const name = `mailauth_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'mail-auth-db-'));
    return {
      kind,
      name,
      env: { DATABASE_CLIENT: 'sqlite', DATABASE_FILENAME: join(dir, 'data.db') },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }

  if (kind === 'postgres') {
    await pgAdmin(`CREATE DATABASE ${name}`);
    return postgresDatabase(name);
  }

  const mysql = await import('mysql2/promise');
  const admin = async (sql: string) => {
    const conn = await mysql.createConnection(MY);
    try {
      await conn.query(sql);
    } finally {
      await conn.end();
    }
  };
  await admin(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  return {
    kind,
    name,
    env: {
      DATABASE_CLIENT: 'mysql',
      DATABASE_HOST: MY.host,
      DATABASE_PORT: String(MY.port),
      DATABASE_NAME: name,
      DATABASE_USERNAME: MY.user,
      DATABASE_PASSWORD: MY.password,
    },
    drop: () => admin(`DROP DATABASE IF EXISTS ${name}`),
  };
}
