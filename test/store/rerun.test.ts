import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.js';
import { filesOf, generateHistory, type History } from './device.js';

/** Every file the conversations were written to (not the index, search data, store or SHA256SUMS), with its modification time. */
function conversationFiles(out: string): Map<string, number> {
  const pages = filesOf(join(out, 'conversations')).map((page) => join('conversations', page));
  const own = readdirSync(out).filter((f) => /\.(txt|pdf)$/.test(f));
  return new Map([...own, ...pages].map((f) => [f, statSync(join(out, f)).mtimeMs]));
}

function changedAmong(before: Map<string, number>, after: Map<string, number>): string[] {
  expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  return [...after].filter(([file, mtime]) => before.get(file) !== mtime).map(([file]) => file);
}

/** The store's manifest made to list these files as they are now (none: not listed). */
function sealedAsTheyAre(out: string, paths: string[]): void {
  const store = new Database(join(out, 'textkeeper.sqlite'));
  for (const path of paths) {
    store.prepare('DELETE FROM manifest WHERE path = ?').run(path);
    const info = statSync(join(out, path), { throwIfNoEntry: false });
    const sha256 = info && createHash('sha256').update(readFileSync(join(out, path))).digest('hex');
    if (info) store.prepare('INSERT INTO manifest (path, size, sha256, mtime_ms) VALUES (?, ?, ?, ?)').run(path, info.size, sha256, info.mtimeMs);
  }
  store.close();
  // SHA256SUMS names the store that build left.
  const sums = join(out, 'SHA256SUMS');
  const sealed = createHash('sha256').update(readFileSync(join(out, 'textkeeper.sqlite'))).digest('hex');
  writeFileSync(sums, readFileSync(sums, 'utf8').replace(/^[0-9a-f]{64}(?=  textkeeper\.sqlite$)/m, sealed));
}

async function exportInto(history: History, out: string, extra: string[]) {
  const paper = extra.includes('--page-size') ? [] : ['--page-size', 'letter'];
  const result = await runCli(['export', '--db', join(history.dir, 'chat.db'), '--out', out, '--format', 'txt,html,pdf', ...paper, ...extra]);
  expect(result.stderr.replace(/^\[\d+\/\d+\].*\n/gm, '')).toBe('');
  expect(result.code).toBe(0);
  return result;
}

