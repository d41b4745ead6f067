import { Button, Dialog } from '@strapi/design-system';
import { Trash } from '@strapi/icons';
import { ConfirmDialog } from '@strapi/strapi/admin';
import { useState } from 'react';

import { useT } from '../utils/useT';

interface ConfirmDeleteButtonProps {
  /** Deletes; reports its own failure. The dialog closes once it has settled. */
  onConfirm: () => Promise<void>;
  /** The confirmation dialog's question, e.g. "Delete this account?". */
  title: string;
  /** What deleting means, shown in the confirmation dialog. */
  consequence: string;
}

/** The Delete button of a token or account page, which asks for confirmation first. */
export const ConfirmDeleteButton = ({ onConfirm, title, consequence }: ConfirmDeleteButtonProps) => {
  const t = useT();
  const [open, setOpen] = useState(false);
  const confirm = async () => {
    try {
      await onConfirm();
    } finally {
      setOpen(false);
    }
  };
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger>
        <Button variant="danger-light" startIcon={<Trash />} size="S">
          {t('common.delete', 'Delete')}
        </Button>
      </Dialog.Trigger>
      <ConfirmDialog onConfirm={confirm} title={title}>
        {consequence}
      </ConfirmDialog>
    </Dialog.Root>
  );
};
