import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeBackup } from '../../src/generate/backup.js';
import { runCli, tempDir } from '../support/cli.js';
import { deviceSlice, exportFrom, filesOf, generateHistory, transcripts, withoutOne, type History } from './device.js';

const FORMATS = 'txt,html,json,csv,ndjson';
const MARK = 'Kept by this archive: not on the device since ';

/**
 * What a run prints or a file holds, with what may differ between two sequences of the same runs: the folders
 * the databases were copied into (`<copy>`), and the times of the runs.
 */
function sameButPlaces(text: string, copies: string[]): string {
  let out = text;
  for (const copy of copies) out = out.replaceAll(copy, '<copy>');
  // The seal is SHA256SUMS', which lists each folder's own store.
  return out.replace(/\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?Z?/g, '<time>').replace(/\b\d+(\.\d+)? s\b/g, '<s>').replace(/^Seal: SHA256SUMS [0-9a-f]{64}$/gm, 'Seal: <seal>');
}

/** Every file of an archive folder but its store and the sums of it, as `sameButPlaces` gives it. */
function archiveFiles(archive: string, copies: string[]): Map<string, string> {
  const files = filesOf(archive).filter((f) => f !== 'textkeeper.sqlite' && f !== 'SHA256SUMS');
  return new Map(files.map((f) => [f, sameButPlaces(readFileSync(join(archive, f), 'latin1'), copies)]));
}

/** What the first transcript of an archive says it was exported from. */
const exportedFrom = (archive: string) => {
  const file = readdirSync(archive).find((f) => f.endsWith('.txt'))!;
  return /^Exported .* by textkeeper from (.*)\.$/m.exec(readFileSync(join(archive, file), 'utf8'))?.[1];
};