describe('an unchanged re-run keeps every file whatever options only change the console or the reading', () => {
  let history: History;
  let out: string;
  let conversations: number;
  /** The first run's summary line from the conversations on, the time taken left out. */
  let counted: string;

  beforeAll(async () => {
    history = await generateHistory(240, 303);
    out = join(tempDir('rerun'), 'archive');
    const first = await exportInto(history, out, ['--quiet']);
    conversations = Number(/^Exported (\d+) conversations/m.exec(first.stdout)![1]);
    counted = /^Exported (.*\(\d+ missing\), 0 warnings) in /m.exec(first.stdout)![1]!;
  });

  it('keeps them with and without --quiet, --no-progress, --threads, --exact and --no-check', async () => {
    const variants = [[], ['--quiet'], ['--no-progress', '--threads', '1'], ['--exact', '--quiet'], ['--no-check', '--quiet'], []];
    for (const extra of variants) {
      const before = conversationFiles(out);
      const run = await exportInto(history, out, extra);
      expect(run.stdout, extra.join(' ')).toContain(`  ${conversations} conversations unchanged since the last run: their files were kept\n`);
      // The attachments are counted as the files kept counted them: those missing are still said (it said nothing of them).
      expect(run.stdout, extra.join(' ')).toContain(`Exported ${counted} in `);
      expect(changedAmong(before, conversationFiles(out)), extra.join(' ')).toEqual([]);
    }
    expect((await runCli(['verify', out])).code).toBe(0);
  });

  it('checks an unchanged database once, says so on later runs, and shows it among the runs', async () => {
    const run = await exportInto(history, out, ['--quiet']);
    expect(run.stdout).toContain(`chat.db at ${join(history.dir, 'chat.db')}: not checked for damage again, an earlier run checked this very file (same SHA-256) and found nothing`);
    const runs = /<section class="runs">[^]*?<\/section>/.exec(readFileSync(join(out, 'index.html'), 'utf8'))![0];
    const checks = [...runs.matchAll(/<span class="check">([^<]*)<\/span>/g)].map((m) => m[1]);
    expect(checks[0]).toBe('checked: sound');
    expect(checks).toContain('not checked (--no-check)');
    expect(checks.at(-1)).toBe('not checked again: an earlier run checked this very file');
    // Folded under a line that counts them; a run that kept every file does not count attachments it did not read.
    const runCount = runs.match(/<tr>\s*<td>/g)!.length;
    expect(runs).toContain(`<summary><h2>Runs</h2> <span class="latest">${runCount} exports into this folder, the latest on `);
    const counts = [...runs.matchAll(/<td>([\d,]+ messages[^<]*)<\/td>/g)].map((m) => m[1]);
    expect(counts[0]).toMatch(/ \d+ attachments$/);
    expect(counts.at(-1)).toMatch(/, every file kept as it was$/);
  });

  it('puts this build’s scripts and styles into an archive an older build wrote, rewriting none that are the same', async () => {
    const assets = join(out, 'assets');
    const older = '/* an older build */\n';
    writeFileSync(join(assets, 'style.css'), older);
    writeFileSync(join(assets, 'runs.css'), older);
    rmSync(join(assets, 'search.js'));
    // As the older build sealed them (a run finds what changed since the seal, not by textkeeper).
    sealedAsTheyAre(out, ['style.css', 'runs.css', 'search.js'].map((name) => `assets/${name}`));
    const same = statSync(join(assets, 'app.js')).mtimeMs;
    const before = conversationFiles(out);
    const run = await exportInto(history, out, ['--quiet']);
    expect(run.stdout).toContain(`  ${conversations} conversations unchanged since the last run: their files were kept`);
    expect(changedAmong(before, conversationFiles(out))).toEqual([]);
    for (const name of ['style.css', 'runs.css', 'search.js', 'app.js']) {
      expect(readFileSync(join(assets, name)).equals(readFileSync(join(ROOT, 'templates', 'html', name))), name).toBe(true);
    }
    expect(statSync(join(assets, 'app.js')).mtimeMs).toBe(same);
    const verified = await runCli(['verify', out]);
    expect(verified.stdout).toMatch(/^Intact: /);
    expect(verified.code).toBe(0);
  });

  it('writes again only the PDFs when only a PDF option changes', async () => {
    const before = conversationFiles(out);
    await exportInto(history, out, ['--quiet', '--page-size', 'a4']);
    const changed = changedAmong(before, conversationFiles(out));
    const pdfs = [...before.keys()].filter((f) => f.endsWith('.pdf'));
    expect(pdfs.length).toBe(conversations);
    expect(changed.sort()).toEqual(pdfs.sort());
  });

  it('says nothing of the attachments of kept files written before what they count was recorded, until one is written again', async () => {
    const store = new Database(join(out, 'textkeeper.sqlite'));
    store.exec('UPDATE rendered SET counts = NULL');
    store.close();
    sealedAsTheyAre(out, []);
    const kept = await exportInto(history, out, ['--quiet', '--page-size', 'a4']);
    expect(kept.stdout).toMatch(new RegExp(`^Exported ${conversations} conversations, [\\d,]+ messages, 0 warnings in `, 'm'));
    // The PDFs written again (on letter paper) count them: from then on a run that keeps every file says them.
    for (let run = 0; run < 2; run++) expect((await exportInto(history, out, ['--quiet'])).stdout).toContain(`Exported ${counted} in `);
  });
});

describe('an unchanged re-run keeps its CSV files', () => {
  it('writes none again (it wrote every one on each run), and only the CSVs when only a CSV option changes', async () => {
    const history = await generateHistory(120, 304);
    const out = join(tempDir('rerun-csv'), 'archive');
    const exportCsv = async (extra: string[] = []) => {
      const run = await runCli(['export', '--db', join(history.dir, 'chat.db'), '--out', out, '--format', 'txt,csv', '--quiet', ...extra]);
      expect(run.code, run.stderr).toBe(0);
      return run;
    };
    await exportCsv();
    const timesOf = () => new Map(readdirSync(out).filter((f) => /\.(txt|csv)$/.test(f)).map((f) => [f, statSync(join(out, f)).mtimeMs]));
    const first = timesOf();
    const conversations = [...first.keys()].filter((f) => f.endsWith('.csv'));
    expect(conversations.length).toBeGreaterThan(1);
    const again = await exportCsv();
    expect(again.stdout).toContain(`  ${conversations.length} conversations unchanged since the last run: their files were kept`);
    expect(changedAmong(first, timesOf())).toEqual([]);
    await exportCsv(['--csv-bom', 'false']);
    expect(changedAmong(first, timesOf()).sort()).toEqual(conversations.sort());
    expect((await runCli(['verify', out])).code).toBe(0);
  });
});

