import { pluginConfigSchema, type PluginConfig } from './schema';
import { formatIssues } from '../validation/format-issues';

const defaults: PluginConfig = pluginConfigSchema.parse({});

export default {
  default: defaults,
  validator(config: unknown) {
    const result = pluginConfigSchema.safeParse(config);
    if (!result.success) {
      throw new Error(`Invalid configuration of plugin mail-auth: ${formatIssues(result.error)}`);
    }
  },
};