const storeCount = (archive: string, sql: string) => {
  const db = new Database(join(archive, 'textkeeper.sqlite'), { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
};

/**
 * Rewrites the store of an archive that read the `march` and then the `june` copy as a store of version 6 (the
 * release before) left it: each message with the descriptions of the copies it was in, runs without source ids,
 * change marks by the description of the copy and by database file.
 */
function asVersion6(archive: string, march: string, june: string): void {
  const [a, b] = [march, june].map((copy) => `chat.db at ${join(copy, 'chat.db')}`);
  const db = new Database(join(archive, 'textkeeper.sqlite'));
  db.exec(`ATTACH '${join(march, 'chat.db')}' AS march; ATTACH '${join(june, 'chat.db')}' AS june`);
  const set = (...names: string[]) => {
    db.prepare('INSERT OR IGNORE INTO source_sets (sources) VALUES (?)').run(JSON.stringify(names.sort()));
    return db.prepare('SELECT id FROM source_sets WHERE sources = ?').pluck().get(JSON.stringify(names)) as number;
  };
  const [onlyMarch, onlyJune, both] = [set(a!), set(b!), set(a!, b!)];
  db.prepare(`UPDATE messages SET source_set = CASE WHEN guid NOT IN (SELECT guid FROM june.message) THEN ? WHEN guid NOT IN (SELECT guid FROM march.message) THEN ? ELSE ? END`)
    .run(onlyMarch, onlyJune, both);
  db.exec(`DETACH march; DETACH june; DELETE FROM source_sets WHERE id NOT IN (${onlyMarch}, ${onlyJune}, ${both});
    UPDATE runs SET sources = (SELECT json_group_array(json_remove(value, '$.id')) FROM json_each(runs.sources));
    DROP TABLE chat_marks;
    CREATE TABLE chat_marks (source_path TEXT NOT NULL, chat_ids TEXT NOT NULL, sha256 TEXT NOT NULL, mark TEXT NOT NULL, PRIMARY KEY (source_path, chat_ids)) WITHOUT ROWID;
    DELETE FROM migrations WHERE version > 6;`);
  db.prepare('UPDATE OR REPLACE source_marks SET sources = ?').run(b);
  // A conversation the copies give no message of keeps the mark each copy was read with (no change forgets them).
  db.prepare('INSERT OR IGNORE INTO source_marks (conversation_key, sources, mark, run_id) SELECT conversation_key, ?, mark, 1 FROM source_marks WHERE conversation_key NOT IN (SELECT key FROM conversations)').run(a);
  db.pragma('user_version = 6');
  db.close();
}

describe('a chat.db copied into a new folder each time, exported into one archive', () => {
  let history: History;
  const copies: string[] = [];
  const moved: string[] = [];
  const fixed: string[] = [];
  let work: string;

  beforeAll(async () => {
    history = await generateHistory(600, 311);
    work = tempDir('moved-copy');
    // The device in March holds the first two thirds; in June it has purged the first third and gained the last.
    const march = deviceSlice(history, undefined, history.thirds[1]);
    const june = deviceSlice(history, history.thirds[0], undefined);
    copies.push(march, june, join(work, 'copy'));
    copies.push(join(work, 'moved'), join(work, 'fixed'), join(work, 'older'));
    for (const device of [march, june, june]) {
      moved.push((await exportFrom(device, join(work, 'moved'), FORMATS)).stdout);
      // The archive as the release before left it after the two copies, the last run to come.
      if (moved.length === 2) cpSync(join(work, 'moved'), join(work, 'older'), { recursive: true });
    }
    asVersion6(join(work, 'older'), march, june);
    // The same runs with the copy always in one folder (the last one reads the same copy again).
    for (const device of [march, june]) {
      rmSync(join(work, 'copy'), { recursive: true, force: true });
      cpSync(device, join(work, 'copy'), { recursive: true });
      fixed.push((await exportFrom(join(work, 'copy'), join(work, 'fixed'), FORMATS)).stdout);
    }
    fixed.push((await exportFrom(join(work, 'copy'), join(work, 'fixed'), FORMATS)).stdout);
  });

  it('keeps the purged messages, marked as no longer on the device, with no source named under any message', () => {
    const text = [...transcripts(join(work, 'moved')).values()].join('\n');
    expect(text.split(MARK).length - 1).toBeGreaterThan(50);
    expect(text).not.toContain('⧉ Found in');
    expect(storeCount(join(work, 'moved'), 'SELECT COUNT(*) FROM source_sets')).toBe(1);
  });

  it('writes every file as the same runs with the copy in one folder do, naming the newest copy', () => {
    const got = archiveFiles(join(work, 'moved'), copies);
    const want = archiveFiles(join(work, 'fixed'), copies);
    expect([...got.keys()]).toEqual([...want.keys()]);
    for (const [file, text] of want) expect(got.get(file), file).toBe(text);
    expect(exportedFrom(join(work, 'moved'))).toBe(`chat.db at ${join(copies[1]!, 'chat.db')}`);
  });

  it('prints the same counts on every run, and keeps every file on a second run from the same copy', () => {
    expect(moved.map((out) => sameButPlaces(out, copies))).toEqual(fixed.map((out) => sameButPlaces(out, copies)));
    expect(moved[1]).toMatch(/since the last run: [\d,]+ messages added, [\d,]+ changed, [\d,]+ newly not on the device/);
    expect(moved[2]).toMatch(/^ {2}\d+ conversations unchanged since the last run: their files were kept/m);
  });

  it('makes the copies of an archive the release before wrote one source: the next run writes what one folder would have', async () => {
    expect(storeCount(join(work, 'older'), 'SELECT COUNT(*) FROM source_sets')).toBe(3);
    await exportFrom(copies[1]!, join(work, 'older'), FORMATS);
    expect(storeCount(join(work, 'older'), 'SELECT COUNT(*) FROM source_sets')).toBe(1);
    // (Its files are written anew, as they now name one source: the index's runs say so.)
    const withoutRuns = (files: Map<string, string>) => new Map([...files].map(([f, text]) => [f, text.replace(/<section class="runs">[^]*?<\/section>/, '')]));
    expect(withoutRuns(archiveFiles(join(work, 'older'), copies))).toEqual(withoutRuns(archiveFiles(join(work, 'fixed'), copies)));
    expect(storeCount(join(work, 'older'), "SELECT COUNT(*) FROM runs, json_each(runs.sources) WHERE value ->> '$.id' = 'chat.db'")).toBe(3);
  });

  it('keeps the files an identical copy in another folder does not change, each naming the copy it was written from', async () => {
    const again = join(work, 'june-again');
    cpSync(copies[1]!, again, { recursive: true, preserveTimestamps: true });
    const run = await exportFrom(again, join(work, 'moved'), 'txt');
    expect(run.stdout).not.toMatch(/^ {2}since the last run: /m);
    expect(run.stdout).toMatch(/^ {2}\d+ conversations? unchanged since the last run: (its|their) files were kept/m);
    // A missing file names where this run looked for it: those transcripts are written again, naming the new copy.
    const texts = readdirSync(join(work, 'moved')).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(work, 'moved', f), 'utf8'));
    const from = (text: string) => /^Exported .* by textkeeper from chat\.db at (.*)\/chat\.db\.$/m.exec(text)?.[1];
    for (const text of texts) expect(from(text)).toBe(text.includes(' — missing — ') ? again : copies[1]);
    expect(new Set(texts.map(from)).size).toBe(2);
  });

  it('keeps one change mark per chat and one hash per attachment, not one per folder the database was read from', async () => {
    // (A database file's own hash is kept by its path: a row for each copy.)
    for (const rows of ['chat_marks', "file_hashes WHERE source_path NOT LIKE '%/chat.db'"]) {
      const count = (archive: string) => storeCount(archive, `SELECT COUNT(*) FROM ${rows}`);
      expect(count(join(work, 'moved')), rows).toBe(count(join(work, 'fixed')));
    }
    expect((await runCli(['verify', join(work, 'moved')])).code).toBe(0);
  });
});

