import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';
import { readJsonFiles, schemaValidators } from './support.js';

const SELECTION = 'Selection: --since 2018-01-01 --until 2019-12-31';

/** The visible text of an HTML page, tags and entities aside. */
function pageText(path: string): string {
  return readFileSync(path, 'utf8').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');
}

/** Every conversation's first HTML page. */
function firstPages(out: string): string[] {
  const folder = join(out, 'conversations');
  return readdirSync(folder).map((name) => join(folder, name, 'p1.html'));
}

describe('an export limited by --since and --until says so in every file with a header', () => {
  const dir = tempDir('data-selection');
  const db = join(dir, 'chat.db');
  const ranged = join(dir, 'ranged');
  const whole = join(dir, 'whole');

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 600, seed: 29 });
    const common = ['export', '--db', db, '--format', 'txt,html,json', '--attachments', 'none', '--timezone', 'America/New_York', '--quiet'];
    for (const [out, extra] of [[ranged, ['--since', '2018-01-01', '--until', '2019-12-31']], [whole, []]] as const) {
      const result = await runCli([...common, '--out', out, ...extra]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
  });

  it('txt: a header line names the selection', () => {
    const texts = readdirSync(ranged).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(ranged, f), 'utf8'));
    expect(texts.length).toBeGreaterThan(1);
    for (const text of texts) {
      const header = text.slice(0, text.indexOf('\n\n'));
      expect(header).toContain(`\n${SELECTION} (messages outside it are not in this file)\n`);
    }
  });

  it('HTML: every conversation page and the index name it', () => {
    const line = `${SELECTION} (messages outside it are not in these pages)`;
    for (const page of firstPages(ranged)) expect(pageText(page)).toContain(line);
    expect(pageText(join(ranged, 'index.html'))).toContain(line);
  });

  it('JSON: conversation.selection gives the options and the instants they stand for, valid against the schema', () => {
    const validate = schemaValidators();
    const files = readJsonFiles(ranged);
    expect(files.size).toBeGreaterThan(1);
    for (const [stem, file] of files) {
      expect(validate.conversation(file), stem).toBe('');
      expect((file.conversation as { selection?: unknown }).selection, stem).toEqual({
        options: '--since 2018-01-01 --until 2019-12-31',
        from: '2018-01-01T00:00:00.000-05:00',
        before: '2020-01-01T00:00:00.000-05:00',
      });
    }
  });

  it('list --json and stats --json give each conversation the record its JSON file has', async () => {
    const files = readJsonFiles(ranged);
    const range = ['--since', '2018-01-01', '--until', '2019-12-31', '--timezone', 'America/New_York'];
    const listed = JSON.parse((await runCli(['list', '--db', db, '--json', ...range])).stdout) as { id: string }[];
    const stats = JSON.parse((await runCli(['stats', '--db', db, '--json', '--no-progress', ...range])).stdout) as { conversations: { conversation: { id: string } }[] };
    const byId = new Map([...files.values()].map((file) => [(file.conversation as { id: string }).id, file.conversation]));
    expect(listed.length).toBe(byId.size);
    for (const record of [...listed, ...stats.conversations.map((c) => c.conversation)]) expect(record, record.id).toEqual(byId.get(record.id));
  });

  it('an export of every message says nothing of a selection', () => {
    const texts = readdirSync(whole).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(whole, f), 'utf8'));
    for (const text of texts) expect(text).not.toContain('Selection:');
    for (const page of [...firstPages(whole), join(whole, 'index.html')]) expect(pageText(page)).not.toContain('Selection:');
    for (const [stem, file] of readJsonFiles(whole)) expect(file.conversation, stem).not.toHaveProperty('selection');
  });
});
