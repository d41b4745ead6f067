import type { Core } from '@strapi/strapi';

import { MailAuthError, type FieldError } from '../errors';
import { PLUGIN_ID } from '../plugin-id';
import { connectInputSchema, type ConnectInput } from '../validation/connect-input';
import { parseInput } from '../validation/token-input';
import type { Actor } from '../shared/actor';
import { INBOUND_ACCOUNT_UID, OUTBOUND_ACCOUNT_UID, TOKEN_UID } from '../shared/content-type-uids';

export interface Created {
  id: number;
  name: string;
}

/** The three entries' names, from the address unless given. */
const namesOf = (input: ConnectInput) => ({
  token: input.names?.token ?? input.address,
  inbound: input.names?.inbound ?? `${input.address} (inbound)`,
  outbound: input.names?.outbound ?? `${input.address} (outbound)`,
});

/**
 * The field errors of one of the three creates, under the part of the input they came from
 * (`inbound.host`, `names.outbound` …), so that the wizard shows them where they were typed.
 */
function underPart(e: unknown, part: 'oauth' | 'inbound' | 'outbound'): unknown {
  if (!(e instanceof MailAuthError) || !e.errors?.length) return e;
  const errors: FieldError[] = e.errors.map((error) => ({
    ...error,
    path: error.path[0] === 'name' ? ['names', part === 'oauth' ? 'token' : part] : [part, ...error.path],
  }));
  return new MailAuthError(e.code, e.message, { advice: e.advice, errors, cause: e });
}

/**
 * Connect a mailbox in one step: one OAuth2 token (unless the mailbox signs in with a
 * password) and one inbound and one outbound account using it, created in one transaction —
 * all three or none. They are ordinary entries, made by the same services as the admin's own
 * create calls (the same checks), and editable afterwards. The consent (Generate tokens, or a
 * device code) and Test & confirm of both accounts follow, asked for by the wizard.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const service = (name: string) => strapi.plugin(PLUGIN_ID).service(name);

  /** Every name already taken, all named at once: nothing is created, nothing overwritten. */
  const assertNamesFree = async (names: ReturnType<typeof namesOf>, withToken: boolean) => {
    const taken: FieldError[] = [];
    const check = async (uid: string, name: string, part: 'token' | 'inbound' | 'outbound', what: string) => {
      const found = await strapi.db.query(uid as never).findOne({ where: { name }, select: ['id'] });
      if (found) taken.push({ path: ['names', part], message: `"${name}" is already the name of ${what}: choose another name, or edit or delete that entry first` });
    };
    if (withToken) await check(TOKEN_UID, names.token, 'token', 'an OAuth2 token');
    await check(INBOUND_ACCOUNT_UID, names.inbound, 'inbound', 'an inbound account');
    await check(OUTBOUND_ACCOUNT_UID, names.outbound, 'outbound', 'an outbound account');
    if (taken.length) throw new MailAuthError('CONFLICT', 'A name is already taken; nothing was created', { errors: taken });
  };

  /** One entry, made by its own service; its field errors come back under the part they came from. */
  const create = async (part: 'oauth' | 'inbound' | 'outbound', name: string, data: Record<string, unknown>, actor?: Actor): Promise<Created> => {
    try {
      return (await service(name).create(data, actor)) as Created;
    } catch (e) {
      throw underPart(e, part);
    }
  };

  return {
    async connect(body: unknown, actor?: Actor) {
      const input = parseInput(connectInputSchema, body);
      const names = namesOf(input);
      await assertNamesFree(names, Boolean(input.oauth));

      return strapi.db.transaction(async () => {
        const token = input.oauth ? await create('oauth', 'tokens', { name: names.token, ...input.oauth }, actor) : null;
        const signIn = token ? { authentication: 'oauth2', oauthToken: token.id } : { authentication: 'password', password: input.password };
        const inbound = await create('inbound', 'inbound-accounts', { name: names.inbound, ...input.inbound, login: input.address, ...signIn }, actor);
        const outbound = await create(
          'outbound',
          'outbound-accounts',
          {
            name: names.outbound,
            ...input.outbound,
            fromAddress: input.address,
            ...(input.outbound.type === 'smtp' ? { useAuthentication: true, username: input.address } : {}),
            ...signIn,
          },
          actor
        );
        return { token, inbound, outbound, next: token ? 'consent' : 'test' };
      });
    },
  };
};
