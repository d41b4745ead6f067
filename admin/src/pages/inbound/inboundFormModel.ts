import type { FieldErrors } from '../../api/errors';
import type { ActionAfterFetch, InboundAccount, InboundAccountInput, InboundPreset, InboundType, InboundTypeInfo } from '../../api/inbound';
import type { Translate } from '../../utils/useT';

export interface InboundFormValues {
  name: string;
  description: string;
  active: boolean;
  type: InboundType;
  host: string;
  port: number | undefined;
  certificateValidation: boolean;
  allowInsecureAuth: boolean;
  authentication: 'password' | 'oauth2';
  login: string;
  mailbox: string;
  password: string;
  oauthToken: number | null;
  folder: string;
  actionAfterFetch: ActionAfterFetch;
  moveTo: string;
  /** IMAP only: wait for new mail in IDLE (the poll interval is the fallback). */
  idle: boolean;
  pollInterval: number | undefined;
  maxMessagesPerPoll: number | undefined;
  queue: string;
  trusted: boolean;
  scope: 'organization' | 'application';
  application: string;
}

export const emptyInbound = (info: InboundTypeInfo): InboundFormValues => ({
  name: '',
  description: '',
  active: true,
  type: info.type,
  host: info.defaultHost ?? '',
  port: info.defaultPort,
  certificateValidation: true,
  allowInsecureAuth: false,
  authentication: info.password ? 'password' : 'oauth2',
  login: '',
  mailbox: '',
  password: '',
  oauthToken: null,
  folder: info.folders ? 'INBOX' : '',
  actionAfterFetch: info.defaultAction,
  moveTo: '',
  idle: true,
  pollInterval: 300,
  maxMessagesPerPoll: 500,
  queue: '',
  trusted: false,
  scope: 'organization',
  application: '',
});

/** A preset over what was typed: the connection fields change, name and login stay. */
export const applyInboundPreset = (values: InboundFormValues, preset: InboundPreset, info: InboundTypeInfo): InboundFormValues => ({
  ...values,
  type: preset.values.type,
  host: preset.values.host ?? info.defaultHost ?? '',
  port: preset.values.port,
  authentication: preset.values.authentication,
  folder: info.folders ? (preset.values.folder ?? 'INBOX') : '',
  actionAfterFetch: preset.values.actionAfterFetch ?? info.defaultAction,
  oauthToken: preset.values.authentication === 'oauth2' ? values.oauthToken : null,
});

/** Another type: its port, host and actions; the rest stays. */
export const changeInboundType = (values: InboundFormValues, info: InboundTypeInfo): InboundFormValues => ({
  ...values,
  type: info.type,
  host: info.protocol === 'graph' || info.protocol === 'gmail' ? (info.defaultHost ?? '') : values.host,
  port: info.defaultPort,
  authentication: info.password ? values.authentication : 'oauth2',
  folder: info.folders ? values.folder || 'INBOX' : '',
  actionAfterFetch: info.actions.includes(values.actionAfterFetch) ? values.actionAfterFetch : info.defaultAction,
});

export const inboundValues = (a: InboundAccount): InboundFormValues => ({
  name: a.name,
  description: a.description ?? '',
  active: a.active,
  type: a.type,
  host: a.host ?? '',
  port: a.port ?? undefined,
  certificateValidation: a.certificateValidation,
  allowInsecureAuth: a.allowInsecureAuth ?? false,
  authentication: a.authentication,
  login: a.login ?? '',
  mailbox: a.mailbox ?? '',
  password: '',
  oauthToken: a.oauthToken?.id ?? null,
  folder: a.folder ?? '',
  actionAfterFetch: a.actionAfterFetch,
  moveTo: a.moveTo ?? '',
  idle: a.idle ?? true,
  pollInterval: a.pollInterval,
  maxMessagesPerPoll: a.maxMessagesPerPoll,
  queue: a.queue ?? '',
  trusted: a.trusted,
  scope: a.scope,
  application: a.application ?? '',
});

/** The checks made before sending; the server checks again and names fields the same way. */
export const validateInbound = (t: Translate, v: InboundFormValues, info: InboundTypeInfo, hasPassword: boolean): FieldErrors => {
  const errors: FieldErrors = {};
  const required = t('validation.required', 'This value is required.');
  const mailServer = info.protocol === 'imap' || info.protocol === 'pop3';
  if (!v.name.trim()) errors.name = required;
  if (mailServer && !v.host.trim()) errors.host = required;
  if (mailServer && (v.port === undefined || v.port < 1 || v.port > 65535 || !Number.isInteger(v.port))) {
    errors.port = t('validation.port', 'A port from 1 to 65535.');
  }
  if (v.authentication === 'password') {
    if (!v.login.trim()) errors.login = required;
    if (!v.password && !hasPassword) errors.password = required;
  } else if (v.oauthToken === null) {
    errors.oauthToken = required;
  }
  if (v.actionAfterFetch === 'move' && !v.moveTo.trim()) errors.moveTo = required;
  if (v.pollInterval === undefined || v.pollInterval < 30 || v.pollInterval > 86_400) {
    errors.pollInterval = t('validation.pollInterval', 'From 30 seconds to 86400 seconds (a day).');
  }
  if (v.maxMessagesPerPoll === undefined || v.maxMessagesPerPoll < 1 || v.maxMessagesPerPoll > 10_000) {
    errors.maxMessagesPerPoll = t('validation.maxMessages', 'From 1 to 10000.');
  }
  if (v.scope === 'application' && !v.application.trim()) errors.application = required;
  return errors;
};

export const toInboundInput = (v: InboundFormValues, info: InboundTypeInfo): InboundAccountInput => {
  const text = (s: string) => (s.trim() ? s.trim() : null);
  const mailServer = info.protocol === 'imap' || info.protocol === 'pop3';
  const input: InboundAccountInput = {
    name: v.name.trim(),
    description: text(v.description),
    active: v.active,
    type: v.type,
    host: mailServer ? text(v.host) : null,
    port: mailServer ? (v.port ?? null) : null,
    certificateValidation: v.certificateValidation,
    allowInsecureAuth: mailServer && info.security === 'none' ? v.allowInsecureAuth : false,
    authentication: v.authentication,
    login: text(v.login),
    mailbox: text(v.mailbox),
    oauthToken: v.authentication === 'oauth2' ? v.oauthToken : null,
    folder: info.folders ? text(v.folder) : null,
    actionAfterFetch: v.actionAfterFetch,
    moveTo: v.actionAfterFetch === 'move' ? text(v.moveTo) : null,
    // the server refuses IDLE for the types it cannot serve: sent only for IMAP
    ...(info.protocol === 'imap' ? { idle: v.idle } : {}),
    pollInterval: v.pollInterval,
    maxMessagesPerPoll: v.maxMessagesPerPoll,
    queue: text(v.queue),
    trusted: v.trusted,
    scope: v.scope,
    application: v.scope === 'application' ? text(v.application) : null,
  };
  // Write-only: a typed password replaces the stored one; nothing typed keeps it.
  if (v.authentication === 'password' && v.password) input.password = v.password;
  return input;
};
