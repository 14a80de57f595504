import { join } from 'node:path';
import { whyNotFree } from '../output/files.js';
import { Refusal } from '../errors.js';
import { NDJSON_FILE } from '../render/ndjson/ndjson-renderer.js';
import type { RenderPlan } from './render-plan.js';

/** Where a conversation's file of a format lies in the archive (HTML: its folder of pages). */
export function conversationPath(outDir: string, stem: string, format: string): { path: string; folder: boolean } {
  return format === 'html' ? { path: join(outDir, 'conversations', stem), folder: true } : { path: join(outDir, `${stem}.${format}`), folder: false };
}

/**
 * A file this run would rewrite that someone protected (made read-only, or put a folder in its place) is
 * refused before anything is written: a conversation keeps its file names from run to run, so the run
 * cannot go round it by choosing another name, and stopping at it halfway would leave the archive unfinished.
 */
export function refuseProtectedFiles(plan: RenderPlan, stemOf: Map<string, string>, outDir: string): void {
  const targets = [...plan.writes].flatMap(([key, formats]) => formats.filter((f) => f !== 'ndjson').map((format) => conversationPath(outDir, stemOf.get(key)!, format)));
  if (plan.formats.includes('ndjson')) targets.push({ path: join(outDir, NDJSON_FILE), folder: false });
  for (const { path, folder } of targets) {
    const why = whyNotFree(path, folder);
    if (why) throw new Refusal(`${path} ${why}, and this run would rewrite it: it was left as it is, and so was the archive (make it writable or move it away, then run again).`);
  }
}
