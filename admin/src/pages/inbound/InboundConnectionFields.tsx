import { Grid } from '@strapi/design-system';

import type { InboundPresets } from '../../api/inbound';
import { AllowInsecureAuthField } from '../../components/accounts/AllowInsecureAuthField';
import { ServerAddressFields } from '../../components/accounts/ServerAddressFields';
import { CheckboxField, SelectField, TextField } from '../../components/form/fields';
import { useT, type Translate } from '../../utils/useT';
import type { AccountFieldsProps } from '../accounts/accountDirection';
import { isMailServer, typeInfo, type InboundFormValues } from './inboundFormModel';

const actionLabel = (t: Translate, action: string) =>
  ({
    'mark-seen': t('inbound.action.mark-seen', 'Mark it as read'),
    delete: t('inbound.action.delete', 'Delete it from the server'),
    move: t('inbound.action.move', 'Move it to another folder'),
    keep: t('inbound.action.keep', 'Leave it as it is'),
  })[action] ?? action;

/** An inbound account's Connection fields after its type: the server, the folder, what happens to a fetched message. */
export const InboundConnectionFields = ({ values, set, errors, readOnly, label, presets }: AccountFieldsProps<InboundFormValues, InboundPresets>) => {
  const t = useT();
  const info = typeInfo(presets, values.type);
  return (
    <>
      {isMailServer(info) && (
        <>
          <ServerAddressFields
            host={values.host}
            port={values.port}
            errors={errors}
            readOnly={readOnly}
            label={label}
            placeholder="imap.example.com"
            onHost={(v) => set('host', v)}
            onPort={(v) => set('port', v)}
          />
          {info.security === 'none' && <AllowInsecureAuthField checked={values.allowInsecureAuth} readOnly={readOnly} onChange={(v) => set('allowInsecureAuth', v)} />}
          {info.security !== 'none' && (
            <Grid.Item col={12} direction="column" alignItems="flex-start">
              <CheckboxField
                name="certificateValidation"
                label={t('inbound.field.certificateValidation', 'Check the server’s certificate (turn off only for a server you trust with a self-signed certificate)')}
                checked={values.certificateValidation}
                disabled={readOnly}
                onChange={(v) => set('certificateValidation', v)}
              />
            </Grid.Item>
          )}
        </>
      )}
      {info.folders && (
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <TextField name="folder" label={label('folder')} disabled={readOnly} value={values.folder} error={errors.folder} placeholder="INBOX" onChange={(v) => set('folder', v)} />
        </Grid.Item>
      )}
      <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
        <SelectField
          name="actionAfterFetch"
          label={label('actionAfterFetch')}
          disabled={readOnly}
          value={values.actionAfterFetch}
          error={errors.actionAfterFetch}
          options={info.actions.map((a) => ({ value: a, label: actionLabel(t, a) }))}
          onChange={(v) => set('actionAfterFetch', v as InboundFormValues['actionAfterFetch'])}
        />
      </Grid.Item>
      {values.actionAfterFetch === 'move' && (
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <TextField name="moveTo" label={label('moveTo')} required disabled={readOnly} value={values.moveTo} error={errors.moveTo} placeholder="Processed" onChange={(v) => set('moveTo', v)} />
        </Grid.Item>
      )}
    </>
  );
};
