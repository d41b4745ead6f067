import type { InboundPresets } from '../../api/inbound';
import { AllowInsecureAuthField } from '../../components/accounts/AllowInsecureAuthField';
import { bindFields } from '../../components/form/boundFields';
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
export const InboundConnectionFields = (props: AccountFieldsProps<InboundFormValues, InboundPresets>) => {
  const { values, set, readOnly, presets } = props;
  const t = useT();
  const field = bindFields(props);
  const info = typeInfo(presets, values.type);
  return (
    <>
      {isMailServer(info) && (
        <>
          {field.text('host', { required: true, placeholder: 'imap.example.com', cols: 4 })}
          {field.port('port')}
          {info.security === 'none' && <AllowInsecureAuthField checked={values.allowInsecureAuth} readOnly={readOnly} onChange={(v) => set('allowInsecureAuth', v)} />}
          {info.security !== 'none' &&
            field.checkbox('certificateValidation', t('inbound.field.certificateValidation', 'Check the server’s certificate (turn off only for a server you trust with a self-signed certificate)'))}
        </>
      )}
      {info.folders && field.text('folder', { placeholder: 'INBOX' })}
      {field.select(
        'actionAfterFetch',
        info.actions.map((a) => ({ value: a, label: actionLabel(t, a) }))
      )}
      {values.actionAfterFetch === 'move' && field.text('moveTo', { required: true, placeholder: 'Processed' })}
    </>
  );
};
