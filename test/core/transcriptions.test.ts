// A voice message's transcription in CSV and in the transcript PDF, as txt and the chat PDF give it: a review
// tool reading the CSV saw an empty text and a .caf file. The transcript PDF also gives a sticker's description
// (the real chat.db from ../shared/fixtures).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArchivedNumber, ArchivedString, AttributeDictionary, encodeAttributedString } from '../../src/generate/typedstream-writer.js';
import { addMessage, exportChat, smallChat } from '../robust/support.js';
import { FIXTURES, runCli, tempDir } from '../support/cli.js';

const SAID = 'Call me back when you land, the gate changed';

/** A voice message's body as Messages writes it: one attachment run carrying IMAudioTranscription. */
function voiceBody(guid: string): Buffer {
  const dictionary = new AttributeDictionary([
    [new ArchivedString('__kIMFileTransferGUIDAttributeName'), new ArchivedString(guid)],
    [new ArchivedString('IMAudioTranscription'), new ArchivedString(SAID)],
    [new ArchivedString('__kIMMessagePartAttributeName'), new ArchivedNumber('i', 0)],
  ]);
  return encodeAttributedString('\ufffc', [{ length: 1, dictionary }]);
}

const pdfText = (folder: string) => execFileSync('pdftotext', [join(folder, readdirSync(folder).find((f) => f.endsWith('.pdf'))!), '-'], { encoding: 'utf8' });

describe('voice message transcriptions', () => {
  it('are in CSV after the file, and in the transcript PDF under it, as in txt', async () => {
    const { dir, db, chat } = await smallChat('csv-transcription', (d) => {
      const { guid } = addMessage(d, { text: '\ufffc', attributedBody: voiceBody('AUDIO-1'), is_audio_message: 1, cache_has_attachments: 1 }, 'VOICE');
      addMessage(d, { text: 'and a text' });
      const message = d.prepare('SELECT ROWID FROM message WHERE guid = ?').pluck().get(guid) as number;
      const id = d.prepare("INSERT INTO attachment (guid, original_guid, filename, mime_type, transfer_name, total_bytes) VALUES ('AUDIO-1', 'AUDIO-1', '~/Library/Messages/Attachments/zz/AUDIO-1/Audio Message.caf', 'audio/x-caf', 'Audio Message.caf', 100)").run().lastInsertRowid;
      d.prepare('INSERT INTO message_attachment_join (message_id, attachment_id) VALUES (?, ?)').run(message, id);
    });
    const out = join(dir, 'out');
    await exportChat(db, chat, out, 'csv,txt,pdf', ['--pdf-style', 'transcript']);
    const read = (ext: string) => readFileSync(join(out, readdirSync(out).find((f) => f.endsWith(ext))!), 'utf8');
    expect(read('.txt')).toContain(`  Transcription: “${SAID}”`);
    const row = read('.csv').split('\r\n').find((line) => line.includes('Audio Message.caf'));
    expect(row).toContain(`Audio Message.caf (missing) — transcription: “${SAID}”`);
    expect(pdfText(out).replace(/\s+/g, ' ')).toContain(`Audio Message.caf Audio · audio/x-caf · 100 B · missing “${SAID}”`);
  });

  it.skipIf(!existsSync(join(FIXTURES, 'apple', 'db', 'test.db')))('leave a sticker its app, and no description that is only an unlocalized key, in the transcript PDF, CSV and JSON', async () => {
    const out = join(tempDir('sticker-description'), 'out');
    const result = await runCli(['export', '--db', join(FIXTURES, 'apple', 'db', 'test.db'), '--out', out, '--format', 'pdf,csv,json,txt', '--pdf-style', 'transcript', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const read = (ext: string) => readFileSync(join(out, readdirSync(out).find((f) => f.endsWith(ext))!), 'utf8');
    for (const text of [pdfText(out), read('.csv'), read('.json'), read('.txt')]) expect(text).not.toContain('accessibilityLabel');
    expect(read('.csv')).toContain('289D9E83-33EE-4153-AF13-43DB31792C6F.heic (missing) — sticker (Free People)');
  });
});
