// The text export gives every receipt HTML and PDF give: when a message of the owner's was delivered and when
// it was read (the delivery was left out once it was read), and when a voice message someone sent was played.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addMessage, exportChat, NORMAL_DATE, SECOND, smallChat } from '../robust/support.js';

describe('receipts in txt', () => {
  it('says delivered and read, and played', async () => {
    const { dir, db, chat } = await smallChat('receipts-txt', (d) => {
      const handle = d.prepare('SELECT handle_id FROM chat_handle_join ORDER BY chat_id LIMIT 1').pluck().get() as number;
      addMessage(d, { text: 'are you there', date_delivered: NORMAL_DATE + 5n * SECOND, date_read: NORMAL_DATE + 125n * SECOND });
      addMessage(d, { text: 'a voice message', is_from_me: 0, handle_id: handle, is_audio_message: 1, date: NORMAL_DATE + 60n * SECOND, date_played: NORMAL_DATE + 200n * SECOND });
    });
    const out = join(dir, 'out');
    await exportChat(db, chat, out, 'txt');
    const text = readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.txt'))!), 'utf8');
    expect(text).toContain('are you there\n  ✓ Delivered 2023-03-05 00:00:05\n  ✓ Read 2023-03-05 00:02:05\n');
    expect(text).toContain('a voice message\n  ▶ Played 2023-03-05 00:03:20\n');
  });
});
