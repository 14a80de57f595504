// textkeeper as a library: `import { openArchive, render } from 'textkeeper'`.
export { openArchive, type MessageArchive, type OpenArchiveOptions } from './library/archive.js';
export { render, type Format, type RenderOptions } from './library/render.js';
export { Interrupted, Refusal, SystemFailure, UserError } from './errors.js';
export type { ExportSummary } from './engine/export.js';
export type { ConversationRecord } from './render/json/records.js';
export type * from './model/types.js';
