import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';

describe('contact names from a .vcf file', () => {
  const dir = tempDir('contacts');
  const db = join(dir, 'chat.db');
  let phone: string;
  let email: string;

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 1200, seed: 9 });
    const sqlite = new Database(db, { readonly: true });
    const oneToOne = sqlite.prepare('SELECT DISTINCT chat_identifier FROM chat WHERE style = 45').pluck().all() as string[];
    sqlite.close();
    phone = oneToOne.find((h) => h.startsWith('+'))!;
    email = oneToOne.find((h) => h.includes('@'))!;
    // One card holds a phone (formatted as people type it) and an email (in other letter case).
    const national = `(${phone.slice(2, 5)}) ${phone.slice(5, 8)}-${phone.slice(8)}`;
    writeFileSync(join(dir, 'contacts.vcf'), [
      'BEGIN:VCARD', 'VERSION:3.0', 'FN:Chiara Rossi', 'N:Rossi;Chiara;;;', `TEL;TYPE=CELL:${national}`, `EMAIL:${email.toUpperCase()}`, 'END:VCARD', '',
    ].join('\r\n'));
  });

  it('shows names instead of numbers, merges one person’s phone and email, and finds them with --chat', async () => {
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--contacts', join(dir, 'contacts.vcf'), '--chat', 'chiara rossi', '--me', 'Sam', '--no-progress']);
    expect(result.code).toBe(0);
    // Her one-to-one conversation (phone and email as one) and the groups she is in.
    expect(readdirSync(out)).toContain('Chiara Rossi.txt');
    const files = readdirSync(out).filter((f) => f.endsWith('.txt'));
    const said = result.stderr.trim().split('\n');
    expect(said).toHaveLength(files.length);
    for (const line of said) expect(line).toMatch(/^selected “.+” \(.+\): Chiara Rossi \(.+\) takes part$/);
    const text = readFileSync(join(out, 'Chiara Rossi.txt'), 'utf8');
    expect(text).toMatch(/^Conversation: Chiara Rossi$/m);
    expect(text).toMatch(/\] Chiara Rossi( \(\w+\))?:$/m);
    expect(text).toMatch(/\] Sam( \(\w+\))?:$/m);
    expect(text).not.toMatch(new RegExp(`\\] ${phone.replace('+', '\\+')}`));
    const list = await runCli(['list', '--db', db, '--contacts', join(dir, 'contacts.vcf'), '--json']);
    const hers = (JSON.parse(list.stdout) as { title: string; participants: unknown[] }[]).filter((c) => c.title === 'Chiara Rossi');
    expect(hers).toHaveLength(1);
    // Both of her handles the conversation was read from are named, as a record of who wrote from where.
    expect(text).toContain(`Participants: Chiara Rossi (${phone}, ${email})`);
    expect(hers[0]!.participants).toEqual([{ handle: phone, name: 'Chiara Rossi', otherHandles: [email] }]);
  });

  it('a name folded inside a UTF-8 character is read whole', async () => {
    const name = Buffer.from(`FN:Chloé Ökafor`, 'utf8');
    const cut = name.indexOf(Buffer.from('Ö', 'utf8')) + 1;
    const vcf = join(dir, 'folded.vcf');
    writeFileSync(vcf, Buffer.concat([
      Buffer.from('BEGIN:VCARD\r\nVERSION:3.0\r\n'), name.subarray(0, cut), Buffer.from('\r\n '), name.subarray(cut),
      Buffer.from(`\r\nTEL:${phone}\r\nEND:VCARD\r\n`),
    ]));
    const list = await runCli(['list', '--db', db, '--contacts', vcf, '--json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { title: string }[]).map((c) => c.title)).toContain('Chloé Ökafor');
  });

  it('a --contacts file that names no one is a counted warning line, and the export goes on', async () => {
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'not a vCard\n');
    const result = await runCli(['export', '--db', db, '--out', join(dir, 'out-notes'), '--contacts', notes, '--format', 'txt', '--no-progress']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^warning: No contacts in .*notes\.txt \(a \.vcf file, an AddressBook folder or an AddressBook\.sqlitedb was expected\)$/m);
    expect(result.stdout).toMatch(/, 1 warning in /);
  });
});