describe('two Macs’ databases stay two sources', () => {
  let early: string;
  let late: string;
  let work: string;
  beforeAll(async () => {
    const history = await generateHistory(300, 312);
    // Each lost one message of the months both hold: the other's name is shown under it.
    early = withoutOne(deviceSlice(history, undefined, history.thirds[1]), history.thirds[0], history.thirds[1]);
    late = withoutOne(deviceSlice(history, history.thirds[0], undefined), (history.thirds[0] + history.thirds[1]) / 2, history.thirds[1]);
    work = tempDir('two-macs');
  });

  /**
   * A message one database lost of the months both hold names the other; one from before or after the months
   * the other holds names none. The archive knows the three ways.
   */
  const twoSources = (out: string) => {
    const text = [...transcripts(out).values()].join('\n');
    expect(text).toContain(`⧉ Found in: chat.db at ${join(early, 'chat.db')}\n`);
    expect(text).toContain(`⧉ Found in: chat.db at ${join(late, 'chat.db')}\n`);
    expect(text.match(/⧉ Found in/g)).toHaveLength(2);
    expect(storeCount(out, 'SELECT COUNT(*) FROM source_sets')).toBe(3);
  };

  it('given together', async () => {
    const out = join(work, 'together');
    await exportFrom(early, out, 'txt', ['--db', join(late, 'chat.db')]);
    twoSources(out);
  });

  it('one read through an archive of its own into the other’s', async () => {
    const out = join(work, 'through');
    await exportFrom(early, join(work, 'other'), 'txt');
    await exportFrom(late, out, 'txt');
    await exportFrom(late, out, 'txt', ['--archive', join(work, 'other')]);
    twoSources(out);
  });
});

describe('a copy of an archive folder read back into it', () => {
  it('brings no second source: its chat.db is the archive’s own', async () => {
    const history = await generateHistory(300, 314);
    const work = tempDir('archive-copy');
    const archive = join(work, 'archive');
    await exportFrom(deviceSlice(history, undefined, history.thirds[1]), archive, 'txt');
    // Kept elsewhere (another disk) while the archive goes on; the copy is read back into it later.
    cpSync(archive, join(work, 'elsewhere'), { recursive: true });
    await exportFrom(deviceSlice(history, history.thirds[0], undefined), archive, 'txt');
    await exportFrom(deviceSlice(history, history.thirds[0], undefined), archive, 'txt', ['--archive', join(work, 'elsewhere')]);
    expect([...transcripts(archive).values()].join('\n')).not.toContain('⧉ Found in');
    expect(storeCount(archive, 'SELECT COUNT(*) FROM source_sets')).toBe(1);
  });
});

