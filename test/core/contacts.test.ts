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

  it('shows names instead of numbers, merges one person’s phone and email, and finds them with --chat', () => {
    const out = join(dir, 'out');
    const result = runCli(['export', '--db', db, '--out', out, '--contacts', join(dir, 'contacts.vcf'), '--chat', 'chiara', '--me', 'Sam']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readdirSync(out).filter((f) => f !== 'SHA256SUMS')).toEqual(['Chiara Rossi.txt']);
    const text = readFileSync(join(out, 'Chiara Rossi.txt'), 'utf8');
    expect(text).toMatch(/^Conversation: Chiara Rossi$/m);
    expect(text).toMatch(/\] Chiara Rossi( \(\w+\))?:$/m);
    expect(text).toMatch(/\] Sam( \(\w+\))?:$/m);
    expect(text).not.toMatch(new RegExp(`\\] ${phone.replace('+', '\\+')}`));
    const list = runCli(['list', '--db', db, '--contacts', join(dir, 'contacts.vcf')]);
    expect(list.stdout.split('\n').filter((line) => line.includes('Chiara Rossi'))).toHaveLength(1);
  });
});
