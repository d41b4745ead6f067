import type { FieldErrors } from '../../api/errors';
import type { ActionAfterFetch, InboundAccount, InboundAccountInput, InboundPreset, InboundPresets, InboundType, InboundTypeInfo } from '../../api/inbound';
import type { Translate } from '../../utils/useT';
import type { AccountFormModel } from '../accounts/accountDirection';
import { accountFieldLabel } from '../accounts/accountFieldLabel';
import { aboutValues, optionalText, portError } from '../accounts/accountFormValues';

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

/** IMAP and POP3 talk to a mail server (host, port, login); Graph and Gmail are REST APIs. */
export const isMailServer = (info: InboundTypeInfo): boolean => info.protocol === 'imap' || info.protocol === 'pop3';

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
  ...aboutValues(a),
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
  const mailServer = isMailServer(info);
  if (!v.name.trim()) errors.name = required;
  if (mailServer && !v.host.trim()) errors.host = required;
  const badPort = mailServer ? portError(t, v.port) : undefined;
  if (badPort) errors.port = badPort;
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
  const mailServer = isMailServer(info);
  const input: InboundAccountInput = {
    name: v.name.trim(),
    description: optionalText(v.description),
    active: v.active,
    type: v.type,
    host: mailServer ? optionalText(v.host) : null,
    port: mailServer ? (v.port ?? null) : null,
    certificateValidation: v.certificateValidation,
    allowInsecureAuth: mailServer && info.security === 'none' ? v.allowInsecureAuth : false,
    authentication: v.authentication,
    login: optionalText(v.login),
    mailbox: optionalText(v.mailbox),
    oauthToken: v.authentication === 'oauth2' ? v.oauthToken : null,
    folder: info.folders ? optionalText(v.folder) : null,
    actionAfterFetch: v.actionAfterFetch,
    moveTo: v.actionAfterFetch === 'move' ? optionalText(v.moveTo) : null,
    // the server refuses IDLE for the types it cannot serve: sent only for IMAP
    ...(info.protocol === 'imap' ? { idle: v.idle } : {}),
    pollInterval: v.pollInterval,
    maxMessagesPerPoll: v.maxMessagesPerPoll,
    queue: optionalText(v.queue),
    trusted: v.trusted,
    scope: v.scope,
    application: v.scope === 'application' ? optionalText(v.application) : null,
  };
  // Write-only: a typed password replaces the stored one; nothing typed keeps it.
  if (v.authentication === 'password' && v.password) input.password = v.password;
  return input;
};

/** The form label of an inbound account's field (the API's name; the fields both kinds have: accountFieldLabel), for the form and the server's field errors. */
export const inboundFieldLabel = (t: Translate, field: string): string | undefined =>
  ({
    login: t('inbound.field.login', 'Login'),
    mailbox: t('inbound.field.mailbox', 'Mailbox'),
    folder: t('inbound.field.folder', 'Folder'),
    actionAfterFetch: t('inbound.field.actionAfterFetch', 'After fetching a message'),
    moveTo: t('inbound.field.moveTo', 'Move to folder'),
    pollInterval: t('inbound.field.pollInterval', 'Fetch every (seconds)'),
    maxMessagesPerPoll: t('inbound.field.maxMessagesPerPoll', 'At most this many messages per fetch'),
    queue: t('inbound.field.queue', 'Queue'),
    application: t('account.field.application', 'Application'),
  })[field] ?? accountFieldLabel(t, field);

/** What each type implies, from the presets answer; the server lists every type it accepts. */
export const typeInfo = (presets: InboundPresets, type: string): InboundTypeInfo => presets.types.find((x) => x.type === type) ?? presets.types[0];

/** The inbound form as the account pages use it. */
export const inboundFormModel: AccountFormModel<InboundAccount, InboundFormValues, InboundAccountInput, InboundPresets, InboundPreset> = {
  presetList: (presets) => presets.presets,
  scopeHint: (preset) => preset.scopeHint,
  empty: (presets) => emptyInbound(typeInfo(presets, 'imaps')),
  fromAccount: inboundValues,
  applyPreset: (v, preset, presets) => applyInboundPreset(v, preset, typeInfo(presets, preset.values.type)),
  typeOptions: (_t, presets) => (presets?.types ?? []).map((x) => ({ value: x.type, label: x.label })),
  changeType: (v, type, presets) => changeInboundType(v, typeInfo(presets, type)),
  signIn: (v) => v.authentication,
  signInChoices: (v, presets) => (typeInfo(presets, v.type).password ? ['oauth2', 'password'] : []),
  withSignIn: (v, signIn) => ({ ...v, authentication: signIn === 'password' ? 'password' : 'oauth2' }),
  accountSignIn: (a) => a.authentication,
  tokenTemplates: (_v, preset) => preset?.tokenTemplates ?? [],
  validate: (t, v, presets, hasPassword) => validateInbound(t, v, typeInfo(presets, v.type), hasPassword),
  toInput: (v, presets) => toInboundInput(v, typeInfo(presets, v.type)),
  destination: (v) => [v.type, v.host.trim(), v.port ?? ''].join(' '),
  fieldLabel: inboundFieldLabel,
};