describe('a newer backup of the same iPhone', () => {
  it('is the same source as the earlier one: no source is named under any message, the newest backup in the header', async () => {
    const history = await generateHistory(300, 313);
    const work = tempDir('newer-backup');
    const out = join(work, 'archive');
    const states = [deviceSlice(history, undefined, history.thirds[1]), deviceSlice(history, history.thirds[0], undefined)];
    for (const [i, device] of states.entries()) {
      const backup = join(work, `backup-${i}`);
      await writeBackup({ chatDb: join(device, 'chat.db'), attachmentsDir: join(device, 'Attachments'), outDir: backup, seed: 1, device: { lastBackupDate: new Date(`2026-0${3 + 3 * i}-01T12:00:00Z`), productVersion: `18.${i}` } });
      const result = await runCli(['export', '--backup', backup, '--out', out, '--format', 'txt', '--no-progress']);
      expect(result.code, result.stderr).toBe(0);
    }
    const text = [...transcripts(out).values()].join('\n');
    expect(text.split(MARK).length - 1).toBeGreaterThan(20);
    expect(text).not.toContain('⧉ Found in');
    expect(exportedFrom(out)).toBe('iPhone backup: Sample iPhone, iOS 18.1, backed up 2026-06-01');
  });
});

/**
 * Two backups of one iPhone: the first, made 2026-03-01 (iOS 18.0), holds the history's first two thirds; the
 * second, made 2026-06-01 (iOS 18.1), its last two (the phone let the oldest go). With the archive folder to fill.
 */
async function twoBackups(seed: number, label: string): Promise<{ out: string; backups: string[] }> {
  const history = await generateHistory(300, seed);
  const work = tempDir(label);
  const states = [deviceSlice(history, undefined, history.thirds[1]), deviceSlice(history, history.thirds[0], undefined)];
  const backups = states.map((_, i) => join(work, `backup-${i}`));
  for (const [i, device] of states.entries()) {
    await writeBackup({ chatDb: join(device, 'chat.db'), attachmentsDir: join(device, 'Attachments'), outDir: backups[i]!, seed: 1, device: { lastBackupDate: new Date(`2026-0${3 + 3 * i}-01T12:00:00Z`), productVersion: `18.${i}` } });
  }
  return { out: join(work, 'archive'), backups };
}

describe('two backups of one iPhone read together', () => {
  it('the one made last is that iPhone, as in the runs that read one alone: each backup is named once', async () => {
    const { out, backups } = await twoBackups(317, 'two-backups');
    let last = '';
    for (const run of [[backups[0]!], [backups[1]!], [backups[1]!, backups[0]!]]) {
      const result = await runCli(['export', ...run.flatMap((b) => ['--backup', b]), '--out', out, '--format', 'txt', '--no-progress']);
      expect(result.code, result.stderr).toBe(0);
      last = result.stdout;
    }
    expect(exportedFrom(out)).toBe('iPhone backup: Sample iPhone, iOS 18.0, backed up 2026-03-01; iPhone backup: Sample iPhone, iOS 18.1, backed up 2026-06-01');
    // What the newer backup no longer has is only in the older one.
    const onlyIn = (version: string) => Number(new RegExp(`(\\d+) messages only in iPhone backup: Sample iPhone, iOS ${version}`).exec(last)?.[1]);
    expect(onlyIn('18.0')).toBeGreaterThan(20);
    expect(onlyIn('18.1')).toBeGreaterThan(20);
  });
});

describe('an older backup of an iPhone read after a newer one', () => {
  it('marks nothing as no longer on the device: what it lacks came after it was made', async () => {
    const { out, backups } = await twoBackups(319, 'older-backup-later');
    for (const backup of [backups[1]!, backups[0]!, backups[1]!, backups[0]!]) {
      const result = await runCli(['export', '--backup', backup, '--out', out, '--format', 'txt', '--no-progress']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toMatch(/[1-9]\d* newly not on the device|back on the device/);
    }
    expect([...transcripts(out).values()].join('\n')).not.toContain(MARK);
  });
});
