// When an edited message took its present wording, and when a message was unsent, in every format: the real
// edit history (Edited.plist) records the time of each version, the last one included.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { encodeBody } from '../../src/generate/attributed-body.js';
import { encodeSummaryInfo } from '../../src/generate/summary-info.js';
import { addMessage, makeBase, spoiledCopy } from '../robust/support.js';
import { FIXTURES, runCli, tempDir } from '../support/cli.js';

const EDITED = join(FIXTURES, 'apple', 'edited_message');
const appleNs = (iso: string) => BigInt(Date.parse(iso) - Date.UTC(2001, 0, 1)) * 1_000_000n;

describe.skipIf(!existsSync(EDITED))('edit and unsend times (real message_summary_info from ../shared/fixtures)', () => {
  it('gives the time of the last edit and of the unsending in txt, JSON, HTML and PDF', async () => {
    const dir = tempDir('edit-times');
    let chat = '';
    const db = spoiledCopy(await makeBase(dir, 30), dir, 'edits', (d) => {
      // Edited.plist: "First message  " 01:17:54 → "Edit 1" → "Edit 2" → "Edited message" 01:18:14 (UTC, 2022-11-19).
      chat = addMessage(d, {
        text: 'Edited message', attributedBody: encodeBody([{ text: 'Edited message', part: 0 }]).blob, date: appleNs('2022-11-19T01:17:50Z'),
        date_edited: appleNs('2022-11-19T01:18:14Z'), message_summary_info: readFileSync(join(EDITED, 'Edited.plist')),
      }, 'EDITED').chat;
      addMessage(d, {
        text: null, attributedBody: null, date: appleNs('2022-11-19T02:00:00Z'),
        date_retracted: appleNs('2022-11-19T02:01:07Z'), message_summary_info: readFileSync(join(EDITED, 'Deleted.plist')),
      }, 'UNSENT');
    });
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,json,html,pdf', '--chat', chat, '--exact', '--timezone', 'UTC', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const file = (ext: string) => join(out, readdirSync(out).find((f) => f.endsWith(ext))!);

    const txt = readFileSync(file('.txt'), 'utf8');
    expect(txt).toContain('Edited message\n  ✎ Edited 2022-11-19 01:18:14. Earlier versions:\n      2022-11-19 01:17:54: “First message  ”\n');
    expect(txt).toContain('[This part of the message was unsent at 2022-11-19 02:01:07]');

    const messages = JSON.parse(readFileSync(file('.json'), 'utf8')).messages as { guid: string; parts: Record<string, unknown>[] }[];
    const part = (guid: string) => messages.find((m) => m.guid === guid)!.parts[0]!;
    expect(part('EDITED').editedAt).toBe('2022-11-19T01:18:14.012+00:00');
    expect((part('EDITED').edits as unknown[]).length).toBe(3);
    expect(part('UNSENT')).toMatchObject({ kind: 'unsent', unsentAt: '2022-11-19T02:01:07.000+00:00' });

    const page = readdirSync(join(out, 'conversations'), { recursive: true }).map(String).find((f) => f.endsWith('.html'))!;
    const html = readFileSync(join(out, 'conversations', page), 'utf8');
    expect(html).toContain(' · Edited 01:18</div>');
    expect(html).toMatch(/You unsent a message at <span title="2022-11-19 02:01:07">02:01<\/span>/);

    const pdf = execFileSync('pdftotext', [file('.pdf'), '-'], { encoding: 'utf8' });
    expect(pdf).toContain('Edited 01:18');
    expect(pdf).toContain('You unsent a message at 02:01');
  });
});

describe('a part edited, then unsent', () => {
  it('says when its last version was written, in txt, JSON, HTML and PDF', async () => {
    const dir = tempDir('edit-unsent');
    const at = (iso: string) => ({ ms: Date.parse(iso), nanos: 500_000 });
    let chat = '';
    const db = spoiledCopy(await makeBase(dir, 30), dir, 'unsent', (d) => {
      const versions = [
        { runs: [{ text: 'See you at 5', part: 0 }], at: at('2022-11-19T02:00:00Z'), guid: 'V1' },
        { runs: [{ text: 'See you at 6', part: 0 }], at: at('2022-11-19T02:00:20Z'), guid: 'V2' },
      ];
      chat = addMessage(d, {
        text: null, attributedBody: null, date: appleNs('2022-11-19T02:00:00Z'), date_retracted: appleNs('2022-11-19T03:01:07Z'),
        message_summary_info: encodeSummaryInfo({ partRanges: [[0, 12]], edits: new Map([[0, versions]]), unsentParts: [0] }),
      }, 'UNSENT-EDITED').chat;
    });
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,json,html,pdf', '--chat', chat, '--exact', '--timezone', 'UTC', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const file = (ext: string) => join(out, readdirSync(out).find((f) => f.endsWith(ext))!);

    expect(readFileSync(file('.txt'), 'utf8')).toContain('[This part of the message was unsent at 2022-11-19 03:01:07]\n  ✎ Edited 2022-11-19 02:00:20. Earlier versions:\n');
    const messages = JSON.parse(readFileSync(file('.json'), 'utf8')).messages as { guid: string; parts: Record<string, unknown>[] }[];
    expect(messages.find((m) => m.guid === 'UNSENT-EDITED')!.parts[0]).toMatchObject({ kind: 'unsent', editedAt: '2022-11-19T02:00:20.000+00:00' });
    const page = readdirSync(join(out, 'conversations'), { recursive: true }).map(String).find((f) => f.endsWith('.html'))!;
    expect(readFileSync(join(out, 'conversations', page), 'utf8')).toContain(' · Edited 02:00</div>');
    expect(execFileSync('pdftotext', [file('.pdf'), '-'], { encoding: 'utf8' })).toContain('Edited 02:00');
  });
});