describe('an unchanged re-run keeps messages.ndjson', () => {
  it('writes it again only when it is not as the last run left it, or a run wrote it for fewer conversations', async () => {
    const history = await generateHistory(150, 306);
    const out = join(tempDir('rerun-ndjson'), 'archive');
    const file = join(out, 'messages.ndjson');
    const exportNdjson = async (extra: string[] = []) => {
      const run = await runCli(['export', '--db', join(history.dir, 'chat.db'), '--out', out, '--format', 'txt,ndjson', '--quiet', ...extra]);
      expect(run.code, run.stderr).toBe(0);
      return run;
    };
    await exportNdjson();
    const whole = readFileSync(file, 'utf8');
    const written = statSync(file).mtimeMs;
    // It was written again on every run: 16 s of an unchanged re-run of a million messages, against 1.4 s without it.
    const again = await exportNdjson();
    expect(again.stdout).toMatch(/ \d+ conversations unchanged since the last run: their files were kept/);
    expect(statSync(file).mtimeMs).toBe(written);
    rmSync(file);
    await exportNdjson();
    expect(readFileSync(file, 'utf8')).toBe(whole);
    const id = JSON.parse(whole.split('\n')[0]!).conversationId as string;
    await exportNdjson(['--chat', id]);
    expect(readFileSync(file, 'utf8').length).toBeLessThan(whole.length);
    await exportNdjson();
    expect(readFileSync(file, 'utf8')).toBe(whole);
    expect((await runCli(['verify', out])).code).toBe(0);
  });
});

describe('an archive alone finds a conversation by any of its chats', () => {
  it('takes --chat with the GUID of any chat row the conversation was made of, not only its first', async () => {
    const history = await generateHistory(240, 304);
    const db = new Database(join(history.dir, 'chat.db'), { readonly: true });
    // One person's iMessage and SMS chats: one conversation of two chat rows.
    const guids = db.prepare(`SELECT group_concat(c.guid, ' ') FROM chat c JOIN chat_handle_join j ON j.chat_id = c.ROWID JOIN handle h ON h.ROWID = j.handle_id
      WHERE c.style = 45 AND EXISTS (SELECT 1 FROM chat_message_join m WHERE m.chat_id = c.ROWID)
      GROUP BY h.id HAVING COUNT(*) = 2 LIMIT 1`).pluck().get() as string | undefined;
    db.close();
    expect(guids).toBeDefined();
    const archive = join(tempDir('guids'), 'archive');
    expect((await runCli(['export', '--db', join(history.dir, 'chat.db'), '--out', archive, '--quiet'])).code).toBe(0);
    const chosen: string[][] = [];
    for (const guid of guids!.split(' ')) {
      const out = join(tempDir('by-guid'), 'out');
      const result = await runCli(['export', '--archive', archive, '--out', out, '--chat', guid, '--quiet']);
      expect(result.stderr, guid).toBe('');
      chosen.push(readdirSync(out).filter((f) => f.endsWith('.txt')));
    }
    expect(chosen[0]).toHaveLength(1);
    expect(chosen[1]).toEqual(chosen[0]);
  });
});

describe('an archive shows its times in one zone, the computer’s or --timezone’s', () => {
  it('writes every file again under another TZ, and keeps them when --timezone names the zone they show', async () => {
    const history = await generateHistory(120, 306);
    const out = join(tempDir('zone-rerun'), 'archive');
    const exportUnder = async (tz: string, extra: string[] = []) => {
      const result = await runCli(['export', '--db', join(history.dir, 'chat.db'), '--out', out, '--format', 'txt,json', '--quiet', ...extra], { TZ: tz });
      expect(result.code, result.stderr).toBe(0);
      return result.stdout;
    };
    const zones = () => readdirSync(out).filter((f) => f.endsWith('.txt')).map((f) => /^Times are shown in (.*)\.$/m.exec(readFileSync(join(out, f), 'utf8'))![1]);
    await exportUnder('UTC');
    const files = readdirSync(out).filter((f) => /\.(txt|json)$/.test(f));
    const before = new Map(files.map((f) => [f, statSync(join(out, f)).mtimeMs]));
    // Unchanged sources, the computer in another zone: no file stays in the old one.
    expect(await exportUnder('America/New_York')).not.toContain('unchanged since the last run');
    expect(new Set(zones())).toEqual(new Set(['America/New_York']));
    expect(changedAmong(before, new Map(files.map((f) => [f, statSync(join(out, f)).mtimeMs])))).toHaveLength(files.length);
    for (const f of files.filter((f) => f.endsWith('.json'))) expect(readFileSync(join(out, f), 'utf8')).not.toMatch(/"date":"[^"]*\+00:00"/);
    // The same zone named by --timezone is what the files show: they are kept.
    expect(await exportUnder('UTC', ['--timezone', 'America/New_York'])).toMatch(/^ {2}\d+ conversations unchanged since the last run: their files were kept$/m);
  });
});
