import type { ComponentType, ReactNode } from 'react';

import type { AccountsApi } from '../../api/accounts';
import type { AccountError, AccountToken, AccountWarning, TestReport } from '../../api/accountTests';
import type { FieldErrors } from '../../api/errors';
import type { AccountEditor } from '../../hooks/useAccountEditor';
import type { Translate } from '../../utils/useT';

/** How an account signs in: with a password, with an OAuth2 token, or not at all (an SMTP relay). */
export type SignIn = 'password' | 'oauth2' | 'none';

/** An account as both kinds' APIs show it, in the parts the shared pages read. */
export interface ShownAccount {
  id: number;
  name: string;
  active: boolean;
  type: string;
  hasPassword: boolean;
  oauthToken: AccountToken | null;
  confirmed: boolean;
  confirmedAt: string | null;
  lastError: AccountError | null;
  warnings: AccountWarning[];
}

/** The form values both kinds have; the shared pages read and set only these. */
export interface AccountFormValues {
  name: string;
  description: string;
  active: boolean;
  type: string;
  password: string;
  oauthToken: number | null;
}

/** A preset as the presets call lists it. */
export interface AccountPreset {
  id: string;
  name: string;
  docs?: string;
  tokenTemplates: string[];
}

/** The form's state, for the fields a kind of account has of its own. */
export interface AccountFieldsProps<V, P> {
  values: V;
  setValues: (values: V) => void;
  set: <K extends keyof V>(key: K, value: V[K]) => void;
  errors: FieldErrors;
  readOnly: boolean;
  /** The form label of a field. */
  label: (field: string) => string;
  /** What the presets call answered (the types' properties for inbound). */
  presets: P;
}

/** The values, checks and API input of one kind's form (inboundFormModel.ts, outboundFormModel.ts). */
export interface AccountFormModel<A, V, I, P, Preset> {
  presetList: (presets: P) => Preset[];
  /** The scope the preset's token needs, shown under the preset. */
  scopeHint: (preset: Preset) => string | undefined;
  empty: (presets: P) => V;
  fromAccount: (account: A) => V;
  applyPreset: (values: V, preset: Preset, presets: P) => V;
  typeOptions: (t: Translate, presets: P | undefined) => { value: string; label: string }[];
  changeType: (values: V, type: string, presets: P) => V;
  /** How the form's account signs in now. */
  signIn: (values: V, presets: P) => SignIn;
  /** The sign-ins the form offers to choose from; none or one: no choice shown. */
  signInChoices: (values: V, presets: P) => SignIn[];
  withSignIn: (values: V, signIn: SignIn) => V;
  /** How a listed account signs in. */
  accountSignIn: (account: A) => SignIn;
  /** The token templates that fit the form's account, given the preset chosen (all when empty). */
  tokenTemplates: (values: V, preset: Preset | null) => string[];
  validate: (t: Translate, values: V, presets: P, hasPassword: boolean) => FieldErrors;
  toInput: (values: V, presets: P) => I;
  /** Where the password goes (see useAccountEditor's `destination`). */
  destination: (values: V) => string;
  /** The form label of an API field, for the server's field errors. */
  fieldLabel: (t: Translate, field: string) => string | undefined;
}

/** The words that differ between the kinds; the keys stay the kind's own. */
export interface AccountTexts {
  newTitle: string;
  newSubtitle: string;
  createLabel: string;
  createdMessage: (name: string) => string;
  deleteConsequence: (name: string) => string;
  activeLabel: string;
  tokenHint: string;
  list: {
    title: string;
    subtitle: string;
    searchLabel: string;
    newLabel: string;
    loadFailed: string;
    empty: string;
  };
}

/** What a kind's Test & confirm puts on its page (and Fetch now, for inbound). */
export interface AccountTestParts {
  /** Buttons in the action bar. */
  actions?: ReactNode;
  /** Above the report: what the test needs or that it runs. */
  panel?: ReactNode;
  /** Below the report and the warnings: the answers of the kind's other actions. */
  results?: ReactNode;
}

/** A list column of the kind's own. */
export interface AccountColumn<A> {
  heading: string;
  cell: (account: A) => ReactNode;
}

/**
 * One kind of mail account (inbound or outbound), as the one account page and the one list
 * page are configured with it: its API, its form model, its words, and the fields and
 * Test & confirm that only it has.
 */
export interface AccountDirection<A extends ShownAccount, V extends AccountFormValues, I, P, Preset extends AccountPreset> {
  /** The pages' path under /plugins/mail-auth, the form's id and the activity's subject type. */
  kind: 'inbound' | 'outbound';
  api: AccountsApi<A, I, P>;
  model: AccountFormModel<A, V, I, P, Preset>;
  texts: (t: Translate) => AccountTexts;
  /** The saved account's subtitle on its page. */
  subtitle: (account: A, values: V, presets: P) => string;
  /** The Connection section's fields after Preset and Type. */
  ConnectionFields: ComponentType<AccountFieldsProps<V, P>>;
  /** In Sign-in, between the token and the password: who signs in (login, user name, mailbox). */
  AccountNameFields: ComponentType<AccountFieldsProps<V, P>>;
  /** The sections between Sign-in and Name and use. */
  KindSections: ComponentType<AccountFieldsProps<V, P>>;
  /** The State section's items after Confirmed. */
  StateItems: ComponentType<{ account: A }>;
  /**
   * Test & confirm and the kind's other actions. A hook: it keeps their state (a recipient,
   * a fetch report); `showReport` shows a test's report on the page.
   */
  useTest: (editor: AccountEditor<A, V, I>, showReport: (report: TestReport | null) => void) => AccountTestParts;
  /** The list's columns between Type and Sign-in, and the one after Status. */
  listColumns: (t: Translate) => { where: AccountColumn<A>[]; lastActivity: AccountColumn<A> };
}

/** The props of the pages a direction configures. */
export interface DirectionProps<A extends ShownAccount, V extends AccountFormValues, I, P, Preset extends AccountPreset> {
  direction: AccountDirection<A, V, I, P, Preset>;
}
