import { MailAuthError } from '../errors';
import { TYPE_INFO } from '../inbound/account-types';
import { classifyMailError } from '../inbound/classify';
import { createSource, endpointOf, type AccountRow, type SourceEnvironment } from '../inbound/create-source';
import { tlsOptions } from '../inbound/tls-options';
import type { MailSource } from '../inbound/types';
import { StepRecorder } from '../inbound/step-recorder';
import { probeMailServer } from './mail-server-probe';
import type { TestReport } from './test-report';

/**
 * Test & confirm for an inbound account: connects for real, step by step (access token,
 * connect, tls, authenticate, open folder, count messages), and on failure says what to do.
 */
export async function testInboundAccount(row: AccountRow, env: SourceEnvironment): Promise<TestReport & { error?: MailAuthError }> {
  const steps = new StepRecorder();
  const info = TYPE_INFO[row.type];
  let source: MailSource | undefined;
  try {
    const created = createSource(row, env);
    source = created.source;
    const context = created.context;
    const classify = (e: unknown) => classifyMailError(e, context);

    if (row.authentication === 'oauth2' && row.oauthToken) {
      const token = row.oauthToken;
      await steps.run(
        'access token',
        () =>
          env.getAccessToken(token.id).catch((e: unknown) => {
            if (e instanceof MailAuthError) {
              throw new MailAuthError(e.code, `OAuth2 token "${token.name}": ${e.message}`, {
                advice: e.advice ?? 'Open the OAuth2 token and click Generate tokens.',
                providerCode: e.providerCode,
              });
            }
            throw e;
          }),
        () => `token "${token.name}" is valid`
      );
    }
    if (info.protocol === 'imap' || info.protocol === 'pop3') {
      const { host, port } = endpointOf(row);
      await probeMailServer(
        steps,
        { protocol: info.protocol, host, port, security: info.security, timeout: env.timeout * 1000, tls: tlsOptions({ host, certificateValidation: row.certificateValidation !== false, trustedCertificate: row.trustedCertificate }) },
        context
      );
    }
    const mailbox = row.mailbox || row.login || (info.protocol === 'gmail' || info.protocol === 'graph' ? 'the token user\'s mailbox' : '');
    await steps.run('authenticate', () => source!.connect(steps).catch((e) => Promise.reject(classify(e))), () =>
      row.authentication === 'oauth2' ? `signed in to ${mailbox} with token "${row.oauthToken?.name}"` : `signed in as ${row.login}`
    );
    const folder = await steps.run('open folder', () => source!.openFolder(), (f) => `${f.name} is open`);
    const count = await steps.run('count messages', () => source!.count(), (c) => `${c.messages} message(s) in ${folder.name}${c.unseen !== undefined ? `, ${c.unseen} unread` : ''}`);
    void count;
    if (row.actionAfterFetch === 'move' && row.moveTo) {
      await steps.run('find folder to move to', () => source!.checkMoveTarget(), () => `${row.moveTo} exists`);
    }
    await source.finish().catch(() => []);
    return { ok: true, steps: steps.steps };
  } catch (e) {
    const error = e instanceof MailAuthError ? e : new MailAuthError('PROTOCOL_ERROR', (e as Error).message, { cause: e });
    return { ok: false, steps: steps.steps, advice: error.advice, code: error.code, error };
  } finally {
    await source?.close();
  }
}
