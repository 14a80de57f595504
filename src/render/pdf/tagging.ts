// The PDF's logical structure (a tagged PDF), for screen readers and accessibility checks: what each thing
// drawn is (a heading, a paragraph, a figure with its alternative text), or that it is an artifact (page
// furniture a reader skips: running headers and footers, page numbers, backgrounds, rules).

import { headsRow, lightenNewestParent, writePageParents } from './pdfkit-internals.js';

export type Role = 'Sect' | 'Div' | 'P' | 'H1' | 'H2' | 'Figure' | 'Table' | 'TR' | 'TH' | 'TD';

/**
 * Where drawn content belongs: an element of `role` under `parent` (none: the document). Layouts describe
 * tags as they lay messages out, ahead of drawing; the element itself is made when its content is first drawn.
 */
export class Tag {
  /** The element, once its content is first drawn; the tag, and the element with it, go once drawn. */
  element?: PDFKit.PDFStructureElement;

  constructor(
    readonly role: Role,
    readonly parent?: Tag,
    /** A figure's alternative text. */
    readonly alt?: string,
  ) {}
}

export function tag(role: Role, parent?: Tag, alt?: string): Tag {
  return new Tag(role, parent, alt);
}

/** Artifacts: a page's running header and footer (page numbers, Bates numbers), or drawn ornament (backgrounds, rules). */
export const PAGINATION = 'pagination';
export const ORNAMENT = 'ornament';

/** What drawing goes into: a structure element, or an artifact. */
export type Mark = Tag | typeof PAGINATION | typeof ORNAMENT;

// Elements holding other elements; each ends when the next one under the same parent begins.
const GROUPS = new Set<Role>(['Sect', 'Div', 'Table', 'TR']);

/**
 * Marks everything drawn as content of an element or as an artifact. Marked content stays open while drawing
 * goes on into the same mark, and closes when the mark changes or the page ends. Elements are written as soon as
 * they end (a message's when the next message begins, its parts' with it), so memory stays flat however long
 * the conversation: the document's element holds only its sections.
 */
export class Structure {
  private readonly root: PDFKit.PDFStructureElement;
  /** The group open under each open element. */
  private readonly openGroup = new Map<PDFKit.PDFStructureElement, PDFKit.PDFStructureElement>();
  private current?: Mark;
  /** The Link element of the link drawn last, while nothing else has been drawn since. */
  private openLink?: { within: Tag; url: string; element: PDFKit.PDFStructureElement };

  constructor(private readonly doc: PDFKit.PDFDocument) {
    this.root = doc.struct('Document');
    doc.addStructure(this.root);
  }

  /** Draws what follows into `mark`. */
  mark(mark: Mark): void {
    if (mark === this.current) return;
    this.close();
    this.endLink();
    if (mark === PAGINATION) this.doc.markContent('Artifact', { type: 'Pagination' });
    else if (mark === ORNAMENT) this.doc.markContent('Artifact');
    else this.element(mark).add(this.doc.markStructureContent(mark.role));
    this.current = mark;
  }

  /**
   * Draws a link to `url` (`draw`) as content of a Link element in `within`'s element, and has `annotate` make
   * its annotation, given that element to refer to it; a link in an artifact has no element. A link drawn next to
   * the same address in the same element, with nothing drawn between (the rest of an address wrapped onto the next
   * line of the page, or the same address again at the start of the next paragraph), is more of the same Link: a
   * screen reader reads it as one link, with an annotation for each line. A Link is written once something else
   * is drawn, or its page ends.
   */
  link(within: Mark, url: string, draw: () => void, annotate: (link?: PDFKit.PDFStructureElement) => void): void {
    if (typeof within !== 'object') {
      this.mark(within);
      draw();
      annotate();
      return;
    }
    this.close();
    const open = this.openLink;
    const link = open && open.within === within && open.url === url ? open.element : this.newLink(within, url);
    link.add(this.doc.markStructureContent('Link'));
    draw();
    this.doc.endMarkedContent();
    annotate(link);
    lightenNewestParent(this.doc);
  }

  private newLink(within: Tag, url: string): PDFKit.PDFStructureElement {
    this.endLink();
    const element = this.doc.struct('Link');
    this.element(within).add(element);
    this.openLink = { within, url, element };
    return element;
  }

  private endLink(): void {
    this.openLink?.element.end();
    this.openLink = undefined;
  }

  /** Call before a page ends (and before the document ends). */
  pageEnding(): void {
    this.close();
    this.endLink();
    writePageParents(this.doc);
  }

  /** Call before the document ends: ends every element. */
  end(): void {
    this.pageEnding();
    this.root.end();
  }

  /** Closes the open marked content, if any: what is drawn next opens its own. */
  close(): void {
    if (this.current !== undefined) this.doc.endMarkedContent();
    this.current = undefined;
  }

  private element(tag: Tag): PDFKit.PDFStructureElement {
    if (tag.element) return tag.element;
    const parent = tag.parent ? this.element(tag.parent) : this.root;
    const element = this.doc.struct(tag.role, tag.alt ? { alt: tag.alt } : {});
    if (tag.role === 'TH') headsRow(element);
    if (GROUPS.has(tag.role)) {
      const previous = this.openGroup.get(parent);
      if (previous) this.endGroup(previous);
      this.openGroup.set(parent, element);
    }
    parent.add(element);
    tag.element = element;
    return element;
  }

  private endGroup(group: PDFKit.PDFStructureElement): void {
    const inner = this.openGroup.get(group);
    if (inner) this.endGroup(inner);
    this.openGroup.delete(group);
    group.end();
  }
}
