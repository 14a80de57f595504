// Conformance: every typedstream case of the fixtures manifest (SCHEMA.md §2.1).
import { describe, expect, it } from 'vitest';
import {
  bodyComponents,
  decodeAttributedBody,
  legacyBodyText,
  type BodyComponent,
} from '../../src/decode/attributed-body.js';
import { DecodeError } from '../../src/decode/errors.js';
import { ArchivedData, ArchivedNumber, ArchivedObject, ArchivedURL, decodeTypedstream } from '../../src/decode/typedstream.js';
import { componentsAsManifest, expectedComponents, fixtureBytes, fixturesPresent, manifestCases } from './fixtures.js';

/** A decoded attribute value in the manifest's notation. */
function manifestValue(value: unknown): unknown {
  if (value instanceof ArchivedNumber) return { type: 'NSNumber', objc_type: value.objcType, value: value.value };
  if (value instanceof ArchivedURL) return { type: 'NSURL', base: value.base, relative: value.relative };
  if (value instanceof ArchivedData) {
    const magic = Buffer.from(value.bytes.subarray(0, 8)).toString('latin1');
    return { type: 'NSData', class: value.className, length: value.bytes.length, starts_with_bplist00: magic === 'bplist00' };
  }
  if (value instanceof Map) {
    return { type: 'NSDictionary', class: 'NSDictionary', entries: [...value].map(([k, v]) => [manifestValue(k), manifestValue(v)]) };
  }
  return value;
}

function attachmentsOf(components: BodyComponent[]) {
  return components.filter((c): c is Extract<BodyComponent, { type: 'attachment' }> => c.type === 'attachment');
}

const cases = manifestCases('typedstream');

describe.skipIf(!fixturesPresent)('typedstream fixtures', () => {
  it('covers all 27 typedstream blobs', () => {
    expect(cases.length).toBe(27);
  });

  for (const c of cases) {
    const e = c.expect;
    const blob = fixtureBytes(c.file);

    if (!e.decodes) {
      it(`${c.id}: strict decoding fails, the fallback text is used`, () => {
        expect(() => decodeAttributedBody(blob)).toThrow(DecodeError);
        expect(() => decodeAttributedBody(blob)).toThrow(/need 157 bytes/);
        const text = legacyBodyText(blob);
        expect(text?.startsWith(e.legacy_text.starts_with)).toBe(true);
        expect(text).toBe(e.legacy_text.full_derived);
      });
      continue;
    }

    it(`${c.id}: archive structure`, () => {
      const archive = decodeTypedstream(blob);
      expect(archive.root).toBeInstanceOf(ArchivedObject);
      expect((archive.root as ArchivedObject).classChain).toEqual(e.root_class_chain);
      expect({ shared_strings: archive.sharedStringCount, objects: archive.objectCount }).toEqual(e.table_sizes);
    });

    it(`${c.id}: text and attribute runs in archive order`, () => {
      const body = decodeAttributedBody(blob);
      expect(body.text).toBe(e.text);
      expect(body.text.length).toBe(e.text_utf16_length);
      expect(Buffer.byteLength(body.text)).toBe(e.text_utf8_length);
      expect(body.runs.map((run) => ({ start: run.start, end: run.end, attributes: [...run.attributes].map(([k, v]) => [k, manifestValue(v)]) }))).toEqual(
        e.runs.map((run: { start: number; end: number; attributes: unknown[] }) => ({ start: run.start, end: run.end, attributes: run.attributes })),
      );
    });

    it(`${c.id}: components`, () => {
      const components = bodyComponents(decodeAttributedBody(blob));
      const expected = expectedComponents(e.components) as { type: string; width?: unknown; height?: unknown }[];
      if (e.attachment_dimensions_in_blob) {
        // Deliberate deviation (SCHEMA trap 1): we read sizes from integer NSNumbers too, so every
        // attachment carries the dimensions actually stored in the blob. For `Attachment` (stored as
        // `d`) that equals the asserted 952 × 1139; for `AttachmentI16` (stored as `q`) the reference
        // exporter asserts null and we give 660 × 600.
        const sizes = e.attachment_dimensions_in_blob as { width: number; height: number }[];
        expected.filter((x) => x.type === 'attachment').forEach((x, i) => Object.assign(x, sizes[i]));
        expect(attachmentsOf(components).map(({ width, height }) => ({ width, height }))).toEqual(sizes);
      }
      expect(componentsAsManifest(components)).toEqual(expected);
    });

    for (const variant of e.with_edit_status ?? []) {
      it(`${c.id}: components with part statuses ${variant.given_part_status.join(',')}`, () => {
        const components = bodyComponents(decodeAttributedBody(blob), variant.given_part_status);
        expect(componentsAsManifest(components)).toEqual(expectedComponents(variant.components));
      });
    }

    it(`${c.id}: fallback text extraction`, () => {
      const text = legacyBodyText(blob);
      if (e.legacy_text.error) expect(text).toBeUndefined();
      else expect(text).toBe(e.legacy_text.equals);
    });
  }
});
