// A group photo change carries the new photo as its attachment: it was copied into the archive and listed in
// JSON and CSV, but txt, HTML and PDF showed the sentence alone.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { makeBase, NORMAL_DATE, spoiledCopy } from '../robust/support.js';
import { runCli, tempDir } from '../support/cli.js';

describe('a group photo change', () => {
  it('shows the new photo under its sentence in txt, HTML and PDF', async () => {
    const dir = tempDir('group-photo');
    const base = await makeBase(dir, 60);
    const photo = join(base, '..', 'Attachments', 'gp', 'GP-1', 'group.png');
    mkdirSync(join(photo, '..'), { recursive: true });
    await sharp({ create: { width: 300, height: 300, channels: 3, background: '#2a9df4' } }).png().toFile(photo);
    let group = '';
    const db = spoiledCopy(base, dir, 'photo', (d) => {
      const chat = d.prepare('SELECT ROWID AS id, chat_identifier AS identifier FROM chat WHERE style = 43 ORDER BY ROWID LIMIT 1').get() as { id: number; identifier: string };
      group = chat.identifier;
      const actor = d.prepare('SELECT handle_id FROM chat_handle_join WHERE chat_id = ? LIMIT 1').pluck().get(chat.id) as number;
      const message = d.prepare("INSERT INTO message (guid, handle_id, is_from_me, service, date, item_type, group_action_type, cache_has_attachments) VALUES ('PHOTO-CHANGE', ?, 0, 'iMessage', ?, 3, 1, 1)").run(actor, NORMAL_DATE).lastInsertRowid;
      d.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)').run(chat.id, message, NORMAL_DATE);
      const attachment = d.prepare("INSERT INTO attachment (guid, original_guid, filename, mime_type, transfer_name, total_bytes) VALUES ('GP-1', 'GP-1', '~/Library/Messages/Attachments/gp/GP-1/group.png', 'image/png', 'group.png', 100)").run().lastInsertRowid;
      d.prepare('INSERT INTO message_attachment_join (message_id, attachment_id) VALUES (?, ?)').run(message, attachment);
    });
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,html,pdf', '--chat', group, '--since', '2023-03-04', '--until', '2023-03-05', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const file = (ext: string) => join(out, readdirSync(out).find((f) => f.endsWith(ext))!);

    // The size shown is the copy's (about 2 KB), not the row's total_bytes (100).
    expect(readFileSync(file('.txt'), 'utf8')).toMatch(/changed the group photo\.\n {2}\[Attachment: group\.png \(image\/png, \d\.\d KB\) — in this archive as attachments\/.+\/group\.png\]\n/);
    const pages = readdirSync(join(out, 'conversations'), { recursive: true }).map(String).filter((f) => f.endsWith('.html'));
    const html = pages.map((page) => readFileSync(join(out, 'conversations', page), 'utf8')).join('');
    expect(html).toMatch(/changed the group photo\. · [\d:]+<\/span><div class="event-file"><a href="[^"]+"><img src="[^"]+" alt="Photo group\.png"/);
    // The event is the only message of those days: its photo is the PDF's only picture (emoji aside, drawn as PNGs).
    const pictures = execFileSync('pdfimages', ['-list', file('.pdf')], { encoding: 'utf8' }).split('\n').filter((line) => / image .* jpeg /.test(line));
    expect(pictures).toHaveLength(1);
  });
});
