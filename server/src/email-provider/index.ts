import type { Core } from '@strapi/strapi';

import type { OutboundMessage, SendResult } from '../outbound/types';

/**
 * A provider for Strapi's email plugin that sends through an outbound account of mail-auth, so
 * that `strapi.plugin('email').service('email').send(...)` (password resets, notifications of
 * other plugins) goes out through Microsoft 365, Gmail or any SMTP server with OAuth 2.0.
 *
 * config/plugins.ts:
 *   email: { config: { provider: 'strapi-plugin-mail-auth/email-provider',
 *                      providerOptions: { account: 'Helpdesk (Microsoft 365)' } } }
 *
 * It is loaded by the email plugin (`require(provider).init(providerOptions, settings)`), as a
 * module of its own: it reaches the plugin through the `strapi` global at send time, so the
 * load order of the two plugins does not matter.
 */
export interface MailAuthEmailProviderOptions {
  /** The outbound account to send through (its name). */
  account?: string;
  /** Without `account`: the account of this application, else the organisation-wide one. */
  application?: string;
  /**
   * Use the `from` the caller passes (e.g. users-permissions' "no-reply@strapi.io"). Off by
   * default: the account's from address is the one its server lets it send as.
   */
  keepCallerFrom?: boolean;
}

export interface EmailPluginSettings {
  defaultFrom?: string;
  defaultReplyTo?: string;
}

/** What Strapi's email service passes to `send` (the nodemailer-like fields other plugins use). */
export interface StrapiEmailOptions {
  from?: string;
  to?: string | string[];
  cc?: string | string[];
  bcc?: string | string[];
  replyTo?: string;
  subject?: string;
  text?: string;
  html?: string;
  attachments?: OutboundMessage['attachments'];
  headers?: Record<string, string>;
  [key: string]: unknown;
}

const strapiInstance = (): Core.Strapi => {
  const instance = (globalThis as { strapi?: Core.Strapi }).strapi;
  if (!instance) throw new Error('[mail-auth email provider] Strapi is not running');
  return instance;
};

export function init(providerOptions: MailAuthEmailProviderOptions = {}, settings: EmailPluginSettings = {}) {
  const { account, application, keepCallerFrom = false } = providerOptions;
  return {
    async send(options: StrapiEmailOptions): Promise<SendResult> {
      const strapi = strapiInstance();
      const outbound = strapi.plugin('mail-auth').service('outbound');
      const name: string | undefined = account ?? (await outbound.accountFor(application));
      if (!name) {
        throw new Error(
          `[mail-auth email provider] No outbound account to send through: set providerOptions.account in config/plugins.ts, or mark an account as organisation-wide${application ? ` or as used by "${application}"` : ''}.`
        );
      }
      const message: OutboundMessage = {
        from: keepCallerFrom ? (options.from ?? settings.defaultFrom) : undefined,
        to: options.to,
        cc: options.cc,
        bcc: options.bcc,
        replyTo: options.replyTo ?? settings.defaultReplyTo,
        subject: options.subject,
        text: options.text,
        html: options.html,
        attachments: options.attachments,
        headers: options.headers,
      };
      return outbound.send(name, message, { actor: 'email plugin' });
    },
  };
}

export default { init };
