import { useCallback } from 'react';
import { useIntl } from 'react-intl';

import { getTranslation } from './getTranslation';

export type TranslationValues = Record<string, string | number | boolean | Date | null | undefined>;

/**
 * `t('tokens.title', 'OAuth2 tokens')`: formatMessage with the plugin's prefix. Every id used
 * must be in translations/en.json with the same default text (tests/unit/admin-translations
 * checks it).
 */
export const useT = () => {
  const { formatMessage } = useIntl();
  return useCallback(
    (id: string, defaultMessage: string, values?: TranslationValues) =>
      formatMessage({ id: getTranslation(id), defaultMessage }, values as Record<string, string | number>),
    [formatMessage]
  );
};

export type Translate = ReturnType<typeof useT>;
