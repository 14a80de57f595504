// Digital Touch strokes, places and colors decoded from the real payloads (SCHEMA.md §4.7), and what is drawn from them.
import { describe, expect, it } from 'vitest';
import { decodeDigitalTouch } from '../../src/decode/digital-touch.js';
import { touchCaptions, touchDrawing } from '../../src/decode/digital-touch-drawing.js';
import { fixtureBytes, fixturesPresent } from './fixtures.js';

const touch = (name: string) => decodeDigitalTouch(fixtureBytes(`digital_touch_message/${name}.bin`));
const u16 = (value: number) => value / 0xffff;

describe.skipIf(!fixturesPresent)('Digital Touch strokes and places (real fixtures)', () => {
  it('a sketch: one stroke of 81 points in one color, a continuous line', () => {
    const sketch = touch('sketch');
    expect(sketch.strokes).toHaveLength(sketch.strokesCount!);
    const [stroke] = sketch.strokes!;
    expect(stroke).toHaveLength(81);
    expect(stroke![0]).toEqual([u16(0x3758), u16(0xa892)]);
    expect(stroke![80]).toEqual([u16(0x8e15), u16(0x2c1d)]);
    expect(sketch.colors).toEqual(['#ff00fc']);
    // Neighbouring points of a finger's path are close: no step crosses a tenth of the canvas.
    for (let i = 1; i < stroke!.length; i++) {
      expect(Math.hypot(stroke![i]![0] - stroke![i - 1]![0], stroke![i]![1] - stroke![i - 1]![1])).toBeLessThan(0.1);
    }
    expect(touchCaptions(sketch)).toEqual(['1 stroke in #ff00fc']);
  });

  it('a tap, a kiss and a fireball: where they landed, and the tap’s color', () => {
    expect(touch('tap').points).toEqual([[u16(0x7859), u16(0x922a)]]);
    expect(touch('tap').colors).toEqual(['#ff00fc']);
    expect(touch('kiss').points).toEqual([[u16(0x8479), u16(0x8545)]]);
    const fireball = touch('fireball');
    expect(fireball.points).toHaveLength(3);
    // Its start, stored separately as a position from -1 to 1 around the center, agrees with the first point.
    expect(fireball.points![0]![0] * 2 - 1).toBeCloseTo(-0.0142, 1);
    expect(fireball.points![0]![1] * 2 - 1).toBeCloseTo(-0.0465, 1);
    expect(touchCaptions(fireball)).toEqual(['2.1 s long']);
    expect(touchCaptions(touch('tap'))).toEqual(['1 tap in #ff00fc']);
    expect(touchCaptions(touch('kiss'))).toEqual(['1 kiss']);
  });

  it('heartbeats carry their facts; a broken heart is drawn cracked', () => {
    expect(touchCaptions(touch('heartbeat'))).toEqual(['84 BPM', '2 s long']);
    expect(touchCaptions(touch('heartbreak'))).toEqual(['84 BPM', '2 s long', 'broke after 1.7 s']);
    expect(touchDrawing(touch('heartbeat')).strokes).toHaveLength(0);
    expect(touchDrawing(touch('heartbreak')).strokes).toHaveLength(1);
  });

  it('every kind draws something on the black 4:5 canvas, inside it', () => {
    for (const name of ['sketch', 'tap', 'heartbeat', 'heartbreak', 'kiss', 'fireball']) {
      const drawing = touchDrawing(touch(name));
      expect({ name, width: drawing.width, height: drawing.height, background: drawing.background }).toEqual({ name, width: 320, height: 400, background: '#000000' });
      const points = [...drawing.strokes.flat(), ...(drawing.fills ?? []).flatMap((fill) => fill.points)];
      expect(points.length, name).toBeGreaterThan(0);
      for (const [x, y] of points) expect(x >= 0 && x <= 320 && y >= 0 && y <= 400, `${name} ${x},${y}`).toBe(true);
    }
  });
});

describe('Digital Touch payloads that are cut short', () => {
  it('a stroke whose points run past the end is a decode error', () => {
    // kind 4 (sketch), payload { 1: 1, 2: [0, 0, 5, 0, 1, 2] }: five points announced, one half-point given.
    const payload = Uint8Array.from([0x08, 0x04, 0x1a, 0x0a, 0x08, 0x01, 0x12, 0x06, 0, 0, 5, 0, 1, 2]);
    expect(() => decodeDigitalTouch(payload)).toThrow(/runs past the end/);
  });
});
