import type { Renderer } from './renderer.js';
import { TextRenderer } from './txt/text-renderer.js';
import { HtmlRenderer } from './html/html-renderer.js';
import { PdfRenderer } from './pdf/pdf-renderer.js';

/** Every output format by name; `--format` picks from these. */
export const RENDERERS: Record<string, () => Renderer> = {
  txt: () => new TextRenderer(),
  html: () => new HtmlRenderer(),
  pdf: () => new PdfRenderer(),
};
