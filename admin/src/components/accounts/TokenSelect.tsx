import { Field, Flex, Link, SingleSelect, SingleSelectOption } from '@strapi/design-system';
import { useFetchClient } from '@strapi/strapi/admin';
import { Link as RouterLink } from 'react-router-dom';

import { listTokens } from '../../api/tokens';
import { useRemote } from '../../hooks/useRemote';
import { PLUGIN_ID } from '../../pluginId';
import { useT } from '../../utils/useT';
import { statusLabel } from '../tokens/StatusBadge';

interface TokenSelectProps {
  value: number | null;
  onChange: (id: number) => void;
  /** The templates whose tokens fit this account; all when empty. */
  templates: string[];
  error?: string;
  hint?: string;
  disabled?: boolean;
}

/** The OAuth2 token an account signs in with, among those whose template fits. */
export const TokenSelect = ({ value, onChange, templates, error, hint, disabled }: TokenSelectProps) => {
  const t = useT();
  const client = useFetchClient();
  // One page of 100 covers real installations.
  const tokens = useRemote(() => listTokens(client, { page: 1, pageSize: 100 }), 'tokens');
  const fitting = (tokens.data?.results ?? []).filter((x) => !templates.length || templates.includes(x.template) || x.id === value);

  return (
    <Flex direction="column" alignItems="stretch" gap={1}>
      <Field.Root name="oauthToken" error={error} hint={hint} required>
        <Field.Label>{t('account.field.oauthToken', 'OAuth2 token')}</Field.Label>
        <SingleSelect
          value={value === null ? null : String(value)}
          disabled={disabled}
          placeholder={fitting.length ? t('account.token.choose', 'Choose a token') : t('account.token.none', 'No fitting token yet')}
          onChange={(v: string | number) => onChange(Number(v))}
        >
          {fitting.map((x) => (
            <SingleSelectOption key={x.id} value={String(x.id)}>
              {`${x.name} (${statusLabel(t, x.status)})`}
            </SingleSelectOption>
          ))}
        </SingleSelect>
        <Field.Hint />
        <Field.Error />
      </Field.Root>
      {!disabled && (
        <Link tag={RouterLink} to={`/plugins/${PLUGIN_ID}/tokens/new`}>
          {t('account.token.create', 'Create an OAuth2 token')}
        </Link>
      )}
    </Flex>
  );
};
