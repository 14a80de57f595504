// Which service carried a message (SMS, RCS) is said in HTML and both PDF styles, as txt, JSON and CSV say it:
// colour alone did not tell an SMS from an RCS message, nor a received SMS from an iMessage.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { encodeBody } from '../../src/generate/attributed-body.js';
import { addMessage, makeBase, spoiledCopy } from '../robust/support.js';
import { runCli, tempDir } from '../support/cli.js';

describe('the service under a message', () => {
  it('names SMS and RCS in HTML and in chat and transcript PDFs, never iMessage', async () => {
    const dir = tempDir('service-label');
    let chat = '';
    const db = spoiledCopy(await makeBase(dir, 30), dir, 'services', (d) => {
      const body = (text: string) => ({ text, attributedBody: encodeBody([{ text, part: 0 }]).blob });
      chat = addMessage(d, { ...body('carried by sms'), service: 'SMS' }, 'BY-SMS').chat;
      addMessage(d, { ...body('carried by rcs'), service: 'RCS', date: 699_667_260_000_000_000n }, 'BY-RCS');
      addMessage(d, { ...body('carried by imessage'), date: 699_667_320_000_000_000n }, 'BY-IMESSAGE');
    });
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'html,pdf', '--chat', chat, '--exact', '--timezone', 'UTC', '--quiet']);
    expect(result.code, result.stderr).toBe(0);

    const page = readdirSync(join(out, 'conversations'), { recursive: true }).map(String).find((f) => f.endsWith('.html'))!;
    const html = readFileSync(join(out, 'conversations', page), 'utf8');
    const meta = (text: string) => /<div class="meta">(.*?)<\/div>/.exec(html.slice(html.indexOf(text)))![1]!.replace(/<[^>]+>/g, '');
    expect(meta('carried by sms')).toMatch(/^\d\d:\d\d · SMS/);
    expect(meta('carried by rcs')).toMatch(/^\d\d:\d\d · RCS/);
    expect(meta('carried by imessage')).not.toMatch(/iMessage/);

    const pdf = readdirSync(out).find((f) => f.endsWith('.pdf'))!;
    const chatText = execFileSync('pdftotext', ['-layout', join(out, pdf), '-'], { encoding: 'utf8' });
    expect(chatText).toMatch(/carried by sms\s+\d\d:\d\d:\d\d · SMS/);
    expect(chatText).toMatch(/carried by rcs\s+\d\d:\d\d:\d\d · RCS/);
    expect(chatText).toMatch(/carried by imessage\s+\d\d:\d\d:\d\d\n/);

    const transcript = join(dir, 'transcript');
    expect((await runCli(['export', '--db', db, '--out', transcript, '--format', 'pdf', '--pdf-style', 'transcript', '--chat', chat, '--exact', '--quiet'])).code).toBe(0);
    const rows = execFileSync('pdftotext', ['-layout', join(transcript, pdf), '-'], { encoding: 'utf8' });
    expect(rows).toMatch(/carried by sms\n.*\(SMS\)/);
    expect(rows).toMatch(/carried by rcs\n.*\(RCS\)/);
  });
});

describe('the services in a conversation header', () => {
  it('names a chat over satellite as the notes beside its messages do, in txt and HTML', async () => {
    const dir = tempDir('services-line');
    const db = join(dir, 'chat.db');
    await generateChatDb({ path: db, messages: 200, seed: 7 });
    const sqlite = new Database(db);
    const group = sqlite.prepare(`SELECT ROWID AS id, guid, display_name AS name FROM chat WHERE style = 43 AND display_name != '' ORDER BY ROWID LIMIT 1`).get() as { id: number; guid: string; name: string };
    sqlite.prepare(`UPDATE chat SET service_name = 'iMessageLite' WHERE ROWID = ?`).run(group.id);
    sqlite.close();
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,html', '--chat', group.guid, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const header = readFileSync(join(out, `${group.name}.txt`), 'utf8').split('\n\n')[0]!;
    expect(header).toContain('\nServices: iMessage via satellite\n');
    const html = readFileSync(join(out, 'conversations', group.name, 'p1.html'), 'utf8');
    expect(/<p class="range">(.*?)<\/p>/.exec(html)![1]).toMatch(/ · iMessage via satellite$/);
    expect(html).not.toContain('iMessageLite');
  });
});
