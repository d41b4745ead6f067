import { Page, useFetchClient, useNotification } from '@strapi/strapi/admin';
import { useEffect, useState, type FormEvent, type ReactElement } from 'react';
import { useNavigate, useParams } from 'react-router-dom';

import { toApiFailure, type ApiFailure, type FieldErrors } from '../api/errors';
import { fieldSentences } from '../api/fieldSentences';
import { useT } from '../utils/useT';
import { usePluginPermissions } from './usePluginPermissions';
import { useRemote, type Remote } from './useRemote';

type Client = ReturnType<typeof useFetchClient>;

export interface SavedAccount {
  id: number;
  name: string;
  hasPassword?: boolean;
}

/** What an account page tells the editor; read on every render, so closures may use the page's current state. */
export interface AccountEditorOptions<A extends SavedAccount, V, I> {
  /** The list page: where a deleted account's page goes. */
  base: string;
  load: (client: Client, id: string) => Promise<A>;
  create: (client: Client, input: I) => Promise<A>;
  update: (client: Client, id: number, input: I) => Promise<A>;
  remove: (client: Client, id: number) => Promise<unknown>;
  /** The form's values of a saved account. */
  toValues: (account: A) => V;
  /** A new account's values; null until what they need has loaded. */
  initial: () => V | null;
  validate: (values: V, hasPassword: boolean) => FieldErrors;
  /**
   * Where the password is sent (type, host, port, security mode) as one string: when the form
   * changes it, the stored password is not kept for the new destination (the server refuses to),
   * so the form asks for it again.
   */
  destination: (values: V) => string;
  toInput: (values: V) => I;
  /** The form label of an API field, for the server's field errors. */
  fieldLabel: (field: string) => string | undefined;
  createdMessage: (name: string) => string;
}

/**
 * The state and actions the inbound and outbound account pages share: loading the account,
 * the form's values and errors, Save (validate here, then create or update, field errors of the
 * server beside their fields), Delete, and running an action (Test & confirm, Fetch now) that
 * reloads the account afterwards.
 */
export function useAccountEditor<A extends SavedAccount, V, I>(options: AccountEditorOptions<A, V, I>) {
  const t = useT();
  const { id } = useParams<{ id: string }>();
  const isNew = !id;
  const navigate = useNavigate();
  const client = useFetchClient();
  const { toggleNotification } = useNotification();
  const permissions = usePluginPermissions();
  const account = useRemote<A | null>(() => (isNew ? Promise.resolve(null) : options.load(client, id!)), id ?? 'new');
  const [values, setValues] = useState<V | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    if (values || account.isLoading) return;
    if (account.data) setValues(options.toValues(account.data));
    else if (isNew) setValues(options.initial());
  });

  const current = account.data ?? null;
  const readOnly = isNew ? false : !permissions.canUpdate;
  /** The form points the saved account somewhere else: its stored password does not go along. */
  const destinationChanged = Boolean(current && values && options.destination(values) !== options.destination(options.toValues(current)));
  /** Whether a stored password still counts: set, and the destination unchanged. */
  const passwordKept = Boolean(current?.hasPassword) && !destinationChanged;
  /** The hint beside the password field when the destination changed. */
  const passwordHint =
    destinationChanged && current?.hasPassword
      ? t('account.password.destinationChanged', 'The server, port or security mode changed: enter the password again. A stored password is never sent to another server.')
      : undefined;

  /** What the page shows instead of the form while something is missing; null when the form can show. */
  const gate = (...others: Pick<Remote<unknown>, 'data' | 'isLoading'>[]): ReactElement | null => {
    if (others.some((o) => o.isLoading) || account.isLoading || permissions.isLoading) return <Page.Loading />;
    if (isNew && !permissions.canCreate) return <Page.NoPermissions />;
    if (others.some((o) => !o.data) || (!isNew && !account.data)) {
      return account.failure?.status === 404 ? <Page.NoData content={t('account.notFound', 'This account does not exist (any more).')} /> : <Page.Error />;
    }
    return values ? null : <Page.Loading />;
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (readOnly || !values) return;
    const found = options.validate(values, passwordKept);
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length) return;
    setBusy('save');
    try {
      const input = options.toInput(values);
      const saved = current ? await options.update(client, current.id, input) : await options.create(client, input);
      const cleared = (saved as { clearedSecrets?: string[] }).clearedSecrets ?? [];
      const savedMessage = cleared.length
        ? t('account.savedPasswordCleared', 'Saved. The stored password was removed: it is not sent to the new server, and this sign-in does not need it.')
        : t('account.saved', 'Saved.');
      toggleNotification({ type: 'success', message: current ? savedMessage : options.createdMessage(saved.name) });
      if (!current) navigate(`${options.base}/${saved.id}`);
      else {
        account.setData(saved);
        setValues(options.toValues(saved));
      }
    } catch (error) {
      const f = toApiFailure(error);
      setErrors(fieldSentences(f.fields, options.fieldLabel));
      setFailure(f);
    } finally {
      setBusy(null);
    }
  };

  const remove = async () => {
    if (!current) return;
    try {
      await options.remove(client, current.id);
      toggleNotification({ type: 'success', message: t('account.deleted', 'Account “{name}” deleted.', { name: current.name }) });
      navigate(options.base);
    } catch (error) {
      setFailure(toApiFailure(error));
    }
  };

  /** Runs an action on the saved account, shows its failure (unless `onFailure` takes it), and reloads the account. */
  const run = async <R,>(kind: string, action: (id: number) => Promise<R>, onFailure?: (f: ApiFailure) => boolean): Promise<R | undefined> => {
    if (!current) return undefined;
    setBusy(kind);
    setFailure(null);
    try {
      const result = await action(current.id);
      await account.reload();
      return result;
    } catch (error) {
      const f = toApiFailure(error);
      if (!onFailure?.(f)) setFailure(f);
      return undefined;
    } finally {
      setBusy(null);
    }
  };

  const set = <K extends keyof V>(key: K, value: V[K]) => setValues({ ...(values as V), [key]: value });

  return { t, client, isNew, permissions, account, current, readOnly, values, setValues, set, errors, setErrors, failure, setFailure, busy, gate, save, remove, run, passwordKept, passwordHint };
}

/** The editor of one kind of account, as the account page and its kind's parts use it. */
export type AccountEditor<A extends SavedAccount, V, I> = ReturnType<typeof useAccountEditor<A, V, I>>;
