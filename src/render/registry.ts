import type { Renderer } from './renderer.js';

/**
 * Every output format by name; `--format` picks from these. Renderers load on demand, so a text
 * export does not pay for loading pdfkit, fonts, sharp and Handlebars.
 */
export const RENDERERS: Record<string, () => Promise<Renderer>> = {
  txt: async () => new (await import('./txt/text-renderer.js')).TextRenderer(),
  html: async () => new (await import('./html/html-renderer.js')).HtmlRenderer(),
  pdf: async () => new (await import('./pdf/pdf-renderer.js')).PdfRenderer(),
  json: async () => new (await import('./json/json-renderer.js')).JsonRenderer(),
  ndjson: async () => new (await import('./ndjson/ndjson-renderer.js')).NdjsonRenderer(),
  csv: async () => new (await import('./csv/csv-renderer.js')).CsvRenderer(),
};
