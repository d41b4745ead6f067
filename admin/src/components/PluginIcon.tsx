import { Key } from '@strapi/icons';

const PluginIcon = () => <Key />;

export { PluginIcon };
