import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateChatDb, type GenerateOptions } from '../../src/generate/index.js';

/** Generates into a fresh temporary folder; returns the paths and the summary. */
export async function generateInTemp(options: Omit<GenerateOptions, 'path' | 'attachmentsDir'>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textkeeper-gen-test-'));
  const dbPath = path.join(dir, 'chat.db');
  const attachmentsDir = path.join(dir, 'Attachments');
  const summary = await generateChatDb({ ...options, path: dbPath, attachmentsDir });
  return { dir, dbPath, attachmentsDir, summary, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
