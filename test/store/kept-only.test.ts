import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJsonFiles } from '../data/support.js';
import { runCli, tempDir } from '../support/cli.js';
import { deviceSlice, exportFrom, generateHistory, transcripts, type History } from './device.js';

const FORMATS = 'txt,html,json,pdf';
const MARK = 'Kept by this archive: not on the device since ';
const NO_ORIGINAL = /(Replying|Reply|In reply) to a message that is not in this archive/g;

/** A reply and the message it answers, GUIDs and Apple-time dates. */
interface Reply {
  guid: string;
  sent: number;
  target: number;
}

/**
 * The reply whose original was sent last, with a group event before that original: a device that purged everything
 * up to the original (its "Keep Messages" setting) still has the reply, and lacks the event.
 */
function lateReply(history: History): Reply {
  const db = new Database(join(history.dir, 'chat.db'), { readonly: true });
  try {
    return db.prepare(`SELECT r.guid, r.date AS sent, t.date AS target FROM message r JOIN message t ON t.guid = r.thread_originator_guid
      WHERE EXISTS (SELECT 1 FROM message e WHERE e.item_type != 0 AND e.date < t.date) ORDER BY t.date DESC LIMIT 1`).get() as Reply;
  } finally {
    db.close();
  }
}

/**
 * The last removal of a reaction after which its conversation goes on (the GUID of the message it took the reaction
 * from, and when): a device that purged everything before it still has the conversation, and the removal.
 */
function lateRemoval(history: History): { target: string; sent: number } {
  const db = new Database(join(history.dir, 'chat.db'), { readonly: true });
  try {
    return db.prepare(`SELECT substr(x.associated_message_guid, instr(x.associated_message_guid, '/') + 1) AS target, x.date AS sent
      FROM message x JOIN chat_message_join j ON j.message_id = x.ROWID WHERE x.associated_message_type BETWEEN 3000 AND 3006
        AND EXISTS (SELECT 1 FROM chat_message_join k JOIN message m ON m.ROWID = k.message_id WHERE k.chat_id = j.chat_id AND m.associated_message_type = 0 AND m.date > x.date)
      ORDER BY x.date DESC LIMIT 1`).get() as { target: string; sent: number };
  } finally {
    db.close();
  }
}

/** A message's reactions, as its JSON gives them. */
function tapbacksOf(out: string, guid: string): unknown[] {
  for (const file of readJsonFiles(out).values()) {
    const message = file.messages.find((m) => m.guid === guid);
    if (message) return message.parts.flatMap((part) => part.tapbacks);
  }
  throw new Error(`no message ${guid} in ${out}`);
}

/** What a message's JSON says it replies to. */
function replyOf(out: string, guid: string): unknown {
  for (const file of readJsonFiles(out).values()) {
    const message = file.messages.find((m) => m.guid === guid);
    if (message) return message.replyTo;
  }
  throw new Error(`no message ${guid} in ${out}`);
}

function allOf(out: string, extension: string): string {
  return readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith(extension)).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
}

function pdfText(out: string): string {
  return readdirSync(out).filter((f) => f.endsWith('.pdf')).map((f) => execFileSync('pdftotext', [join(out, f), '-'], { encoding: 'utf8' })).join('').replace(/\s+/g, ' ');
}

const count = (text: string, what: string | RegExp) => (typeof what === 'string' ? text.split(what).length - 1 : (text.match(what) ?? []).length);

