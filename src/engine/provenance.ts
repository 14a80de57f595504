import { sha256File } from '../store/file-sha256.js';
import type { SourceFacts } from '../read/source.js';
import type { Provenance, ProvenanceSource } from '../render/renderer.js';
import type { RecordedSource, SourceHashes } from '../model/types.js';
import { VERSION } from '../version.js';
import { asTyped, type RawOptions } from './options.js';

/**
 * Where an export comes from: the sources with the SHA-256 of each one's database file and of the -wal read
 * with it (read, never written; as the run hashed them, in the order of `facts`, else the database hashed here;
 * whether rows were lost to damage its check found), an archive folder's with the sources its runs recorded
 * (and what made its store other than the one its last run sealed),
 * the selection as typed, and textkeeper's version.
 */
export async function provenanceOf({ facts, descriptions, unsealed }: { facts: SourceFacts[]; descriptions: string[]; unsealed?: string }, raw: RawOptions, hashes: SourceHashes[], damaged: boolean[], recorded?: RecordedSource[]): Promise<Provenance> {
  const sources = await Promise.all(facts.map(async (f, i): Promise<ProvenanceSource> => {
    const sha256 = hashes[i]?.sha256 ?? (await sha256File(f.database));
    const read = { ...f, description: descriptions[i]!, sha256, walSha256: hashes[i]?.walSha256 };
    if (f.kind === 'archive') return { ...read, recorded: recorded ?? [], ...(unsealed && { unsealed }) };
    return damaged[i] ? { ...read, damaged: true } : read;
  }));
  return { version: VERSION, filters: asTyped(raw, ['chat', 'since', 'until']), sources };
}
