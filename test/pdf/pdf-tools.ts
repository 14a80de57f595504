import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** poppler-utils and qpdf, which the tests use to read PDFs as a person's tools would. */

export const REPO = resolve(import.meta.dirname, '../..');
export const ARTIFACTS = join(REPO, 'test-artifacts');

function installed(tool: string): boolean {
  return spawnSync(tool, ['-v'], { stdio: 'ignore' }).error === undefined;
}

export const pdfToolsPresent = ['pdftotext', 'pdfinfo', 'pdftoppm', 'qpdf'].every(installed);
if (!pdfToolsPresent) console.warn('PDF tests skipped: install poppler-utils and qpdf (apt-get install poppler-utils qpdf)');

export function pdfText(file: string, pages?: { first: number; last: number }): string {
  const range = pages ? ['-f', String(pages.first), '-l', String(pages.last)] : [];
  return execFileSync('pdftotext', [...range, '-enc', 'UTF-8', file, '-'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

export function pdfInfo(file: string): Record<string, string> {
  const out = execFileSync('pdfinfo', ['-enc', 'UTF-8', file], { encoding: 'utf8' });
  return Object.fromEntries(out.split('\n').filter(Boolean).map((line) => {
    const at = line.indexOf(':');
    return [line.slice(0, at), line.slice(at + 1).trim()];
  }));
}

/** qpdf's verdict; its exit status is 0 only for a structurally sound file. */
export function qpdfCheck(file: string): { ok: boolean; output: string } {
  const result = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/**
 * The file rewritten by qpdf with every object plain and every stream decompressed, as text: the renderer packs
 * dictionaries into compressed object streams.
 */
export function plainPdf(file: string): string {
  return execFileSync('qpdf', ['--qdf', '--object-streams=disable', file, '-'], { encoding: 'latin1', maxBuffer: 1 << 28 });
}

/** Bookmark titles, nested ones indented by two spaces per level. */
export function outlineTitles(file: string): string[] {
  return flatOutline(file).map(({ item, depth }) => `${'  '.repeat(depth)}${item.title}`);
}

/** How each bookmark shows its page: `/Fit`, or `/XYZ left top zoom`. */
export function outlineViews(file: string): string[] {
  return flatOutline(file).map(({ item }) => item.dest.slice(1).join(' '));
}

function flatOutline(file: string): { item: Outline; depth: number }[] {
  const json = JSON.parse(execFileSync('qpdf', ['--json', '--json-key=outlines', file], { encoding: 'utf8' })) as {
    outlines: Outline[];
  };
  const flat: { item: Outline; depth: number }[] = [];
  const walk = (items: Outline[], depth: number) => {
    for (const item of items) {
      flat.push({ item, depth });
      walk(item.kids, depth + 1);
    }
  };
  walk(json.outlines, 0);
  return flat;
}

interface Outline {
  title: string;
  dest: (string | number)[];
  kids: Outline[];
}

/** Renders pages to PNG under test-artifacts/ for a person to look at. */
export function savePng(file: string, name: string, page: number): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  const prefix = join(ARTIFACTS, name);
  execFileSync('pdftoppm', ['-r', '90', '-png', '-singlefile', '-f', String(page), '-l', String(page), file, prefix]);
  return `${prefix}.png`;
}

/** Text with all whitespace removed, for comparing what was drawn with what was extracted. */
export function squash(text: string): string {
  return text.replace(/\s+/g, '');
}

/** Each font of the file as pdffonts lists it: its name and whether it is embedded. */
export function pdfFonts(file: string): { name: string; embedded: boolean }[] {
  const lines = execFileSync('pdffonts', [file], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean);
  return lines.map((line) => {
    const columns = line.trim().split(/\s+/);
    return { name: columns[0]!, embedded: columns[columns.length - 5] === 'yes' };
  });
}

/** An object of the file as qpdf shows it; `trailer` for the trailer. */
export function pdfObject(file: string, id: string | number): string {
  return execFileSync('qpdf', [`--show-object=${id}`, file], { encoding: 'utf8' });
}

/** The document catalog's dictionary, as text. */
export function pdfCatalog(file: string): string {
  const root = /\/Root (\d+) 0 R/.exec(pdfObject(file, 'trailer'))![1]!;
  return pdfObject(file, root);
}

/** The XMP metadata packet of the catalog, or '' when there is none. */
export function pdfXmp(file: string): string {
  const ref = /\/Metadata (\d+) 0 R/.exec(pdfCatalog(file));
  if (!ref) return '';
  return execFileSync('qpdf', [`--show-object=${ref[1]}`, '--filtered-stream-data', file], { encoding: 'utf8' });
}

/** A structure element of a tagged PDF: its type, alternative text, child elements and how many marked contents it holds. */
export interface StructureElement {
  role: string;
  alt?: string;
  kids: StructureElement[];
  contents: number;
}

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The file's objects as qpdf reads them, and ways to follow references. */
function pdfObjects(file: string) {
  const json = JSON.parse(execFileSync('qpdf', ['--json', '--json-key=qpdf', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })) as {
    qpdf: [unknown, Record<string, { value: JsonValue }>];
  };
  const objects = json.qpdf[1];
  const value = (ref: JsonValue): JsonValue => (typeof ref === 'string' && ref.endsWith(' R') ? objects[`obj:${ref}`]!.value : ref);
  const dict = (ref: JsonValue) => value(ref) as Record<string, JsonValue>;
  const list = (kids: JsonValue | undefined): JsonValue[] => (kids === undefined || kids === null ? [] : Array.isArray(kids) ? kids : [kids]);
  const structTreeRoot = () => dict(dict(objects.trailer!.value)['/Root']!)['/StructTreeRoot'];
  return { objects, value, dict, list, structTreeRoot };
}

/** The document's structure tree as qpdf reads it (the StructTreeRoot's elements), or [] when the PDF has none. */
export function structureTree(file: string): StructureElement[] {
  const { value, dict, list, structTreeRoot } = pdfObjects(file);
  const element = (ref: JsonValue): StructureElement => {
    const data = dict(ref);
    const kids = list(value(data['/K'] ?? null));
    const elements = kids.filter((kid) => typeof kid === 'string' && typeof dict(kid)['/S'] === 'string');
    const alt = data['/Alt'];
    return {
      role: String(data['/S']).slice(1),
      ...(typeof alt === 'string' ? { alt: alt.replace(/^u:/, '') } : {}),
      kids: elements.map(element),
      contents: kids.filter((kid) => typeof kid === 'number' || (typeof kid === 'object' && kid !== null && '/MCID' in kid)).length,
    };
  };
  const root = structTreeRoot();
  return root ? list(value(dict(root)['/K'] ?? null)).map(element) : [];
}

/** A link annotation: its object, the page listing it, its /Contents and /StructParent, and the element the parent tree maps that to. */
export interface LinkAnnotation {
  object: string;
  page: string;
  contents?: string;
  structParent?: number;
  parent?: {
    role: string;
    /** The annotations its OBJR kids refer to, with their pages. */
    objects: { object: string; page: string }[];
    /** How many marked contents it holds. */
    contents: number;
  };
}

/** Every link annotation of the file, page by page (numbers of a parent tree written as one /Nums array, as pdfkit does). */
export function linkAnnotations(file: string): LinkAnnotation[] {
  const { objects, value, dict, list, structTreeRoot } = pdfObjects(file);
  const root = structTreeRoot();
  const nums = root ? list(dict(dict(root)['/ParentTree']!)['/Nums']) : [];
  const parentOf = (key: number) => {
    const at = nums.findIndex((n, i) => i % 2 === 0 && n === key);
    if (at < 0) return undefined;
    const element = dict(nums[at + 1]!);
    const kids = list(value(element['/K'] ?? null)).map((kid) => (typeof kid === 'object' && kid !== null && !Array.isArray(kid) ? kid : {}) as Record<string, JsonValue>);
    return {
      role: String(element['/S']).slice(1),
      objects: kids.filter((kid) => kid['/Type'] === '/OBJR').map((kid) => ({ object: String(kid['/Obj']), page: String(kid['/Pg'] ?? element['/Pg']) })),
      contents: list(value(element['/K'] ?? null)).filter((kid) => typeof kid === 'number' || (typeof kid === 'object' && kid !== null && '/MCID' in kid)).length,
    };
  };
  const pages = Object.entries(objects).filter(([, o]) => (o.value as Record<string, JsonValue> | null)?.['/Type'] === '/Page');
  return pages.flatMap(([page, o]) => list(value((o.value as Record<string, JsonValue>)['/Annots'] ?? null)).flatMap((ref) => {
    const annotation = dict(ref);
    if (annotation['/Subtype'] !== '/Link') return [];
    const key = annotation['/StructParent'];
    return [{
      object: String(ref),
      page: page.replace(/^obj:/, ''),
      ...(typeof annotation['/Contents'] === 'string' ? { contents: annotation['/Contents'].replace(/^u:/, '') } : {}),
      ...(typeof key === 'number' ? { structParent: key, parent: parentOf(key) } : {}),
    }];
  }));
}

/** The structure tree as poppler prints it (`pdfinfo -struct-text`): each element, its attributes, and its text. */
export function structureText(file: string): string {
  return execFileSync('pdfinfo', ['-struct-text', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** Every element of the tree, depth first. */
export function allElements(tree: StructureElement[]): StructureElement[] {
  return tree.flatMap((element) => [element, ...allElements(element.kids)]);
}

/** Each page's content stream, decoded (from qpdf's QDF form, which names each page's contents). */
export function pageContents(file: string): string[] {
  const qdf = `${file}.qdf`;
  execFileSync('qpdf', ['--qdf', '--object-streams=disable', file, qdf]);
  const text = readFileSync(qdf, 'latin1');
  const streams = /%% Contents for page (\d+)\n(?:%%.*\n)*\d+ 0 obj\n<<[^]*?>>\nstream\n([^]*?)endstream/g;
  return [...text.matchAll(streams)].map((match) => match[2]!);
}

// Operators that paint: text, XObjects (images, forms), paths filled or stroked, shadings, inline images.
const PAINTING = new Set(['Tj', 'TJ', "'", '"', 'Do', 'f', 'F', 'f*', 'B', 'B*', 'b', 'b*', 'S', 's', 'sh', 'BI']);

const TOKENS = /\((?:\\.|[^\\)])*\)|<<|>>|<[0-9a-fA-F\s]*>|\[|\]|\/[^\s/[\]()<>{}%]*|[^\s/[\]()<>{}%]+/g;

/**
 * Each painting operator of a content stream with what it is drawn in: the tag of the outermost marked content
 * around it (`Artifact`, or a structure element's role such as `P`), `none` outside any; and for text, the
 * baseline it is drawn at (from its text matrix, in pdfkit's y-down page space).
 */
export function paintedIn(content: string): { operator: string; mark: string; y?: number }[] {
  const painted: { operator: string; mark: string; y?: number }[] = [];
  const marks: string[] = [];
  const operands: string[] = [];
  let y: number | undefined;
  for (const token of content.match(TOKENS) ?? []) {
    if (token === 'BDC' || token === 'BMC') marks.push(operands.find((o) => o.startsWith('/'))!.slice(1));
    else if (token === 'EMC') marks.pop();
    else if (token === 'Tm') y = Number(operands.at(-1));
    else if (PAINTING.has(token)) painted.push({ operator: token, mark: marks[0] ?? 'none', ...(token.startsWith('T') ? { y } : {}) });
    if (/^[A-Za-z'"*]+$/.test(token) && !['true', 'false', 'null'].includes(token)) operands.length = 0;
    else operands.push(token);
  }
  return painted;
}

/**
 * The text as its glyphs are drawn, each line's ActualText ignored (renamed in a plain copy of the file), in the order
 * poppler reads the drawing: where a line's words and numbers were placed, which ActualText would otherwise hide.
 */
export function drawnText(file: string): string {
  const plain = `${file}.drawn.pdf`;
  execFileSync('qpdf', ['--qdf', '--object-streams=disable', file, plain]);
  writeFileSync(plain, readFileSync(plain, 'latin1').replaceAll('/ActualText', '/ActualTexx'), 'latin1');
  return withoutEmbeddings(pdfText(plain));
}

/** Text without the embedding marks pdftotext puts around each direction's stretch, which only steer how a line shows. */
export function withoutEmbeddings(text: string): string {
  return text.replace(/[\u202a-\u202e\u200e\u200f]/g, '');
}
