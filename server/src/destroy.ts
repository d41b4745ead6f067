import type { Core } from '@strapi/strapi';

const destroy = (_: { strapi: Core.Strapi }) => {
  // Jobs and connections are added by later services, and stopped here.
};

export default destroy;
