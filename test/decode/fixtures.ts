// Shared access to the real Apple fixtures in ../shared/fixtures (never copied into the project).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BodyComponent } from '../../src/decode/attributed-body.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesRoot = path.resolve(repoRoot, '../shared/fixtures');
export const fixturesPresent = fs.existsSync(path.join(fixturesRoot, 'manifest.json'));
if (!fixturesPresent) console.warn(`decode conformance tests skipped: no fixtures at ${fixturesRoot}`);

export interface ManifestCase {
  id: string;
  file: string;
  kind: string;
  expect: any;
  notes?: string[];
}

export function manifestCases(kind: string): ManifestCase[] {
  if (!fixturesPresent) return [];
  const all = JSON.parse(fs.readFileSync(path.join(fixturesRoot, 'manifest.json'), 'utf8')) as ManifestCase[];
  return all.filter((c) => c.kind === kind);
}

export function fixtureBytes(file: string): Buffer {
  return fs.readFileSync(path.join(fixturesRoot, 'apple', file));
}

export function fixtureText(file: string): string {
  return fs.readFileSync(path.join(fixturesRoot, file), 'utf8');
}

/** Our components in the manifest's shape: absent values as null, UTF-8 offsets left out. */
export function componentsAsManifest(components: BodyComponent[]): unknown[] {
  return components.map((component) => {
    if (component.type === 'text') {
      return { type: 'text', ranges: component.ranges.map(({ start, end, text, effects }) => ({ start, end, text, effects })) };
    }
    if (component.type === 'attachment') {
      const { start, end, guid, name, width, height, transcription } = component;
      return { type: 'attachment', start, end, guid: guid ?? null, name: name ?? null, width: width ?? null, height: height ?? null, transcription: transcription ?? null };
    }
    return { type: component.type };
  });
}

/** The manifest's components without UTF-8 offsets (we work in UTF-16 units). */
export function expectedComponents(components: any[]): unknown[] {
  return components.map((component) =>
    component.type === 'text'
      ? { type: 'text', ranges: component.ranges.map(({ start_utf8, end_utf8, ...range }: any) => range) }
      : component,
  );
}
