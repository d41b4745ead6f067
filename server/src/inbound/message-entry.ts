import type { ParsedMessage } from './parse';

const formatAddress = (a: { name: string; address: string } | null) => (a ? (a.name ? `${a.name} <${a.address}>` : a.address) : null);
const short = (s: string | null, max: number) => (s && s.length > max ? s.slice(0, max) : s);

/** The `message` entry for a parsed message: what the Content Manager shows and a helpdesk builds on. */
export function messageEntry(
  message: ParsedMessage,
  account: { id: number; name: string; queue?: string | null; trusted?: boolean | null },
  key: string
): Record<string, unknown> {
  return {
    subject: message.subject,
    from: short(formatAddress(message.from), 255),
    fromAddress: short(message.from?.address ?? null, 255),
    to: message.to,
    cc: message.cc,
    replyTo: message.replyTo,
    date: message.date,
    receivedAt: new Date(),
    queue: account.queue ?? null,
    accountId: account.id,
    accountName: account.name,
    messageId: message.messageId,
    inReplyTo: message.inReplyTo,
    references: message.references,
    text: message.text,
    html: message.html,
    attachments: message.attachments,
    // X- headers are the sender's word: honoured only for accounts marked trusted.
    xHeaders: account.trusted ? message.xHeaders : null,
    rawSize: message.rawSize,
    sourceKey: key,
    publishedAt: new Date(),
  };
}
