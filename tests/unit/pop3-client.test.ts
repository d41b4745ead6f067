import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';

import { Pop3Client } from '../../server/src/inbound/pop3/client';

/**
 * A scripted POP3 server that writes its answers in awkward pieces (one byte, splits inside
 * CRLF and inside the terminating ".\r\n"), so that the client's line handling is tested
 * where real networks put packet boundaries.
 */
const MESSAGE = Buffer.concat([
  Buffer.from('Subject: dots\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n'),
  Buffer.from('..leading dot\r\n.\r\n', 'latin1').subarray(0, 15), // "..leading dot\r\n": a stuffed dot
  Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0d, 0x0a]), // "café" in Latin-1: 8-bit must pass untouched
  Buffer.from('...two stuffed\r\nlast line\r\n'),
]);
const UNSTUFFED = Buffer.concat([
  Buffer.from('Subject: dots\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n'),
  Buffer.from('.leading dot\r\n'),
  Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0d, 0x0a]),
  Buffer.from('..two stuffed\r\nlast line\r\n'),
]);

describe('Pop3Client', () => {
  let server: Server;
  let port: number;
  const seen: string[] = [];

  async function writeInPieces(socket: Socket, data: Buffer) {
    const sizes = [1, 2, 3, 1, 5, 7, 1];
    for (let i = 0, k = 0; i < data.length; k++) {
      const n = sizes[k % sizes.length];
      socket.write(data.subarray(i, i + n));
      i += n;
      await new Promise((r) => setImmediate(r));
    }
  }

  before(async () => {
    server = createServer((socket) => {
      void writeInPieces(socket, Buffer.from('+OK ready\r\n'));
      let buffer = '';
      socket.on('data', async (chunk) => {
        buffer += chunk.toString('latin1');
        let i;
        while ((i = buffer.indexOf('\r\n')) >= 0) {
          const line = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          seen.push(line);
          const [cmd] = line.split(' ');
          if (cmd === 'CAPA') await writeInPieces(socket, Buffer.from('+OK\r\nUIDL\r\nSASL XOAUTH2\r\n.\r\n'));
          else if (cmd === 'USER' || cmd === 'PASS') await writeInPieces(socket, Buffer.from(line === 'PASS wrong' ? '-ERR [AUTH] Authentication failed.\r\n' : '+OK\r\n'));
          else if (cmd === 'UIDL') await writeInPieces(socket, Buffer.from('+OK\r\n1 uid-one\r\n2 uid-two\r\n.\r\n'));
          else if (cmd === 'RETR') await writeInPieces(socket, Buffer.concat([Buffer.from(`+OK ${MESSAGE.length} octets\r\n`), MESSAGE, Buffer.from('.\r\n')]));
          else if (cmd === 'STAT') await writeInPieces(socket, Buffer.from('+OK 2 320\r\n'));
          else if (cmd === 'QUIT') {
            await writeInPieces(socket, Buffer.from('+OK bye\r\n'));
            socket.end();
          } else await writeInPieces(socket, Buffer.from('-ERR unknown\r\n'));
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const connect = () => Pop3Client.connect({ host: '127.0.0.1', port, security: 'none', tls: {}, timeout: 2000 });

  test('CAPA, login, UIDL, a streamed RETR with dot-unstuffing and 8-bit bytes, STAT and QUIT', async () => {
    const client = await connect();
    assert.ok(client.capabilities.has('UIDL'));
    assert.ok(client.saslMechanisms.has('XOAUTH2'));
    await client.login('user', 'secret');
    assert.deepEqual(await client.uidl(), [
      { number: 1, uidl: 'uid-one' },
      { number: 2, uidl: 'uid-two' },
    ]);
    const stream = await client.retrieve(1);
    const parts: Buffer[] = [];
    for await (const part of stream) parts.push(part as Buffer);
    assert.deepEqual(Buffer.concat(parts), UNSTUFFED);
    assert.deepEqual(await client.stat(), { messages: 2, size: 320 });
    await client.quit();
  });

  test('a refused password is an authentication failure with the server\'s text', async () => {
    const client = await connect();
    await assert.rejects(client.login('user', 'wrong'), (e: any) => e.authenticationFailed === true && /Authentication failed/.test(e.serverText));
    client.destroy();
  });

  test('XOAUTH2 with a short token rides on the AUTH line (the two-line form is tested against Dovecot)', async () => {
    const client = await connect();
    seen.length = 0;
    // the scripted server answers "-ERR unknown" to AUTH: both forms must still be sent right
    await assert.rejects(client.authenticateToken('user@example.test', 'tok', { initialResponse: 'auto' }));
    assert.match(seen[0], /^AUTH XOAUTH2 [A-Za-z0-9+/=]+$/);
    client.destroy();
  });
});
