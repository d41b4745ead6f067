/**
 * Consumer mail domains whose provider is known without asking DNS: their MX records say the
 * same, but a known answer costs nothing and works when DNS does not.
 */
const GOOGLE = ['gmail.com', 'googlemail.com'];

/** Outlook.com accounts (Microsoft accounts, the `consumers` tenant). */
const MICROSOFT = [
  'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'passport.com', 'windowslive.com',
  'outlook.de', 'outlook.fr', 'outlook.es', 'outlook.it', 'outlook.jp', 'outlook.co.uk',
  'hotmail.co.uk', 'hotmail.de', 'hotmail.fr', 'hotmail.es', 'hotmail.it', 'hotmail.nl',
  'live.co.uk', 'live.de', 'live.fr', 'live.it', 'live.nl', 'live.ca', 'live.com.au',
];

export type KnownProvider = 'google' | 'microsoft';

const KNOWN = new Map<string, KnownProvider>([
  ...GOOGLE.map((d) => [d, 'google'] as const),
  ...MICROSOFT.map((d) => [d, 'microsoft'] as const),
]);

/** The provider of a consumer domain (ASCII, lower case), or undefined. */
export const knownProvider = (domain: string): KnownProvider | undefined => KNOWN.get(domain);
