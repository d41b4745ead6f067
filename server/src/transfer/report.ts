import type { FieldError } from '../errors';

/** The types the transfer service answers with (admin API, CLI, admin panel). */

export interface EntryRef {
  kind: string;
  name: string;
}

export interface ChangedEntry extends EntryRef {
  /** Document paths that differ between the file and what is stored ('Config.Scope'). */
  changes: string[];
}

/** A problem in a document: where (path from the request body, line and column) and in which entry. */
export interface TransferIssue extends FieldError {
  entry?: { index: number; kind?: string; name?: string };
  line?: number;
  column?: number;
}

export interface ImportReport {
  dryRun: boolean;
  overwrite: boolean;
  created: EntryRef[];
  updated: ChangedEntry[];
  unchanged: EntryRef[];
  /** Same name as a stored entry, different content, and no overwrite. */
  skipped: ChangedEntry[];
  /** Entries written with settings to complete: stored, marked unusable until fixed. */
  needsConfiguration: Array<EntryRef & { problems: FieldError[] }>;
  /** Always empty here: a document with errors is refused whole (400, the errors in details). */
  errors: TransferIssue[];
}

export interface DiffReport {
  same: boolean;
  onlyInFile: EntryRef[];
  onlyInDatabase: EntryRef[];
  changed: ChangedEntry[];
  unchanged: EntryRef[];
}
