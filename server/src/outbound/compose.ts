import MailComposer from 'nodemailer/lib/mail-composer';

import { validationError } from '../errors';
import type { AddressInput, ComposedMessage, OutboundMessage } from './types';

export interface Sender {
  address: string;
  name?: string | null;
}

export interface ComposeOptions {
  /** The account's address: the envelope sender, and From unless the message names its own. */
  sender: Sender;
  /**
   * Keep Bcc in the MIME: Graph and the Gmail API take the recipients from the headers (and
   * drop Bcc before delivery); SMTP takes them from the envelope, so there Bcc must not show.
   */
  keepBcc: boolean;
}

const list = (v: AddressInput | AddressInput[] | undefined): AddressInput[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Header names that have their own fields; a header of that name would contradict them. */
const RESERVED_HEADERS = new Set(['from', 'to', 'cc', 'bcc', 'sender', 'reply-to', 'message-id', 'date', 'subject', 'mime-version', 'content-type', 'content-transfer-encoding']);

/** The message as MIME (nodemailer's composer) with its Message-ID and envelope. */
export async function composeMessage(message: OutboundMessage, options: ComposeOptions): Promise<ComposedMessage> {
  const recipients = [...list(message.to), ...list(message.cc), ...list(message.bcc)];
  if (!recipients.length) throw validationError([{ path: ['to'], message: 'at least one recipient (to, cc or bcc) is required' }], 'No recipients');
  for (const name of Object.keys(message.headers ?? {})) {
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw validationError([{ path: ['headers', name], message: 'is set from its own field of the message' }], 'Invalid header');
    }
  }
  const sender = options.sender.name ? { name: options.sender.name, address: options.sender.address } : options.sender.address;
  const node = new MailComposer({
    from: message.from ?? sender,
    to: message.to,
    cc: message.cc,
    bcc: message.bcc,
    replyTo: message.replyTo,
    subject: message.subject ?? '',
    text: message.text,
    html: message.html,
    attachments: message.attachments,
    headers: message.headers,
    inReplyTo: message.inReplyTo,
    references: message.references,
    messageId: message.messageId,
    // The bounce address is the account's mailbox, whatever From says.
    envelope: { from: options.sender.address, to: message.to, cc: message.cc, bcc: message.bcc },
    // Content comes from the host app: never let it make the server read files or fetch URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  }).compile();
  node.keepBcc = options.keepBcc;
  const envelope = node.getEnvelope();
  if (!envelope.to.length) throw validationError([{ path: ['to'], message: 'names no valid email address' }], 'No recipients');
  const messageId = node.messageId();
  const raw = await node.build();
  return { raw, messageId, envelope: { from: options.sender.address, to: envelope.to } };
}
