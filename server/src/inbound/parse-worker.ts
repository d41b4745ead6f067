import { parentPort } from 'node:worker_threads';

import { parseMessage } from './parse';

/**
 * A parse worker (see parser-pool.ts): takes `{ id, source }` (the message source, transferred),
 * answers `{ id, message }` or `{ id, error }`. Built to dist/parse-worker/index.js.
 */
parentPort?.on('message', ({ id, source }: { id: number; source: Uint8Array }) => {
  parseMessage(Buffer.from(source.buffer, source.byteOffset, source.byteLength)).then(
    ({ message }) => parentPort!.postMessage({ id, message }),
    (e: Error) => parentPort!.postMessage({ id, error: { name: e?.name ?? 'Error', message: e?.message ?? String(e) } })
  );
});
