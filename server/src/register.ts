import type { Core } from '@strapi/strapi';

const register = (_: { strapi: Core.Strapi }) => {
  // Nothing to register before bootstrap yet: content types, routes and services are declared.
};

export default register;
