import { useFetchClient } from '@strapi/strapi/admin';
import { useMemo } from 'react';

import { PLUGIN_ID } from '../pluginId';

/** Typed calls to the transfer routes (server/src/controllers/transfer.ts; docs/transfer.md). */

export interface EntryRef {
  kind: string;
  name: string;
}

export interface ChangedEntry extends EntryRef {
  changes: string[];
}

export interface ImportReport {
  dryRun: boolean;
  overwrite: boolean;
  created: EntryRef[];
  updated: ChangedEntry[];
  unchanged: EntryRef[];
  skipped: ChangedEntry[];
  needsConfiguration: Array<EntryRef & { problems: Array<{ path: string[]; message: string }> }>;
  errors: TransferIssue[];
}

/** One problem of a refused document, as the server names it. */
export interface TransferIssue {
  path: string[];
  message: string;
  line?: number;
  column?: number;
  entry?: { index: number; name?: string; kind?: string };
}

export interface ImportRequest {
  yaml: string;
  overwrite: boolean;
  dryRun: boolean;
}

export const useTransferApi = () => {
  const { get, post } = useFetchClient();
  return useMemo(
    () => ({
      async exportYaml(includeSecrets: boolean): Promise<string> {
        const { data } = await get<string>(`/${PLUGIN_ID}/export`, {
          params: includeSecrets ? { secrets: 'include' } : {},
          responseType: 'text',
        });
        return data;
      },
      async importYaml(request: ImportRequest): Promise<ImportReport> {
        const { data } = await post<ImportReport>(`/${PLUGIN_ID}/import`, request);
        return data;
      },
    }),
    [get, post]
  );
};
