// Conformance: inline_cases.json through the plain-text body splitter (SCHEMA.md §2.10, §4.10).
import { describe, expect, it } from 'vitest';
import { legacyComponents } from '../../src/decode/attributed-body.js';
import { componentsAsManifest, expectedComponents, fixtureText, fixturesPresent } from './fixtures.js';

interface InlineCase {
  id: string;
  input: { text: string | null; given_part_status?: ('original' | 'edited' | 'unsent')[] };
  expect: { components: { type: string; start?: number }[] };
}

const cases: InlineCase[] = fixturesPresent ? JSON.parse(fixtureText('inline_cases.json')) : [];

describe.skipIf(!fixturesPresent)('legacy body splitter', () => {
  it('covers all 8 inline cases', () => expect(cases.length).toBe(8));
  for (const c of cases) {
    it(c.id, () => {
      const components = componentsAsManifest(legacyComponents(c.input.text ?? '', c.input.given_part_status)) as Record<string, unknown>[];
      // The reference splitter gives attachments no offsets; ours carry the U+FFFC's position.
      const expected = expectedComponents(c.expect.components) as Record<string, unknown>[];
      for (const [i, component] of components.entries()) {
        if (component.type === 'attachment' && !('start' in expected[i])) {
          expect(c.input.text!.charCodeAt(component.start as number)).toBe(0xfffc);
          delete component.start;
          delete component.end;
        }
      }
      expect(components).toEqual(expected);
    });
  }
});
