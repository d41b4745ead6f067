import { useFetchClient } from '@strapi/strapi/admin';
import { useMemo } from 'react';

import type { ImportReport } from '../../../server/src/transfer/report';
import { PLUGIN_ID } from '../pluginId';

/** Typed calls to the transfer routes (server/src/controllers/transfer.ts; docs/transfer.md). */

// The answers' shapes are the server's own: one definition for both sides.
export type { ChangedEntry, EntryRef, ImportReport, TransferIssue } from '../../../server/src/transfer/report';

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
