import { Button, Link } from '@strapi/design-system';
import { ArrowLeft, Check } from '@strapi/icons';
import { Layouts, Page } from '@strapi/strapi/admin';
import { Link as RouterLink } from 'react-router-dom';

import { useT } from '../../utils/useT';
import { AccountStatusBadge } from './AccountStatusBadge';

interface AccountPageHeaderProps {
  /** The saved account, or none on the page that creates one. */
  account: { name: string; active: boolean; confirmed: boolean; lastError: unknown } | null | undefined;
  newTitle: string;
  subtitle: string;
  /** Where the back link leads: the list of accounts. */
  backTo: string;
  /** The id of the form the Save / Create button submits. */
  formId: string;
  createLabel: string;
  saving: boolean;
  readOnly: boolean;
}

/** An account page's title with the account's state, the back link and the Save (or Create) button. */
export const AccountPageHeader = ({ account, newTitle, subtitle, backTo, formId, createLabel, saving, readOnly }: AccountPageHeaderProps) => {
  const t = useT();
  return (
    <>
      <Page.Title>{account?.name ?? newTitle}</Page.Title>
      <Layouts.Header
        title={account?.name ?? newTitle}
        subtitle={subtitle}
        secondaryAction={account ? <AccountStatusBadge active={account.active} confirmed={account.confirmed} failing={Boolean(account.lastError)} /> : undefined}
        navigationAction={
          <Link tag={RouterLink} to={backTo} startIcon={<ArrowLeft />}>
            {t('common.back', 'Back')}
          </Link>
        }
        primaryAction={
          !readOnly ? (
            <Button type="submit" form={formId} startIcon={<Check />} loading={saving} size="S">
              {account ? t('common.save', 'Save') : createLabel}
            </Button>
          ) : undefined
        }
      />
    </>
  );
};
