import { templates } from '../providers';

/** Provider templates as the admin panel sees them: data only, endpoints resolved. */
export default () => ({
  list() {
    return templates.map(({ endpoints, ...template }) => ({
      ...template,
      endpoints: endpoints ? endpoints(template.defaultTenant) : undefined,
    }));
  },
});
