// A message Messages sent as SMS after iMessage failed ("Sent as Text Message" on the phone) says so, not only
// "SMS": in an iMessage conversation the reader learns why it went another way.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addMessage, exportChat, fileOf, NORMAL_DATE, SECOND, smallChat } from '../robust/support.js';
import { schemaValidators } from '../data/support.js';

describe('a message sent as SMS after iMessage failed', () => {
  it('says so in txt, HTML and JSON; an SMS sent as such says SMS alone', async () => {
    const { dir, db, chat } = await smallChat('downgraded', (d) => {
      addMessage(d, { text: 'went as a text', service: 'SMS', was_downgraded: 1 });
      addMessage(d, { text: 'a plain text', service: 'SMS', date: NORMAL_DATE + 60n * SECOND });
    });
    const out = join(dir, 'out');
    await exportChat(db, chat, out, 'txt,html,json');
    expect(fileOf(out, '.txt')).toContain('] Me (SMS, sent after iMessage failed):\nwent as a text\n');
    expect(fileOf(out, '.txt')).toContain('] Me (SMS):\na plain text\n');
    expect(fileOf(out, 'p1.html')).toMatch(/went as a text.*?<div class="meta">[^\n]*· SMS, sent after iMessage failed/s);
    const json = JSON.parse(fileOf(out, '.json')) as { messages: { text: string; downgraded?: boolean }[] };
    expect(schemaValidators().conversation(json)).toBe('');
    expect(json.messages.filter((m) => m.downgraded).map((m) => m.text)).toEqual(['went as a text']);
  });
});
