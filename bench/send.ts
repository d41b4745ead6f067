/**
 * bench/send: 1,000 messages through an XOAUTH2 SMTP outbound account (outbound.send: account
 * lookup, token from `tokens`, MIME, connect + STARTTLS + AUTH XOAUTH2 + send, activity log)
 * against plain nodemailer sending the same messages with the same token to the same server,
 * in the same run. Prints both and the ratio (goal ≤ 1.1). Not a test: nothing is asserted.
 *
 *   npm run build && npx tsc -p playground/tsconfig.json && node --import tsx bench/send.ts
 *   (BENCH_MESSAGES=… to change the count, TEST_DB=postgres|mysql for another database)
 *
 * Both sides send one message per connection, sequentially (nodemailer's default transport, and
 * what the plugin does). They alternate in rounds so that drift (JIT, disk, the other processes
 * on the machine) hits both alike. The SMTP server checks a token once and remembers the answer:
 * its per-login cost is the same for both sides and would only dilute the ratio.
 */
import nodemailer from 'nodemailer';
import { performance } from 'node:perf_hooks';

import { adminClients } from '../tests/helpers/admin';
import { ALICE, authorizedToken } from '../tests/helpers/outbound';
import { startStrapi } from '../tests/helpers/strapi';
import { startOAuthServer } from '../tests/servers/oauth-server';
import { startSmtpServer } from '../tests/servers/smtp';

const TOTAL = Number(process.env.BENCH_MESSAGES ?? 1000);
const ROUNDS = 4;
const WARMUP = 20;
const EHLO = 'helpdesk.example.test';

async function main() {
  const op = await startOAuthServer();
  const known = new Map<string, Promise<{ active: boolean; email?: string }>>();
  const introspect = (token: string) => {
    if (!known.has(token)) known.set(token, op.introspect(token));
    return known.get(token)!;
  };
  const smtp = await startSmtpServer({ security: 'starttls', introspect, authMethods: ['XOAUTH2'] });
  const app = await startStrapi({ env: { MAIL_AUTH_RUN_JOBS: 'false' } });
  try {
    const { superAdmin: admin } = await adminClients(app.strapi, app.url);
    const tokenId = await authorizedToken(admin, op, app.url, 'bench-token');
    const created = await admin.post('/mail-auth/outbound-accounts', {
      name: 'bench',
      type: 'smtp',
      host: '127.0.0.1',
      port: smtp.port,
      security: 'starttls',
      verifyCertificate: true,
      trustedCertificate: smtp.caPem,
      domain: EHLO,
      useAuthentication: true,
      authentication: 'oauth2',
      username: ALICE,
      oauthToken: tokenId,
      fromAddress: ALICE,
    });
    if (created.status !== 201) throw new Error(`account: ${created.status} ${JSON.stringify(created.body)}`);

    const accessToken: string = await app.strapi.plugin('mail-auth').service('tokens').getAccessToken(tokenId);
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      requireTLS: true,
      name: EHLO,
      tls: { ca: smtp.caPem },
      auth: { type: 'OAuth2', user: ALICE, accessToken },
    });
    const outbound = app.strapi.plugin('mail-auth').service('outbound');
    const message = (i: number) => ({ to: 'bob@example.test', subject: `Benchmark message ${i}`, text: `Message number ${i}.\n` });

    const sides = {
      nodemailer: (i: number) => transport.sendMail({ from: ALICE, ...message(i) }),
      plugin: (i: number) => outbound.send('bench', message(i)),
    };
    const elapsed = { nodemailer: 0, plugin: 0 };
    const rounds: string[] = [];
    const run = async (side: keyof typeof sides, count: number, measure: boolean) => {
      const started = performance.now();
      for (let i = 0; i < count; i += 1) await sides[side](i);
      const ms = performance.now() - started;
      if (measure) {
        elapsed[side] += ms;
        rounds.push(`${side} ${(ms / count).toFixed(1)}`);
      }
    };

    await run('nodemailer', WARMUP, false);
    await run('plugin', WARMUP, false);
    const perRound = Math.ceil(TOTAL / ROUNDS);
    for (let round = 0; round < ROUNDS; round += 1) {
      const count = Math.min(perRound, TOTAL - round * perRound);
      const order: (keyof typeof sides)[] = round % 2 ? ['plugin', 'nodemailer'] : ['nodemailer', 'plugin'];
      for (const side of order) await run(side, count, true);
    }
    transport.close();

    const expected = 2 * (WARMUP + TOTAL);
    if (smtp.received.length !== expected) throw new Error(`the server received ${smtp.received.length} messages, expected ${expected}`);
    const perMessage = (ms: number) => `${(ms / TOTAL).toFixed(2)} ms/message`;
    console.log(`bench/send (${process.env.TEST_DB ?? 'sqlite'}): ${TOTAL} messages each, STARTTLS + XOAUTH2, one message per connection`);
    console.log(`  plain nodemailer, same token : ${elapsed.nodemailer.toFixed(0)} ms (${perMessage(elapsed.nodemailer)})`);
    console.log(`  outbound account (mail-auth) : ${elapsed.plugin.toFixed(0)} ms (${perMessage(elapsed.plugin)})`);
    console.log(`  ratio plugin / nodemailer     : ${(elapsed.plugin / elapsed.nodemailer).toFixed(3)} (goal ≤ 1.1)`);
    console.log(`  ms/message per round         : ${rounds.join(', ')}`);
  } finally {
    await app.stop();
    await smtp.stop();
    await op.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
