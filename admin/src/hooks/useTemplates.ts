import { useFetchClient } from '@strapi/strapi/admin';

import { getTemplates } from '../api/templates';
import { useRemote } from './useRemote';

/** The provider templates (and the redirect URI); they change only with the plugin's version. */
export const useTemplates = () => {
  const client = useFetchClient();
  return useRemote(() => getTemplates(client), 'templates');
};
