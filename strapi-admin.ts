// The admin entry for readers and tools; Strapi itself loads the built `dist` through package.json `exports`.
export { default } from './admin/src';
