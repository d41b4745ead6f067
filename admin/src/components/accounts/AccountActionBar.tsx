import { Flex, Link } from '@strapi/design-system';
import { Layouts } from '@strapi/strapi/admin';
import type { ReactNode } from 'react';
import { Link as RouterLink } from 'react-router-dom';

import { PLUGIN_ID } from '../../pluginId';
import { useT } from '../../utils/useT';
import { ConfirmDeleteButton } from '../ConfirmDeleteButton';

interface AccountActionBarProps {
  account: { id: number; name: string };
  subjectType: 'inbound-account' | 'outbound-account';
  /** Buttons before the link to the account's activity. */
  actions?: ReactNode;
  /** What deleting it means, shown in the confirmation; no Delete button without it. */
  deleteConsequence?: string;
  onDelete: () => Promise<void>;
}

/** Below a saved account's header: its actions, the link to its activity, and Delete. */
export const AccountActionBar = ({ account, subjectType, actions, deleteConsequence, onDelete }: AccountActionBarProps) => {
  const t = useT();
  return (
    <Layouts.Action
      startActions={
        <Flex gap={2}>
          {actions}
          <Link tag={RouterLink} to={`/plugins/${PLUGIN_ID}/activity?subjectType=${subjectType}&subjectId=${account.id}`}>
            {t('account.activity', 'Activity of this account')}
          </Link>
        </Flex>
      }
      endActions={
        deleteConsequence ? <ConfirmDeleteButton onConfirm={onDelete} title={t('account.delete.title', 'Delete this account?')} consequence={deleteConsequence} /> : undefined
      }
    />
  );
};
