import { inboundAccountKind } from './inbound-account-kind';
import type { EntryKind } from './kinds';
import { outboundAccountKind } from './outbound-account-kind';
import { oauthTokenKind } from './token-kind';

/** The entry kinds every transfer service starts with: tokens first, then the accounts that refer to them. */
export const defaultEntryKinds = (): EntryKind[] => [oauthTokenKind as EntryKind, inboundAccountKind as EntryKind, outboundAccountKind as EntryKind];
