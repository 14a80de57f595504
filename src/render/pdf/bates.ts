import { open } from 'node:fs/promises';
import type { BatesOptions } from '../renderer.js';
import type { Canvas } from './canvas.js';
import { textWidth } from './glyph-runs.js';
import { LateText } from './late-text.js';
import { COLORS, TYPE } from './theme.js';


// Marks each page's stamp in the file: a content-stream comment, so it changes nothing drawn.
const MARKER = Buffer.from('%textkeeper-bates\n');
// The stamp is written with every digit, so the finished file itself tells each digit's glyph code.
const TEMPLATE = '0123456789';
const GLYPH_HEX = 4;
const CHUNK = 1024 * 1024;
// Enough bytes after a marker to hold the stamp's content.
const STAMP_BYTES = 512;

/**
 * Bates numbers for pages whose numbers are known only when every PDF of the run is finished (they are
 * drawn side by side on several threads): each page gets a small uncompressed form holding a
 * placeholder of the same length, rewritten in place by `numberPages` at the end.
 */
export class BatesStamp {
  readonly width: number;

  constructor(
    private readonly canvas: Canvas,
    private readonly options: BatesOptions,
  ) {
    const face = canvas.layout.faceNames[0]!;
    this.width = textWidth(canvas.doc, face, TYPE.small, `${options.prefix}-${'0'.repeat(options.digits)}`);
  }

  /** Stamps the current page, the stamp ending at `right`. */
  place(right: number, baseline: number): void {
    const face = this.canvas.layout.faceNames[0]!;
    const stamp = new LateText(this.canvas.doc, 'Bates', { face, size: TYPE.small, color: COLORS.text, width: this.width * 2, plain: true });
    stamp.place(right - this.width, baseline);
    stamp.finish(`${this.options.prefix}-${TEMPLATE}`, MARKER.toString('latin1'));
  }
}

/** The order Bates numbers run in across a run's PDFs: by conversation title, then file name. */
export function inBatesOrder<T>(items: T[], titleOf: (item: T) => string, fileOf: (item: T) => string): T[] {
  return [...items].sort((a, b) => titleOf(a).localeCompare(titleOf(b)) || fileOf(a).localeCompare(fileOf(b)));
}

/** Numbers the pages of these PDFs consecutively, in this order; returns each file's first and last number. */
export async function numberPages(files: string[], options: BatesOptions): Promise<{ file: string; first: string; last: string }[]> {
  const ranges = [];
  let next = options.start;
  for (const file of files) {
    const first = next;
    next = await numberFile(file, next, options.digits);
    ranges.push({ file, first: label(options, first), last: label(options, next - 1) });
  }
  return ranges;
}

export function label(options: BatesOptions, n: number): string {
  return `${options.prefix}-${String(n).padStart(options.digits, '0')}`;
}

/** Rewrites every stamp of one file, numbering from `from`; returns the number after its last. */
async function numberFile(file: string, from: number, digits: number): Promise<number> {
  const handle = await open(file, 'r+');
  try {
    let next = from;
    for (const position of await markers(handle)) {
      const buffer = Buffer.alloc(STAMP_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, STAMP_BYTES, position);
      const stamp = buffer.subarray(0, bytesRead).toString('latin1');
      const rewritten = withNumber(stamp, String(next++).padStart(digits, '0'));
      await handle.write(Buffer.from(rewritten, 'latin1'), 0, rewritten.length, position);
    }
    return next;
  } finally {
    await handle.close();
  }
}

/** The stamp's content with the number in place of the template digits, padded to the same length. */
function withNumber(stamp: string, number: string): string {
  const match = /<([0-9a-f]+)> Tj ET/.exec(stamp);
  if (!match || number.length > TEMPLATE.length) throw new Error('a Bates stamp in the PDF is not as written');
  const hex = match[1]!;
  const split = hex.length - TEMPLATE.length * GLYPH_HEX;
  const glyphOf = (digit: string) => hex.slice(split + Number(digit) * GLYPH_HEX, split + (Number(digit) + 1) * GLYPH_HEX);
  const glyphs = hex.slice(0, split) + Array.from(number, glyphOf).join('');
  const original = stamp.slice(0, match.index + match[0].length);
  const replaced = `${stamp.slice(0, match.index)}<${glyphs}> Tj ET`;
  return replaced.padEnd(original.length, ' ');
}

/** Offsets of every stamp marker in the file, in order, reading it in chunks. */
async function markers(handle: Awaited<ReturnType<typeof open>>): Promise<number[]> {
  const found: number[] = [];
  const buffer = Buffer.alloc(CHUNK + MARKER.length);
  let carried = 0;
  for (let offset = 0; ; ) {
    const { bytesRead } = await handle.read(buffer, carried, CHUNK, offset);
    const end = carried + bytesRead;
    const start = offset - carried;
    for (let at = buffer.indexOf(MARKER, 0); at >= 0 && at + MARKER.length <= end; at = buffer.indexOf(MARKER, at + 1)) {
      found.push(start + at);
    }
    if (bytesRead === 0) return found;
    offset += bytesRead;
    carried = Math.min(MARKER.length - 1, end);
    buffer.copy(buffer, 0, end - carried, end);
  }
}
