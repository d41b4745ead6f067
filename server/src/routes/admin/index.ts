import { adminRoute } from './route';

export default () => ({
  type: 'admin',
  routes: [adminRoute('GET', '/templates', 'templates.list', 'read')],
});
