import type { Readable } from 'node:stream';
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
  // mailparser hashes and counts each attachment as it passes: sha256 instead of its md5 default.
  const parser = new MailParser({ skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true, checksumAlgo: 'sha256' });
  let rawSize = 0;
  const raw: Buffer[] = [];
  let headers: Map<string, HeaderValue> = new Map();
  let text: MessageText | undefined;
  const attachments: AttachmentInfo[] = [];
  const pending: Promise<void>[] = [];
  const parsed = new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
  });
  parser.on('headers', (h: Map<string, HeaderValue>) => {
    headers = h;
  });
  parser.on('data', (part: AttachmentStream | MessageText) => {
    if (part.type === 'text') {
      text = part;
      return;
    }
    pending.push(
      new Promise<void>((resolve, reject) => {
        part.content.on('end', () => {
          attachments.push({
            filename: part.filename ?? null,
            contentType: part.contentType,
            size: part.size ?? 0,
            contentId: part.contentId ?? null,
            disposition: part.contentDisposition ?? null,
            checksum: part.checksum ?? '',
          });
          // mailparser waits for each attachment to be released before it goes on.
          part.release?.();
          resolve();
        });
        part.content.on('error', reject);
        // Read and dropped: only its size and checksum are kept, never the content.
        part.content.resume();
      })
    );
  });

  // Fed by hand rather than through stream.pipeline: per message, its bookkeeping (abort
  // signals, error objects) cost as much as the parsing of a small message.
  if (Buffer.isBuffer(source)) {
    rawSize = source.length;
    if (options.keepRaw) raw.push(source);
    parser.end(source);
  } else {
    source.on('data', (chunk: Buffer) => {
      rawSize += chunk.length;
      if (options.keepRaw) raw.push(chunk);
      if (!parser.write(chunk)) {
        source.pause();
        parser.once('drain', () => source.resume());
      }
    });
    source.once('end', () => parser.end());
    source.once('error', (e) => parser.destroy(e));
  }
  await parsed;
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
