import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { keyId, pop3Key } from '../../server/src/inbound/keys';
import { currentKeys, generationKey, isAnotherMessage, messageIdHeader, uidlOf, type KnownReceipt } from '../../server/src/inbound/pop3/generations';

const ID = 'identity123';

/** Receipts as the database would answer `known` for them, and every lookup asked for. */
function receipts(rows: Record<string, KnownReceipt>) {
  const asked: string[][] = [];
  const known = async (keys: string[]) => {
    asked.push(keys);
    return new Map(keys.filter((k) => k in rows).map((k) => [k, rows[k]]));
  };
  return { known, asked };
}

describe('POP3 UIDLs given again: which key names the message on the server now', () => {
  test('the first message under a UIDL keeps the plain key (receipts stored before stay valid); later ones add a generation', () => {
    assert.equal(generationKey(ID, 'abc', 1), pop3Key(ID, 'abc'));
    assert.equal(generationKey(ID, 'abc', 2), `${pop3Key(ID, 'abc')} 2`);
    assert.equal(uidlOf(keyId(generationKey(ID, 'abc', 3), 'pop3', ID)!), 'abc');
    assert.equal(uidlOf(keyId(generationKey(ID, 'abc', 1), 'pop3', ID)!), 'abc');
    // a UIDL has no space (0x21-0x7E): "abc 2" cannot be another message's plain key
    assert.notEqual(generationKey(ID, 'abc', 2), pop3Key(ID, 'abc2'));
  });

  test('not recorded: new; recorded and still on the server (pending or done): the same message', async () => {
    const { known, asked } = receipts({ [pop3Key(ID, 'a')]: { actionDone: true }, [pop3Key(ID, 'b')]: { actionDone: false } });
    const { keys, known: found } = await currentKeys(['a', 'b', 'c'], ID, known);
    assert.deepEqual([...keys.values()], [pop3Key(ID, 'a'), pop3Key(ID, 'b'), pop3Key(ID, 'c')]);
    assert.equal(found.has(pop3Key(ID, 'c')), false, 'c is new');
    assert.equal(asked.length, 1, 'one lookup when no UIDL was given again');
  });

  test('recorded and known to be gone (deleted by the action): the message under that UIDL is a new one', async () => {
    const { known, asked } = receipts({
      [pop3Key(ID, 'a')]: { actionDone: true, removed: true },
      [pop3Key(ID, 'b')]: { actionDone: true, removed: true },
      [generationKey(ID, 'b', 2)]: { actionDone: true, removed: true },
      [generationKey(ID, 'b', 3)]: { actionDone: false },
    });
    const { keys, known: found } = await currentKeys(['a', 'b'], ID, known);
    assert.equal(keys.get('a'), generationKey(ID, 'a', 2));
    assert.equal(found.has(keys.get('a')!), false, 'a names a new message (its second)');
    assert.equal(keys.get('b'), generationKey(ID, 'b', 3), 'b is its third message, recorded, its deletion pending');
    assert.equal(found.get(keys.get('b')!)?.actionDone, false);
    assert.deepEqual(asked.map((k) => k.length), [2, 2, 1], 'one lookup per generation looked at');
  });

  test('a pending deletion whose UIDL now names a message with another Message-ID is another message; missing ids count as the same', () => {
    assert.equal(messageIdHeader(['From: a@b', 'Message-ID:', ' <x@y>', 'Subject: s']), '<x@y>', 'folded');
    assert.equal(messageIdHeader(['message-id: <x@y>']), '<x@y>');
    assert.equal(messageIdHeader(['Subject: none']), null);
    assert.equal(isAnotherMessage('<x@y>', '<z@y>'), true);
    assert.equal(isAnotherMessage('<x@y>', '<x@y>'), false);
    assert.equal(isAnotherMessage(null, '<x@y>'), false, 'a handler message has no stored Message-ID');
    assert.equal(isAnotherMessage('<x@y>', null), false);
  });
});
