/** One step of Test & confirm (server: diagnose/steps.ts), shared by inbound and outbound. */
export interface TestStep {
  name: string;
  ok: boolean;
  ms: number;
  detail?: string;
}

/** What Test & confirm answers (200 whether or not the test passed). */
export interface TestReport {
  ok: boolean;
  steps: TestStep[];
  advice?: string | null;
  code?: string | null;
  /** Outbound: the test message's id when it was accepted. */
  messageId?: string | null;
  error?: { code: string; message: string } | null;
  /** What the account's settings let one see coming, tested or not. */
  warnings?: AccountWarning[];
}

/** A problem the settings let one see coming (server: warnings/account-warnings.ts). */
export interface AccountWarning {
  code: 'MICROSOFT_BASIC_AUTH' | 'GRANTOR_NOT_MAILBOX' | 'CLIENT_SECRET_EXPIRING';
  field: string;
  message: string;
  advice: string;
}

/** An account's last failure. */
export interface AccountError {
  code: string;
  reason?: string;
  message: string;
  advice?: string | null;
  at?: string;
}

/** The OAuth2 token an account uses, as the accounts API shows it. */
export interface AccountToken {
  id: number;
  name: string;
  template: string;
  status: string | null;
  grantedBy?: string | null;
}
