import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MailParser, type AddressObject, type AttachmentStream, type HeaderValue, type MessageText } from 'mailparser';

export interface MailAddress {
  name: string;
  address: string;
}

export interface AttachmentInfo {
  filename: string | null;
  contentType: string;
  size: number;
  /** Content-ID, for inline images the HTML refers to. */
  contentId: string | null;
  disposition: string | null;
  /** SHA-256 of the decoded content. */
  checksum: string;
}

/** A message as the PostMaster hands it on: addresses, texts and attachment metadata. */
export interface ParsedMessage {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  from: MailAddress | null;
  replyTo: MailAddress[];
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  date: Date | null;
  text: string | null;
  html: string | null;
  attachments: AttachmentInfo[];
  /** The X- headers, decoded (kept only for trusted accounts). */
  xHeaders: Record<string, string | string[]>;
  /** Bytes of the source as received. */
  rawSize: number;
}

const addresses = (v: AddressObject | AddressObject[] | undefined): MailAddress[] => {
  const list = Array.isArray(v) ? v : v ? [v] : [];
  const out: MailAddress[] = [];
  const walk = (entries: AddressObject['value']) => {
    for (const a of entries) {
      if (a.group) walk(a.group);
      else if (a.address) out.push({ name: a.name ?? '', address: a.address });
    }
  };
  for (const o of list) walk(o.value);
  return out;
};

const headerText = (v: HeaderValue): string | string[] => {
  if (Array.isArray(v)) return (v as unknown[]).map((x) => headerText(x as HeaderValue) as string);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object' && v !== null) {
    if ('text' in v) return (v as AddressObject).text;
    if ('value' in v) return String((v as { value: unknown }).value);
  }
  return String(v);
};

// PostgreSQL text cannot hold NUL; it has no business in a mail text either.
const clean = (s: string | undefined | false | null) => (s ? s.replace(/\u0000/g, '') : null);

/**
 * Parses a message from a stream with mailparser's streaming parser: attachments are
 * counted and hashed as they pass and never held, so memory stays at the size of the texts.
 * With `keepRaw` the source bytes are collected too (for a configured handler).
 */
export async function parseMessage(source: Readable | Buffer, options: { keepRaw?: boolean } = {}): Promise<{ message: ParsedMessage; raw?: Buffer }> {
  const parser = new MailParser({ skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  let rawSize = 0;
  const raw: Buffer[] = [];
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      rawSize += chunk.length;
      if (options.keepRaw) raw.push(chunk);
      done(null, chunk);
    },
  });

  let headers: Map<string, HeaderValue> = new Map();
  let text: MessageText | undefined;
  const attachments: AttachmentInfo[] = [];
  const pending: Promise<void>[] = [];
  parser.on('headers', (h: Map<string, HeaderValue>) => {
    headers = h;
  });
  parser.on('data', (part: AttachmentStream | MessageText) => {
    if (part.type === 'text') {
      text = part;
      return;
    }
    const hash = createHash('sha256');
    let size = 0;
    pending.push(
      new Promise<void>((resolve, reject) => {
        part.content.on('data', (c: Buffer) => {
          size += c.length;
          hash.update(c);
        });
        part.content.on('end', () => {
          attachments.push({
            filename: part.filename ?? null,
            contentType: part.contentType,
            size,
            contentId: part.contentId ?? null,
            disposition: part.contentDisposition ?? null,
            checksum: hash.digest('hex'),
          });
          // mailparser waits for each attachment to be released before it goes on.
          part.release?.();
          resolve();
        });
        part.content.on('error', reject);
      })
    );
  });

  const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
  await pipeline(input, counter, parser);
  await Promise.all(pending);

  const get = <T extends HeaderValue>(name: string) => headers.get(name) as T | undefined;
  const references = get<string | string[]>('references');
  const xHeaders: Record<string, string | string[]> = {};
  for (const [name, value] of headers) if (name.startsWith('x-')) xHeaders[name] = headerText(value);
  const from = addresses(get<AddressObject>('from'));
  const date = get<Date>('date');

  return {
    message: {
      messageId: clean(get<string>('message-id')),
      inReplyTo: clean(get<string>('in-reply-to')),
      references: (Array.isArray(references) ? references : references ? references.split(/\s+/) : []).filter(Boolean),
      from: from[0] ?? null,
      replyTo: addresses(get<AddressObject>('reply-to')),
      to: addresses(get<AddressObject>('to')),
      cc: addresses(get<AddressObject>('cc')),
      subject: clean(get<string>('subject')) ?? '',
      date: date instanceof Date && !Number.isNaN(date.getTime()) ? date : null,
      text: clean(text?.text),
      html: clean(typeof text?.html === 'string' ? text.html : null),
      attachments,
      xHeaders,
      rawSize,
    },
    raw: options.keepRaw ? Buffer.concat(raw) : undefined,
  };
}
