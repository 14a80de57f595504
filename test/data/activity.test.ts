import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import type { ArchiveStats } from '../../src/stats/archive-stats.js';
import { pdfText, qpdfCheck } from '../pdf/pdf-tools.js';
import { runCli, tempDir } from '../support/cli.js';

/** The numbers in the chart's bar tooltips ("2024-03 · Alice: 12"), added up. */
function chartTotal(html: string): number {
  const figure = /<figure class="activity">([\s\S]*?)<\/figure>/.exec(html)?.[1] ?? '';
  expect(figure).not.toMatch(/<script|on\w+=/);
  return [...figure.matchAll(/<title>[^<]*: (\d+)<\/title>/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

describe('activity charts in the HTML archive', () => {
  const dir = tempDir('activity');
  const db = join(dir, 'chat.db');
  const out = join(dir, 'out');
  let stats: ArchiveStats;

  beforeAll(async () => {
    // One conversation long enough for two pages: its first page gets the chart after the last message is read.
    await generateChatDb({ path: db, messages: 2600, seed: 93, singleConversation: true });
    expect((await runCli(['export', '--db', db, '--out', out, '--format', 'html', '--attachments', 'none', '--timezone', 'UTC'])).code).toBe(0);
    stats = JSON.parse((await runCli(['stats', '--db', db, '--json', '--timezone', 'UTC'])).stdout) as ArchiveStats;
  });

  it('draws every message of the archive on the index, as inline SVG without script', async () => {
    expect(chartTotal(readFileSync(join(out, 'index.html'), 'utf8'))).toBe(stats.total.messages);
  });

  it('draws each conversation’s messages on its first page, also when it has several', async () => {
    const folders = readdirSync(join(out, 'conversations'));
    let paged = 0;
    for (const folder of folders) {
      const pages = readdirSync(join(out, 'conversations', folder)).filter((f) => /^p\d+\.html$/.test(f));
      if (pages.length > 1) paged++;
      const first = readFileSync(join(out, 'conversations', folder, 'p1.html'), 'utf8');
      expect(first).not.toContain('<!--activity-->');
      const own = stats.conversations.find((c) => c.conversation.title === folder)!;
      expect(chartTotal(first), folder).toBe(own.stats.messages);
      for (const page of pages.filter((p) => p !== 'p1.html')) expect(readFileSync(join(out, 'conversations', folder, page), 'utf8')).not.toContain('class="activity"');
    }
    expect(paged).toBeGreaterThan(0);
  });

  it('gives the owner the first colour on the index and on every conversation’s chart, however few they sent', async () => {
    const ownerFirst = /<figcaption>[^<]*<span><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" rx="2" fill="#1a7cf5"\/><\/svg>Me<\/span>/;
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toMatch(ownerFirst);
    for (const folder of readdirSync(join(out, 'conversations'))) {
      const page = readFileSync(join(out, 'conversations', folder, 'p1.html'), 'utf8');
      if (page.includes('>Me<')) expect(page, folder).toMatch(ownerFirst);
    }
  });

  it('draws the chart on the PDF cover page, with the same scale and senders', async () => {
    const since = ['--since', '2024-01-01', '--timezone', 'UTC'];
    const pdfOut = join(dir, 'pdf');
    expect((await runCli(['export', '--db', db, '--out', pdfOut, '--format', 'pdf', ...since])).code).toBe(0);
    const recent = JSON.parse((await runCli(['stats', '--db', db, '--json', ...since])).stdout) as ArchiveStats;
    const file = join(pdfOut, readdirSync(pdfOut).find((f) => f.endsWith('.pdf'))!);
    expect(qpdfCheck(file).ok).toBe(true);
    const cover = pdfText(file, { first: 1, last: 1 });
    const busiest = Math.max(...recent.total.months.map((m) => m.messages));
    expect(cover).toContain(`Messages per month (busiest: ${busiest.toLocaleString('en-US')})`);
    for (const person of recent.total.people.filter((p) => p.messages > 0)) expect(cover).toContain(person.name);
    expect(cover).toContain('2024');
  });
});
