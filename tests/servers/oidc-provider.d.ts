// oidc-provider 9 ships no type declarations (and @types/oidc-provider is not installed):
// the test harness only needs it loosely typed.
declare module 'oidc-provider' {
  class Provider {
    constructor(issuer: string, configuration?: Record<string, unknown>);
    [member: string]: any;
  }
  export default Provider;
}
