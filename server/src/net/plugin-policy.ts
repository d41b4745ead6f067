import type { Core } from '@strapi/strapi';

import { MailAuthError } from '../errors';
import { pluginConfig } from '../config/plugin-config';
import { networkPolicy, type NetworkPolicy, type NetworkPolicyOptions } from './network-policy';

let cached: { key: string; policy: NetworkPolicy | undefined } | undefined;

/** The plugin's allowedHosts / deniedNetworks as a policy (made again when the options change); undefined: no limits. */
export function pluginNetworkPolicy(strapi: Core.Strapi): NetworkPolicy | undefined {
  const options: NetworkPolicyOptions = {
    allowedHosts: pluginConfig(strapi, 'allowedHosts'),
    deniedNetworks: pluginConfig(strapi, 'deniedNetworks'),
  };
  const key = JSON.stringify(options);
  if (cached?.key !== key) cached = { key, policy: networkPolicy(options) };
  return cached.policy;
}

/** The field error for a host the policy refuses, or undefined. */
export async function hostFieldProblem(strapi: Core.Strapi, field: string, host: string | null | undefined) {
  const policy = pluginNetworkPolicy(strapi);
  if (!policy || !host) return undefined;
  const problem = await policy.problem(host);
  return problem ? { path: [field], message: `names a host the plugin may not connect to: ${problem}` } : undefined;
}

/** Throws before a connection to a host the policy refuses (the check when connecting, for rows saved before the options). */
export async function assertHostAllowed(strapi: Core.Strapi, host: string, what: string): Promise<void> {
  const problem = await pluginNetworkPolicy(strapi)?.problem(host);
  if (problem) {
    throw new MailAuthError('VALIDATION', `${what}: not connecting, ${problem}`, {
      advice: 'Point it at a host the plugin options allowedHosts / deniedNetworks allow, or ask the administrator of this Strapi to allow it.',
    });
  }
}
