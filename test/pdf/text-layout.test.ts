import { describe, expect, test } from 'vitest';
import { fontChains } from '../../src/fonts/fonts.js';
import { shapedRightToLeft } from '../../src/render/pdf/glyph-runs.js';
import { TextLayout, type Run, type TextLine } from '../../src/render/pdf/text-layout.js';

// Every character is 5 points wide at any size, so line breaks are easy to predict.
const layout = new TextLayout(fontChains().regular, (_face, _size, text) => Array.from(text).length * 5);

function drawn(line: TextLine): string {
  return line.runs.map((run: Run) => (run.kind === 'text' ? run.text : `[${run.codes.join('+')}]`)).join('');
}

function faces(line: TextLine): string[] {
  return line.runs.flatMap((run) => (run.kind === 'text' ? [run.face] : []));
}

describe('text layout', () => {
  test('a word its face fails to shape is one placeholder standing for it, remembered for the warning', () => {
    const failing = new TextLayout(fontChains().regular, (_face, _size, text) => {
      if (text === 'ਸ੍ਰੀ') throw new Error('a font fault');
      return Array.from(text).length * 5;
    });
    const [line] = failing.lines('ਸਤ ਸ੍ਰੀ ਅਕਾਲ', 10, 1000);
    expect(drawn(line)).toBe('ਸਤ \ufffd ਅਕਾਲ');
    expect(line.runs.find((run) => run.kind === 'text' && run.actual)).toMatchObject({ text: '\ufffd', actual: 'ਸ੍ਰੀ' });
    expect([...failing.unshaped]).toEqual(['ਸ੍ਰੀ']);
  });

  test('each script gets a bundled face that has its glyphs', () => {
    const [line] = layout.lines('Abc Ωμέγα Яблоко 中文 שלום', 10, 1000);
    expect(new Set(faces(line))).toEqual(new Set(['NotoSans', 'NotoSansSC', 'NotoSansHebrew']));
    const [arabic] = layout.lines('مرحبا', 10, 1000);
    expect(faces(arabic)).toEqual(['NotoSansArabic']);
    const [korean] = layout.lines('안녕하세요', 10, 1000);
    expect(faces(korean)).toEqual(['NotoSansKR']);
  });

  test('emoji become image runs named after their Twemoji asset, with skin tones and ZWJ sequences kept whole', () => {
    const [line] = layout.lines('ok 👍🏽 👨‍👩‍👧 ❤️', 10, 1000);
    expect(line.runs.filter((r) => r.kind === 'emoji').map((r) => (r as { codes: string[] }).codes)).toEqual([
      ['1f44d-1f3fd'],
      ['1f468-200d-1f469-200d-1f467'],
      ['2764'],
    ]);
  });

  test('right-to-left words come out in visual order; fontkit reverses the letters inside each word', () => {
    const [line] = layout.lines('שלום עולם', 10, 1000);
    expect(line.rtl).toBe(true);
    expect(drawn(line)).toBe('עולם שלום');
    const [mixed] = layout.lines('I said שלום עולם today', 10, 1000);
    expect(mixed.rtl).toBe(false);
    expect(drawn(mixed)).toBe('I said עולם שלום today');
  });

  test('neutral characters inside right-to-left text are reversed and mirrored', () => {
    const [line] = layout.lines('שלום (עולם)', 10, 1000);
    // fontkit reverses the word with its brackets: they are mirrored for it.
    expect(drawn(line)).toBe(')עולם( שלום');
  });

  test('brackets in right-to-left text are mirrored in the words fontkit reverses; Arabic-Indic digits are laid out left to right', () => {
    const [line] = layout.lines('الطلب ١٢٣٤٥ (بخير) ۱۰:۳۰', 10, 1000);
    // Runs in visual order; fontkit reverses the letters of each Arabic word, brackets and all, but not the digits.
    expect(drawn(line)).toBe('۱۰:۳۰ )بخير( ١٢٣٤٥ الطلب');
    const reversedByFontkit = line.runs.flatMap((run) => (run.kind === 'text' && shapedRightToLeft(run.text) ? [run.text] : []));
    expect(reversedByFontkit).toEqual([')بخير(', 'الطلب']);
  });

  test('lines break at spaces, between ideographs, and anywhere inside a word wider than the line', () => {
    expect(layout.lines('aaaa bbbb cccc', 10, 40).map(drawn)).toEqual(['aaaa', 'bbbb', 'cccc']);
    expect(layout.lines('中文中文中文', 10, 20).map(drawn)).toEqual(['中文中文', '中文']);
    const long = layout.lines('x'.repeat(40_000), 10, 500);
    expect(long).toHaveLength(400);
    expect(long.every((l) => l.width <= 500)).toBe(true);
    expect(layout.lines('one\n\ntwo', 10, 500).map(drawn)).toEqual(['one', '', 'two']);
  });

  test('characters no face has become their compatibility form, or U+FFFD and are reported', () => {
    const fresh = new TextLayout(fontChains().regular, (_f, _s, t) => t.length * 5);
    expect(drawn(fresh.lines('Ⅿ', 10, 1000)[0])).toBe('M');
    expect(drawn(fresh.lines('a\tb\ufffcc', 10, 1000)[0])).toBe('a bc');
    expect(drawn(fresh.lines('ᱚ', 10, 1000)[0])).toBe('\ufffd');
    expect([...fresh.missing]).toEqual(['ᱚ']);
  });

  test('a placeholder keeps the character it stands for, for extraction, and breaks lines as that character would', () => {
    const [line] = layout.lines('x𠀁y', 10, 1000);
    expect(drawn(line)).toBe('x\ufffdy');
    expect(line.runs.map((run) => (run.kind === 'text' ? run.actual : undefined))).toEqual([undefined, '𠀁', undefined]);
    // An ideograph no face has is still an ideograph: a line may break beside it.
    expect(layout.lines('中𠀁中', 10, 10).map(drawn)).toEqual(['中\ufffd', '中']);
  });

  test('pictographs no font has are Twemoji images, with or without U+FE0F; sequences of Unicode 15.1 are whole images', () => {
    const emoji = (text: string) => layout.lines(text, 10, 1000)[0]!.runs.map((run) => (run.kind === 'emoji' ? run.codes : run.text));
    expect(emoji('☺ ✈ ✔')).toEqual([['263a'], ' ', ['2708'], ' ', ['2714']]);
    expect(emoji('🐦‍🔥')).toEqual([['1f426-200d-1f525']]);
    expect(emoji('⛓️‍💥')).toEqual([['26d3-200d-1f4a5']]);
    expect(emoji('🫩 \u{1facd}')).toEqual([['1fae9'], ' ', ['1facd']]);
    // Symbols a font has stay text.
    expect(emoji('© ↔').join('')).toBe('© ↔');
  });

  test('every character of every bundled face is drawn in a face that has it, in any surroundings', () => {
    for (const chain of [fontChains().regular, fontChains().bold]) {
      const fresh = new TextLayout(chain, (_f, _s, t) => t.length * 5);
      const covered = new Set(chain.faces.flatMap((face) => face.font().characterSet));
      const wrong: string[] = [];
      for (const codePoint of covered) {
        const char = String.fromCodePoint(codePoint);
        if (/\p{Cn}|\p{Cs}/u.test(char)) continue; // noncharacters some cmaps list
        for (const text of [char, `a${char}`, `א${char}א`]) {
          const runs = fresh.lines(text, 10, 100_000).flatMap((line) => line.runs);
          const faceOf = (name: string) => chain.faces.find((face) => face.name === name)!.font();
          const ok = runs.every((run) => run.kind === 'emoji' || (!run.actual && Array.from(run.text).every((c) => c === ' ' || faceOf(run.face).hasGlyphForCodePoint(c.codePointAt(0)!))));
          if (!ok) wrong.push(`U+${codePoint.toString(16)} in ${text}`);
        }
      }
      expect(wrong).toEqual([]);
    }
  });
});
