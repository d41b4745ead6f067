import type { EntryKind } from './kinds';
import { oauthTokenKind } from './token-kind';

/**
 * The entry kinds every transfer service starts with, in one place: the account kinds
 * (`InboundAccount`, `OutboundAccount`) are added here when their content types exist.
 */
export const defaultEntryKinds = (): EntryKind[] => [oauthTokenKind as EntryKind];
