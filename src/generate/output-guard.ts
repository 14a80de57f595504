// The generator overwrites only what it made itself: databases carrying its SQLite application_id
// and attachment folders carrying its marker file.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** "TKSD" (textkeeper sample data), stored in the SQLite header's application_id field. */
export const GENERATED_APPLICATION_ID = 0x544b5344;
const MARKER = '.textkeeper-generated';

function isGeneratedDatabase(file: string): boolean {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return db.pragma('application_id', { simple: true }) === GENERATED_APPLICATION_ID;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

/**
 * Checks that the database path and attachments folder are free or generated earlier, empties the
 * old attachments folder, and returns the temporary path to build the new database at.
 */
export function claimOutput(dbPath: string, attachmentsDir: string): string {
  if (fs.existsSync(dbPath) && !isGeneratedDatabase(dbPath)) {
    throw new Error(`refusing to overwrite ${dbPath}: it is not a database this generator made`);
  }
  if (fs.existsSync(attachmentsDir)) {
    const empty = fs.readdirSync(attachmentsDir).length === 0;
    if (!empty && !fs.existsSync(path.join(attachmentsDir, MARKER))) {
      throw new Error(`refusing to overwrite ${attachmentsDir}: it holds files this generator did not make`);
    }
    fs.rmSync(attachmentsDir, { recursive: true, force: true });
  }
  fs.mkdirSync(attachmentsDir, { recursive: true });
  fs.writeFileSync(path.join(attachmentsDir, MARKER), 'Made by textkeeper sample-data generator; safe to delete.\n');
  fs.mkdirSync(path.dirname(path.resolve(dbPath)), { recursive: true });
  const partial = `${dbPath}.partial`;
  fs.rmSync(partial, { force: true });
  return partial;
}
