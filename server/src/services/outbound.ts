import type { Core } from '@strapi/strapi';

import { pluginConfig } from '../config/plugin-config';
import type { PluginConfig } from '../config/schema';
import { MailAuthError } from '../errors';
import { tokenIdOf, type OutboundAccountRow } from '../outbound/account';
import { composeMessage } from '../outbound/compose';
import { createSink } from '../outbound/create-sink';
import { withRetry } from '../outbound/retry';
import { SendError } from '../outbound/send-error';
import type { ComposedMessage, MailSink, OutboundMessage, SendResult } from '../outbound/types';
import { checkBefore } from '../net/check-before';
import { assertHostAllowed, pluginNetworkPolicy } from '../net/plugin-policy';
import { PLUGIN_ID } from '../plugin-id';
import { pendingConfiguration } from '../transfer/stored-entries';
import { OUTBOUND_ACCOUNT_UID } from '../shared/content-type-uids';

export interface SendOptions {
  /** Who sends, for the activity log; the host app by default. */
  actor?: string;
}

/** lastSentAt is a "when did this last work" hint: rewriting it more often than this only costs writes. */
const LAST_SENT_RESOLUTION_MS = 60_000;

/**
 * Sending for the host app and other plugins: `send(accountName, message)`. Composes the MIME,
 * sends through the account's sink, retries passing failures with backoff, and records each
 * send in the activity log (recipient count, Message-ID, result; never the content).
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const config = <K extends keyof PluginConfig>(key: K) => pluginConfig(strapi, key);
  const plugin = () => strapi.plugin(PLUGIN_ID);
  const db = () => strapi.db.query(OUTBOUND_ACCOUNT_UID);

  const sinkFor = (row: OutboundAccountRow): MailSink => {
    const tokenId = tokenIdOf(row);
    const sink = createSink(row, {
      password: plugin().service('secrets').open(row.password, 'outbound-account.password', row.documentId),
      token: tokenId ? ({ forceRefresh }) => plugin().service('tokens').getAccessToken(tokenId, { forceRefresh }) : undefined,
      graphBaseUrl: config('graphBaseUrl'),
      gmailBaseUrl: config('gmailBaseUrl'),
      httpTimeoutMs: config('httpTimeout') * 1000,
      smtpTimeoutMs: config('smtpTimeout') * 1000,
    });
    // The SMTP host is checked against the network policy before each send (the REST roots are the plugin's own).
    if (row.type === 'smtp' && row.host && pluginNetworkPolicy(strapi)) checkBefore(sink, 'send', () => assertHostAllowed(strapi, row.host!, `Outbound account "${row.name}"`));
    return sink;
  };

  const compose = (row: OutboundAccountRow, message: OutboundMessage): Promise<ComposedMessage> =>
    composeMessage(message, { sender: { address: row.fromAddress, name: row.fromName }, keepBcc: row.type !== 'smtp' });

  const recordResult = async (row: OutboundAccountRow, outcome: { result?: SendResult; error?: MailAuthError; recipients: number; messageId?: string; actor?: string }) => {
    const { result, error } = outcome;
    const details = { recipients: outcome.recipients, messageId: result?.messageId ?? outcome.messageId ?? null, attempts: result?.attempts, response: result?.response };
    plugin().service('activity').recordLater({
      kind: error ? 'outbound.failed' : 'outbound.sent',
      subjectType: 'outbound-account',
      subjectId: row.id,
      subjectName: row.name,
      outcome: error ? 'failure' : 'success',
      actor: outcome.actor ?? 'app',
      code: error ? (error instanceof SendError ? error.reason : error.code) : undefined,
      message: error ? error.message : `Sent to ${outcome.recipients} recipient${outcome.recipients === 1 ? '' : 's'}`,
      details,
    });
    if (error) {
      const lastError = { code: error instanceof SendError ? error.reason : error.code, reason: error instanceof SendError ? error.reason : undefined, message: error.message, advice: error.advice ?? null, at: new Date().toISOString() };
      await db().update({ where: { id: row.id }, data: { lastError } });
    } else {
      const last = row.lastSentAt ? new Date(row.lastSentAt).getTime() : 0;
      if (row.lastError || Date.now() - last > LAST_SENT_RESOLUTION_MS) await db().update({ where: { id: row.id }, data: { lastSentAt: new Date(), lastError: null } });
    }
  };

  return {
    sinkFor,
    compose,

    /**
     * Sends `message` through the account named `accountName` (or with that id). Resolves with
     * the Message-ID and the recipients the server accepted; rejects with a MailAuthError whose
     * `code`, `message` and `advice` say what failed (a SendError also carries `reason`,
     * `reply` and whether it was transient).
     */
    async send(accountName: string | number, message: OutboundMessage, options: SendOptions = {}): Promise<SendResult> {
      const row = await plugin().service('outbound-accounts').findRow(accountName);
      if (row.active === false) {
        throw new MailAuthError('ACCOUNT_INACTIVE', `Outbound account "${row.name}" is switched off`, { advice: 'Switch the account on, or send through another one.' });
      }
      const incomplete = pendingConfiguration(row, 'outbound account');
      if (incomplete) throw incomplete;
      const composed = await compose(row, message);
      const recipients = composed.envelope.to.length;
      try {
        const sink = sinkFor(row);
        const { result, attempts } = await withRetry(() => sink.send(composed), {
          retries: config('sendRetries'),
          baseDelayMs: 1000,
          maxDelayMs: config('sendRetryMaxWait') * 1000,
        });
        const sent = { ...result, attempts };
        await recordResult(row, { result: sent, recipients, actor: options.actor });
        return sent;
      } catch (e) {
        const error = e instanceof MailAuthError ? e : new MailAuthError('SEND_REFUSED', (e as Error).message, { cause: e });
        await recordResult(row, { error, recipients, messageId: composed.messageId, actor: options.actor });
        throw error;
      }
    },

    /**
     * The account a named application sends through: its own active account when it has one,
     * otherwise the first active organisation-wide one. Undefined when there is none.
     */
    async accountFor(application?: string): Promise<string | undefined> {
      const pick = async (where: Record<string, unknown>) =>
        ((await db().findOne({ where: { active: true, ...where }, orderBy: { id: 'asc' }, select: ['name'] })) as { name: string } | null)?.name;
      return (application ? await pick({ usage: 'application', applicationName: application }) : undefined) ?? (await pick({ usage: 'organization' }));
    },
  };
};
