import { Grid } from '@strapi/design-system';

import type { FieldErrors } from '../../api/errors';
import { PortField, TextField } from '../form/fields';

interface ServerAddressFieldsProps {
  host: string;
  port: number | undefined;
  errors: FieldErrors;
  readOnly: boolean;
  label: (field: 'host' | 'port') => string;
  placeholder: string;
  onHost: (host: string) => void;
  onPort: (port: number | undefined) => void;
}

/** A mail server's host and port, side by side. */
export const ServerAddressFields = ({ host, port, errors, readOnly, label, placeholder, onHost, onPort }: ServerAddressFieldsProps) => (
  <>
    <Grid.Item col={4} s={12} direction="column" alignItems="stretch">
      <TextField name="host" label={label('host')} required disabled={readOnly} value={host} error={errors.host} placeholder={placeholder} onChange={onHost} />
    </Grid.Item>
    <Grid.Item col={2} s={12} direction="column" alignItems="stretch">
      <PortField name="port" label={label('port')} required disabled={readOnly} value={port} error={errors.port} onChange={onPort} />
    </Grid.Item>
  </>
);