describe('what only the archive keeps, after the device purged it', () => {
  let history: History;
  let reply: Reply;
  let reference: string;
  let archive: string;
  let before: string;
  let after: string;

  beforeAll(async () => {
    history = await generateHistory(900, 5, 6);
    reply = lateReply(history);
    const work = tempDir('kept-only');
    reference = join(work, 'reference');
    await exportFrom(history.dir, reference, FORMATS);
    // The device before the reply was sent, then after it purged the original (a millisecond apart: Apple's
    // nanoseconds are more than a JavaScript number holds exactly).
    before = deviceSlice(history, undefined, reply.sent - 1e6);
    after = deviceSlice(history, reply.target + 1e6, undefined);
    archive = join(work, 'archive');
    await exportFrom(before, archive, FORMATS);
    await exportFrom(after, archive, FORMATS);
  });

  it('quotes the original of a reply in every format, as an export of the whole history does', async () => {
    const quoted = replyOf(reference, reply.guid);
    expect(quoted).toHaveProperty('target');
    expect(replyOf(archive, reply.guid)).toEqual(quoted);
    expect(count(allOf(archive, '.txt'), NO_ORIGINAL)).toBe(count(allOf(reference, '.txt'), NO_ORIGINAL));
    expect(count(allOf(archive, '.html'), NO_ORIGINAL)).toBe(count(allOf(reference, '.html'), NO_ORIGINAL));
    expect(count(pdfText(archive), NO_ORIGINAL)).toBe(count(pdfText(reference), NO_ORIGINAL));

    // So does an export from the archive alone.
    const copy = join(tempDir('kept-only-copy'), 'out');
    expect((await runCli(['export', '--archive', archive, '--out', copy, '--format', 'txt,json', '--quiet'])).code).toBe(0);
    expect(replyOf(copy, reply.guid)).toEqual(quoted);
    expect(count(allOf(copy, '.txt'), NO_ORIGINAL)).toBe(count(allOf(reference, '.txt'), NO_ORIGINAL));
  });

  it('quotes it when the original comes in after the reply (the purged device read first)', async () => {
    const out = join(tempDir('kept-only-reversed'), 'archive');
    await exportFrom(after, out, 'txt,json');
    expect(replyOf(out, reply.guid)).not.toHaveProperty('target');
    await exportFrom(before, out, 'txt,json');
    expect(replyOf(out, reply.guid)).toEqual(replyOf(reference, reply.guid));
  });

  it('marks a reaction taken back once the device had purged its message, as the device read with the message shows it', async () => {
    const removal = lateRemoval(history);
    const work = tempDir('kept-only-removal');
    const reacted = deviceSlice(history, undefined, removal.sent);
    const kept = join(work, 'kept');
    await exportFrom(reacted, kept, 'txt,json');
    await exportFrom(deviceSlice(history, removal.sent, undefined), kept, 'txt,json');
    const read = join(work, 'read');
    await exportFrom(reacted, read, 'txt,json');
    await exportFrom(history.dir, read, 'txt,json');

    const tapbacks = tapbacksOf(read, removal.target);
    expect(tapbacks).toContainEqual(expect.objectContaining({ removedAt: expect.any(String) }));
    expect(tapbacksOf(kept, removal.target)).toEqual(tapbacks);
    const removedLines = (out: string) => [...transcripts(out).values()].flatMap((text) => text.split('\n').filter((line) => /^ {2}\S.* \(removed [\d-]+\)$/.test(line)));
    expect(removedLines(read).length).toBeGreaterThan(0);
    expect(removedLines(kept)).toEqual(removedLines(read));
  });

  it('marks the group events it kept in txt, HTML and PDF, as many as each header counts', async () => {
    let kept = 0;
    let events = 0;
    for (const [name, text] of transcripts(archive)) {
      const header = /^Kept by this archive: ([\d,]+) messages? no longer in the sources/m.exec(text);
      expect(header ? Number(header[1]!.replace(/,/g, '')) : 0, name).toBe(count(text, MARK));
      kept += count(text, MARK);
      events += count(text, new RegExp(`^\\[[^\\]]+\\] — .*\\n {2}⌫ ${MARK}`, 'gm'));
    }
    expect(events).toBeGreaterThan(0);
    const html = allOf(archive, '.html');
    expect(count(html, new RegExp(`<li class="event"[^\\n]*${MARK.replace('since ', 'since <span class="date">')}`, 'g'))).toBe(events);
    expect(count(pdfText(archive), MARK)).toBeGreaterThanOrEqual(kept);
  });
});
