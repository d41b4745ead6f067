import { parseMessage, type ParsedMessage } from '../inbound/parse';
import type { ParserPool } from '../inbound/parser-pool';
import type { IncomingMail } from '../inbound/types';

/** A fetched message, parsed, on its way to the store. */
export interface Prepared {
  key: string;
  message: ParsedMessage;
  /** The source as received: kept only for a configured handler. */
  raw?: Buffer;
}

/**
 * Parses a chunk's messages as they arrive: each buffered source goes to the parser pool at once
 * (a few at a time in this thread, or worker threads), so that parsing runs while the FETCH
 * streams; a streamed source is read to its end before the next one can come. Resolves once all
 * of the chunk is parsed.
 */
export async function prepareChunk(mails: AsyncIterable<IncomingMail>, parser: () => ParserPool, keepRaw: boolean): Promise<Prepared[]> {
  const parsing: Promise<Prepared>[] = [];
  try {
    for await (const mail of mails) {
      const { key, content } = mail;
      const prepared: Promise<Prepared> = Buffer.isBuffer(content)
        ? parser()
            .parse(content)
            .then((message) => ({ key, message, raw: keepRaw ? content : undefined }))
        : parseMessage(content, { keepRaw }).then(({ message, raw }) => ({ key, message, raw }));
      prepared.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
      parsing.push(prepared);
      if (!Buffer.isBuffer(content)) await prepared;
    }
  } catch (e) {
    await Promise.allSettled(parsing);
    throw e;
  }
  return Promise.all(parsing);
}
