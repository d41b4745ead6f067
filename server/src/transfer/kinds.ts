import type { Core } from '@strapi/strapi';

import type { Actor } from '../shared/actor';
import type { FieldError } from '../errors';

/**
 * An entry kind: one sort of thing a document holds (OAuth2 tokens, inbound and outbound
 * accounts). The transfer service does everything kinds have in common —
 * parsing, limits, the `Kind:` key, names, overwrite and skip, the transaction, the report —
 * and asks the kind only what is particular to it. A new kind is added by writing one
 * such object and registering it (see default-kinds.ts and docs/transfer.md).
 */

/** An entry read from a document: its name and what the kind made of it. */
export interface ReadEntry<T> {
  name: string;
  value: T;
}

export type ReadEntryResult<T> = { ok: true; entry: ReadEntry<T> } | { ok: false; errors: FieldError[] };

/** What importing one entry would do, worked out before anything is written. */
export interface EntryPlan {
  /** The stored entry of the same name, what the file would change in it (document paths), and what forbids changing it. */
  existing?: { id: number; changes: string[]; conflicts: FieldError[] };
  /** Settings the entry leaves to complete (document paths): it is imported, and marked unusable until they are fixed. */
  problems: FieldError[];
  /** What makes the entry impossible to import (document paths), overwrite or not: the whole document is refused. */
  errors?: FieldError[];
  /** Creates the entry, or updates the existing one; called inside the import's transaction. */
  write(): Promise<void>;
}

/** An entry of the document being imported, of any kind. */
export interface DocumentEntryRef {
  kind: string;
  entry: ReadEntry<unknown>;
}

export interface PlanOptions {
  actor?: Actor;
  /** Every entry of the document, of every kind: what an entry refers to may be in the same file. */
  document?: readonly DocumentEntryRef[];
}

export interface ExportOptions {
  /** Only these names; all when undefined. */
  names?: ReadonlySet<string>;
  /** Client secrets, passwords and tokens too. */
  secrets: boolean;
}

export interface EntryKind<T = unknown> {
  /** The value of `Kind:` in a document. */
  kind: string;
  /** What a person calls it, in messages ("OAuth2 token"). */
  label: string;
  /** Lower first, on export and import: tokens before the accounts that refer to them. */
  order: number;
  /** Whether this Strapi stores this kind (its content type is registered). */
  available(strapi: Core.Strapi): boolean;
  /** Checks one raw entry (a plain value from YAML) and reads it; errors name paths inside the entry. */
  read(raw: unknown): ReadEntryResult<T>;
  /** Plans the import of these entries (all of this kind, names unique), in the order given. */
  plan(strapi: Core.Strapi, entries: ReadEntry<T>[], options: PlanOptions): Promise<EntryPlan[]>;
  /** The names of all stored entries. */
  storedNames(strapi: Core.Strapi): Promise<string[]>;
  /** Stored entries in document shape (plain values, keys in a fixed order), any order. */
  export(strapi: Core.Strapi, options: ExportOptions): Promise<Array<{ name: string; entry: Record<string, unknown> }>>;
}

/** The kinds a transfer service knows, by their `Kind:` value. */
export class EntryKindRegistry {
  private readonly byKind = new Map<string, EntryKind>();

  constructor(kinds: EntryKind[] = []) {
    kinds.forEach((kind) => this.register(kind));
  }

  register(kind: EntryKind): void {
    if (this.byKind.has(kind.kind)) throw new Error(`[mail-auth] the entry kind ${kind.kind} is registered twice`);
    this.byKind.set(kind.kind, kind);
  }

  get(kind: string): EntryKind | undefined {
    return this.byKind.get(kind);
  }

  /** In export and import order. */
  all(): EntryKind[] {
    return [...this.byKind.values()].sort((a, b) => a.order - b.order || (a.kind < b.kind ? -1 : 1));
  }
}
