import { MailAuthError, validationError } from '../errors';
import { hostFieldProblem } from '../net/plugin-policy';
import { configurationProblems, type TokenFields } from '../validation/token-input';
import type { TokenContext } from './context';
import { NEEDS_AUTHORIZATION, type TokenRow } from './row';

/** The rules a token must meet to be saved, and to be used. */
export function tokenChecks({ strapi, config }: TokenContext) {
  /**
   * A stored token that breaks the token rules (an import may store one, marked as needing
   * configuration) is never used: no sign-in, no grant, no access token handed out.
   */
  const checked = new WeakMap<TokenRow, ReturnType<typeof configurationProblems>>();
  const assertUsable = (row: TokenRow) => {
    // Checked once per row as read (a renewal asks twice: before and while it builds the settings).
    let problems = checked.get(row);
    if (!problems) checked.set(row, (problems = configurationProblems(row, { allowHttpLoopback: config('allowHttpLoopback') })));
    if (!problems.length) return;
    throw new MailAuthError('CONFIGURATION_REQUIRED', `Token "${row.name}" has settings to complete before it can be used`, {
      advice: problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; '),
      errors: problems,
    });
  };

  /** A token that may be used at all: switched on, complete, not waiting for a person to sign in again. */
  const assertActive = (row: TokenRow) => {
    if (row.active === false) {
      throw new MailAuthError('TOKEN_INACTIVE', `Token "${row.name}" is switched off`, { advice: 'Switch the token on to use it.' });
    }
    assertUsable(row);
    if (NEEDS_AUTHORIZATION.includes(row.status)) {
      throw new MailAuthError('REAUTHORIZATION_REQUIRED', `Token "${row.name}" must be authorized again`, {
        advice: row.lastError?.advice ?? 'Click Generate tokens to sign in again.',
      });
    }
  };

  /** A refresh token to renew with, unless the token uses client credentials. */
  const assertRefreshable = (row: TokenRow) => {
    if (row.grantType === 'authorization_code' && !row.refreshToken) {
      throw new MailAuthError(row.status === 'not-authorized' ? 'NOT_AUTHORIZED' : 'REAUTHORIZATION_REQUIRED', `Token "${row.name}" has no refresh token`, {
        advice: 'Click Generate tokens to sign in at the provider.',
      });
    }
  };

  /** A token that can be renewed without a person. */
  const assertRenewable = (row: TokenRow) => {
    assertActive(row);
    assertRefreshable(row);
  };

  /** The token rules, for fields about to be saved. */
  const assertRules = (merged: Partial<TokenFields>) => {
    const errors = configurationProblems(merged, { allowHttpLoopback: config('allowHttpLoopback') });
    if (errors.length) throw validationError(errors, 'Invalid token');
  };

  /** The plugin's allowedHosts / deniedNetworks for the URLs an admin gives (net/network-policy.ts). */
  const assertUrlsAllowed = async (merged: Partial<TokenFields>) => {
    const errors = [];
    for (const field of ['issuer', 'authorizationEndpoint', 'tokenEndpoint'] as const) {
      const value = merged[field];
      const refused = value ? await hostFieldProblem(strapi, field, new URL(value).hostname) : undefined;
      if (refused) errors.push(refused);
    }
    if (errors.length) throw validationError(errors, 'Invalid token');
  };

  return { assertUsable, assertActive, assertRefreshable, assertRenewable, assertRules, assertUrlsAllowed };
}

export type TokenChecks = ReturnType<typeof tokenChecks>;
