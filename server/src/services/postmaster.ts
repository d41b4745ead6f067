import type { Core } from '@strapi/strapi';

import { pluginConfig } from '../config/plugin-config';
import { ParserPool } from '../inbound/parser-pool';
import { dueAccounts, type DueAccount } from '../postmaster/due-accounts';
import { createFetchLoop } from '../postmaster/fetch-loop';
import { createMessageStore } from '../postmaster/message-store';
import type { FetchReport } from '../postmaster/report';
import type { Actor } from '../shared/actor';

export { IDLE_SAFETY_POLL_SECONDS, type DueAccount } from '../postmaster/due-accounts';
export type { FetchError, FetchReport } from '../postmaster/report';

/**
 * The PostMaster: polls inbound accounts and hands each new message on exactly once. A
 * message is recorded (receipt + message entry, or the configured handler's writes) in one
 * transaction before its action is applied on the server; receipts are unique per account and
 * message key, so a crash or a dropped connection anywhere loses nothing and repeats nothing.
 * One instance at a time fetches an account (a lease on its row). The fetch loop
 * (postmaster/fetch-loop.ts) drives the sources; the message store (postmaster/message-store.ts)
 * records what they fetch.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  let parserPool: ParserPool | undefined;
  const parser = () => (parserPool ??= new ParserPool(pluginConfig(strapi, 'parseWorkers')));
  const loop = createFetchLoop(strapi, createMessageStore(strapi, parser));

  return {
    /** Ends the parse workers (the plugin's destroy). */
    async close(): Promise<void> {
      await parserPool?.close();
      parserPool = undefined;
    },

    /**
     * Fetches an account now (by id or name): what the scheduled job does per account, and
     * `POST /inbound-accounts/:id/fetch`. Never throws for the account's own failures: they
     * are in the report and stored as the account's last error.
     */
    async fetch(ref: number | string, options: { actor?: Actor; trigger?: 'schedule' | 'manual' | 'idle' } = {}): Promise<FetchReport> {
      return (await loop.poll(ref, options))!; // undefined only for a due list's account (fetchIfDue)
    },

    /**
     * Polls an account of a due list unless it is no longer due: another instance (or run) may
     * have polled it since the list was read. Checked in the lease's own UPDATE, so that a poll
     * that ended in between is not repeated; undefined when it was not polled for that reason.
     */
    async fetchIfDue(account: DueAccount): Promise<FetchReport | undefined> {
      return loop.poll(account.id, { trigger: 'schedule', dueBy: account.dueBy });
    },

    /** The active accounts whose poll is due (see postmaster/due-accounts.ts). */
    dueAccounts(now = new Date()): Promise<DueAccount[]> {
      return dueAccounts(strapi, now);
    },

    /** The scheduled job: fetches every due account, a few at a time; one failing never stops the others. */
    runDue(): Promise<Record<string, FetchReport>> {
      return loop.runDue();
    },
  };
};
