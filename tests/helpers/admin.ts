import type { Core } from '@strapi/strapi';

export interface AdminUser {
  id: number;
  email: string;
  password: string;
}

let counter = 0;

/** An admin role holding exactly the given permission actions (e.g. plugin::mail-auth.read). */
export async function createRole(strapi: Core.Strapi, name: string, actions: string[]): Promise<number> {
  const role = await strapi.service('admin::role').create({ name, description: `test role ${name}` });
  await strapi
    .service('admin::role')
    .assignPermissions(role.id, actions.map((action) => ({ action, subject: null, properties: {}, conditions: [] })));
  return role.id;
}

/** An active admin user with the given roles (the super admin role when none are given). */
export async function createAdmin(strapi: Core.Strapi, roleIds?: number[]): Promise<AdminUser> {
  counter += 1;
  const email = `admin${counter}-${Date.now()}@example.test`;
  const password = `Passw0rd-${counter}-test`;
  const roles = roleIds ?? [(await strapi.service('admin::role').getSuperAdmin()).id];
  const user = await strapi.service('admin::user').create({
    firstname: 'Test',
    lastname: `Admin ${counter}`,
    email,
    password,
    isActive: true,
    registrationToken: null,
    roles,
  });
  return { id: user.id, email, password };
}

/** What a new admin user is made of (the admin registration forms' fields). */
export interface NewAdminUser {
  firstname: string;
  lastname: string;
  email: string;
  password: string;
}

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the admin API as the admin panel does: logged in through /admin/login, bearer token. */
export class AdminClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string
  ) {}

  static async login(baseUrl: string, user: Pick<AdminUser, 'email' | 'password'>): Promise<AdminClient> {
    const res = await fetch(`${baseUrl}/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    const body = (await res.json()) as { data?: { token?: string; accessToken?: string } };
    const token = body.data?.token ?? body.data?.accessToken;
    if (res.status !== 200 || !token) {
      throw new Error(`admin login failed: ${res.status} ${JSON.stringify(body)}`);
    }
    return new AdminClient(baseUrl, token);
  }

  /**
   * Creates the first (super) administrator of a fresh instance over HTTP, as the admin panel's
   * registration page does (POST /admin/register-admin), and returns it logged in. Only for
   * instances in another process (startStrapiProcess); in-process tests use createAdmin().
   */
  static async registerFirstAdmin(
    baseUrl: string,
    user: Partial<NewAdminUser> = {}
  ): Promise<{ client: AdminClient; user: AdminUser }> {
    counter += 1;
    const info: NewAdminUser = {
      firstname: 'Super',
      lastname: 'Admin',
      email: `superadmin${counter}-${Date.now()}@example.test`,
      password: `Passw0rd-${counter}-super`,
      ...user,
    };
    const res = await fetch(`${baseUrl}/admin/register-admin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(info),
    });
    const body = (await res.json()) as { data?: { token?: string; user?: { id: number } } };
    const token = body.data?.token;
    if (res.status !== 200 || !token || !body.data?.user) {
      throw new Error(`registering the first admin failed: ${res.status} ${JSON.stringify(body)}`);
    }
    return {
      client: new AdminClient(baseUrl, token),
      user: { id: body.data.user.id, email: info.email.toLowerCase(), password: info.password },
    };
  }

  /**
   * Over HTTP, as a super admin in the admin panel would: an admin role holding exactly the
   * given permission actions (e.g. plugin::mail-auth.read; none by default). Returns its id.
   */
  async createRole(name: string, actions: string[] = []): Promise<number> {
    const created = await this.post<{ data: { id: number } }>('/admin/roles', {
      name,
      description: `test role ${name}`,
    });
    if (created.status !== 201) throw new Error(`POST /admin/roles: ${created.status} ${JSON.stringify(created.body)}`);
    const id = created.body.data.id;
    const permissions = actions.map((action) => ({ action, subject: null, properties: {}, conditions: [] }));
    const set = await this.put(`/admin/roles/${id}/permissions`, { permissions });
    if (set.status !== 200) throw new Error(`PUT /admin/roles/${id}/permissions: ${set.status} ${JSON.stringify(set.body)}`);
    return id;
  }

  /**
   * Over HTTP: invites an admin user with the given roles (POST /admin/users) and completes
   * the invitation with its registration token (POST /admin/register, as the invitee's
   * registration page does). Returns the new admin's credentials.
   */
  async inviteAdmin(roleIds: number[], user: Partial<NewAdminUser> = {}): Promise<AdminUser> {
    counter += 1;
    const info: NewAdminUser = {
      firstname: 'Invited',
      lastname: `Admin ${counter}`,
      email: `invited${counter}-${Date.now()}@example.test`,
      password: `Passw0rd-${counter}-invited`,
      ...user,
    };
    const created = await this.post<{ data: { id: number; registrationToken: string } }>('/admin/users', {
      firstname: info.firstname,
      lastname: info.lastname,
      email: info.email,
      roles: roleIds,
    });
    if (created.status !== 201 || !created.body.data?.registrationToken) {
      throw new Error(`POST /admin/users: ${created.status} ${JSON.stringify(created.body)}`);
    }
    const res = await fetch(`${this.baseUrl}/admin/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        registrationToken: created.body.data.registrationToken,
        userInfo: { firstname: info.firstname, lastname: info.lastname, password: info.password },
      }),
    });
    if (res.status !== 200) throw new Error(`POST /admin/register: ${res.status} ${await res.text()}`);
    await res.body?.cancel();
    return { id: created.body.data.id, email: info.email.toLowerCase(), password: info.password };
  }

  async request<T = any>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return {
      status: res.status,
      body: (type.includes('json') && text ? JSON.parse(text) : text) as T,
      headers: res.headers,
    };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body ?? {});
  }
  put<T = any>(path: string, body?: unknown) {
    return this.request<T>('PUT', path, body ?? {});
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }
}

/** A logged-in super admin and a logged-in admin whose role has none of the plugin's actions. */
export async function adminClients(strapi: Core.Strapi, baseUrl: string) {
  const superAdmin = await AdminClient.login(baseUrl, await createAdmin(strapi));
  const noPluginRole = await createRole(strapi, `No mail-auth ${Date.now()}`, []);
  const outsider = await AdminClient.login(baseUrl, await createAdmin(strapi, [noPluginRole]));
  return { superAdmin, outsider };
}
