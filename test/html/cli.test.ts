import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli } from '../support/cli.js';
import { ensureBuilt, listFiles, tempDir } from './support.js';

/** Every src and href in a page that points at a file in the archive (not web links, anchors or originals). */
function localReferences(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="([^"#?]+)(?:[#?][^"]*)?"/g)]
    .map((m) => m[1].replace(/&amp;/g, '&'))
    .filter((ref) => !/^(https?|mailto|tel|file):/.test(ref))
    .map((ref) => decodeURIComponent(ref));
}

describe('html export through the CLI on generated data', () => {
  let work: string;
  let archive: string;

  beforeAll(async () => {
    ensureBuilt();
    work = tempDir('cli');
    await generateChatDb({ path: join(work, 'chat.db'), messages: 1500, seed: 7 });
    archive = join(work, 'archive');
  }, 120_000);

  it('writes a complete archive whose every link and picture resolves inside it', async () => {
    const result = await runCli(['export', '--db', join(work, 'chat.db'), '--attachments-root', work, '--out', archive, '--format', 'html', '--no-progress']);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(result.code).toBe(0);
    // Nothing was written beside the archive, whatever the database's file names say.
    expect(readdirSync(work).sort()).toEqual(['Attachments', 'archive', 'chat.db']);
    const files = listFiles(archive);
    expect(files.filter((f) => f.endsWith('.partial'))).toEqual([]);
    // The file the database names with a path outside the archive is copied inside it (named by its content).
    expect(files.some((f) => /^attachments\/.+\.txt$/.test(f))).toBe(true);

    const conversations = readdirSync(join(archive, 'conversations'));
    const index = readFileSync(join(archive, 'index.html'), 'utf8');
    expect(index.match(/<li data-last=/g)).toHaveLength(conversations.length);

    const pages = files.filter((f) => f.endsWith('.html'));
    let images = 0;
    for (const page of pages) {
      const html = readFileSync(join(archive, page), 'utf8');
      expect(statSync(join(archive, page)).size).toBeLessThan(1_000_000);
      for (const ref of localReferences(html)) {
        const target = resolve(archive, dirname(page), ref);
        expect(target.startsWith(archive + '/'), `${page} → ${ref}`).toBe(true);
        expect(existsSync(target), `${page} → ${ref}`).toBe(true);
      }
      images += (html.match(/<img /g) ?? []).length;
    }
    expect(images).toBeGreaterThan(10);
    // Every HEIC copied into the archive also has a picture a browser can show beside it.
    for (const heic of files.filter((f) => /\.heic$/i.test(f))) {
      const folder = readdirSync(join(archive, dirname(heic)));
      expect(folder.some((f) => /\.(jpg|png)$/.test(f)), heic).toBe(true);
    }
  }, 120_000);

  it('re-exports into the same folder reusing the converted pictures', async () => {
    const before = listFiles(archive).sort();
    const result = await runCli(['export', '--db', join(work, 'chat.db'), '--attachments-root', work, '--out', archive, '--format', 'html', '--no-progress']);
    expect(result.code).toBe(0);
    // The second run into the folder adds only the stylesheet of the index's "Runs" section.
    expect(listFiles(archive).filter((f) => f !== join('assets', 'runs.css')).sort()).toEqual(before);
  }, 120_000);
});
