// Location sharing as Messages records it (item_type 4): share_status says whether the sharing began (0) or
// ended (1), and share_direction 0 with an other_handle marks the owner's own sharing, even on a row stored
// as received. Both read "… shared their location." before, the end of a sharing as its start.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addMessage, makeBase, NORMAL_DATE, spoiledCopy } from '../robust/support.js';
import { runCli, tempDir } from '../support/cli.js';

const MINUTE = 60_000_000_000n;

describe('location sharing', () => {
  it('says who started and who stopped sharing, in txt and JSON', async () => {
    const dir = tempDir('location-sharing');
    let chat = '';
    let name = '';
    const db = spoiledCopy(await makeBase(dir, 30), dir, 'location', (d) => {
      const first = d.prepare('SELECT c.ROWID AS id, j.handle_id AS handle FROM chat c JOIN chat_handle_join j ON j.chat_id = c.ROWID WHERE c.style = 45 ORDER BY c.ROWID LIMIT 1').get() as { id: number; handle: number };
      name = d.prepare('SELECT id FROM handle WHERE ROWID = ?').pluck().get(first.handle) as string;
      const share = (status: number, direction: number, minutes: bigint, guid: string) => addMessage(d, {
        text: null, attributedBody: null, is_from_me: 0, handle_id: first.handle, item_type: 4, share_status: status, share_direction: direction,
        other_handle: direction === 0 ? first.handle : 0, date: NORMAL_DATE + minutes * MINUTE,
      }, guid);
      chat = share(0, 1, 1n, 'THEY-START').chat;
      share(1, 1, 2n, 'THEY-STOP');
      share(0, 0, 3n, 'I-START');
      share(1, 0, 4n, 'I-STOP');
    });
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,json', '--chat', chat, '--exact', '--timezone', 'UTC', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const read = (ext: string) => readFileSync(join(out, readdirSync(out).find((f) => f.endsWith(ext))!), 'utf8');
    const txt = read('.txt');
    expect(txt).toContain(`[2023-03-05 00:01:00] — ${name} started sharing their location.\n`);
    expect(txt).toContain(`[2023-03-05 00:02:00] — ${name} stopped sharing their location.\n`);
    expect(txt).toContain(`[2023-03-05 00:03:00] — You started sharing your location with ${name}.\n`);
    expect(txt).toContain(`[2023-03-05 00:04:00] — You stopped sharing your location with ${name}.\n`);
    const messages = JSON.parse(read('.json')).messages as { guid: string; isFromMe: boolean }[];
    expect(messages.filter((m) => m.guid.startsWith('I-')).map((m) => m.isFromMe)).toEqual([true, true]);
  });
});
