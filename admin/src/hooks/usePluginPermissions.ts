import { useRBAC } from '@strapi/strapi/admin';

import { PERMISSIONS } from '../permissions';

// A constant: useRBAC checks again whenever the array changes.
const ALL = Object.values(PERMISSIONS).flat();

/** What the signed-in admin may do in the plugin; the pages hide the rest. */
export const usePluginPermissions = () => {
  const { allowedActions, isLoading } = useRBAC(ALL);
  return {
    isLoading,
    canRead: Boolean(allowedActions.canRead),
    canCreate: Boolean(allowedActions.canCreate),
    canUpdate: Boolean(allowedActions.canUpdate),
    canDelete: Boolean(allowedActions.canDelete),
    canAuthorize: Boolean(allowedActions.canAuthorize),
    canTest: Boolean(allowedActions.canTest),
    canExport: Boolean(allowedActions.canExport),
    canExportSecrets: Boolean(allowedActions.canExportSecrets),
    canImport: Boolean(allowedActions.canImport),
    canSettings: Boolean(allowedActions.canSettings),
  };
};

export type PluginPermissions = ReturnType<typeof usePluginPermissions>;
