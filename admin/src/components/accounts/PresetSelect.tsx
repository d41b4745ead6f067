import { Grid, Link } from '@strapi/design-system';
import { ExternalLink } from '@strapi/icons';

import { useT } from '../../utils/useT';
import { SelectField } from '../form/fields';

interface Preset {
  id: string;
  name: string;
  docs?: string;
}

interface PresetSelectProps<P extends Preset> {
  presets: P[];
  chosen: P | null;
  /** The scope the chosen preset's token needs, shown as the hint. */
  scopeHint?: string;
  onChoose: (preset: P | null) => void;
}

/** A new account's first field: the preset that fills the form, and the provider's documentation. */
export const PresetSelect = <P extends Preset>({ presets, chosen, scopeHint, onChoose }: PresetSelectProps<P>) => {
  const t = useT();
  return (
    <Grid.Item col={12} direction="column" alignItems="stretch" gap={1}>
      <SelectField
        name="preset"
        label={t('account.preset', 'Preset')}
        hint={scopeHint ? t('account.preset.scope', 'The token needs: {scope}', { scope: scopeHint }) : t('account.preset.hint', 'Fills the fields for a common provider.')}
        value={chosen?.id ?? null}
        placeholder={t('account.preset.choose', 'Choose a preset')}
        options={presets.map((p) => ({ value: p.id, label: p.name }))}
        onChange={(v) => onChoose(presets.find((x) => x.id === v) ?? null)}
      />
      {chosen?.docs && (
        <Link href={chosen.docs} isExternal endIcon={<ExternalLink />}>
          {t('account.preset.docs', 'The provider’s documentation')}
        </Link>
      )}
    </Grid.Item>
  );
};
