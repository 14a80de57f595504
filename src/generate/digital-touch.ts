// payload_data of Digital Touch balloons, written as the Messages app stores them (fixtures SCHEMA.md §4.7):
// a protobuf naming the kind, with the kind's own message inside; positions as uint16 pairs spanning
// the canvas, colors as R, G, B, A bytes.

import type { Random } from './random.js';

export const TOUCH_KINDS = ['sketch', 'tap', 'heartbeat', 'heartbreak', 'kiss', 'fireball'] as const;
export type GeneratedTouch = (typeof TOUCH_KINDS)[number];

const KIND_IDS: Record<GeneratedTouch, number> = { tap: 1, heartbeat: 3, heartbreak: 3, sketch: 4, kiss: 7, fireball: 8 };
const PALETTE = [[255, 0, 252], [255, 59, 48], [52, 199, 89], [0, 122, 255], [255, 204, 0], [255, 255, 255]];
const WHITE = 0xffffffff;

/** A Digital Touch payload of the kind, its strokes, places and colors drawn from the random source. */
export function encodeDigitalTouch(kind: GeneratedTouch, random: Random): Uint8Array {
  const color = random.pick(PALETTE);
  const inner = new ProtoWriter();
  switch (kind) {
    case 'sketch': {
      const strokes = Array.from({ length: random.int(1, 3) }, () => squiggle(random));
      inner.varint(1, strokes.length);
      inner.bytes(2, concat(strokes.map((points) => concat([uint16s([0, points.length / 2]), uint16s(points)]))));
      inner.bytes(3, Uint8Array.from(strokes.flatMap(() => [...color, 255])));
      break;
    }
    case 'tap': {
      const taps = random.int(1, 4);
      inner.bytes(2, uint16s(Array.from({ length: taps }, (_, i) => i * 400)));
      inner.bytes(3, uint16s(Array.from({ length: taps * 2 }, () => random.int(0x2000, 0xe000))));
      inner.bytes(4, Uint8Array.from(Array.from({ length: taps }, () => [...color, 255]).flat()));
      break;
    }
    case 'heartbeat':
    case 'heartbreak':
      inner.float(1, random.int(60, 110)).varint(2, random.int(2, 6)).float(3, 0).float(4, 0).float(5, 0);
      inner.float(6, kind === 'heartbreak' ? 1 + random.next() : 0);
      break;
    case 'kiss':
      inner.bytes(1, uint16s([0])).bytes(2, uint16s([random.int(0x4000, 0xc000), random.int(0x4000, 0xc000)])).bytes(3, uint16s([random.int(0, 359)]));
      break;
    case 'fireball': {
      const path = Array.from({ length: 6 }, () => random.int(0x3000, 0xd000));
      inner.float(1, 1 + random.next() * 3).float(2, path[0]! / 0x7fff - 1).float(3, path[1]! / 0x7fff - 1);
      inner.bytes(4, uint16s([0, 300, 600])).bytes(5, uint16s(path));
      break;
    }
  }
  const colored = kind === 'sketch' || kind === 'tap';
  const outer = new ProtoWriter().varint(1, KIND_IDS[kind]).fixed64(2).bytes(3, inner.finish());
  outer.fixed32(4, colored ? ((color[0]! << 24) | (color[1]! << 16) | (color[2]! << 8) | 255) >>> 0 : WHITE);
  return outer.string(5, random.guid()).varint(6, 0).fixed64(7).finish();
}

/** A smooth stroke as x, y, x, y, … in uint16 canvas units: a wandering curve of 20–70 points. */
function squiggle(random: Random): number[] {
  const count = random.int(20, 70);
  const [cx, cy, rx, ry] = [random.int(0x5000, 0xb000), random.int(0x5000, 0xb000), random.int(0x1000, 0x4000), random.int(0x1000, 0x4000)];
  const [turns, phase] = [0.5 + random.next() * 1.5, random.next() * 2 * Math.PI];
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = phase + (i / count) * turns * 2 * Math.PI;
    values.push(Math.round(cx + rx * Math.cos(t)), Math.round(cy + ry * Math.sin(2 * t)));
  }
  return values;
}

function uint16s(values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 2);
  values.forEach((value, i) => {
    bytes[2 * i] = value & 0xff;
    bytes[2 * i + 1] = (value >> 8) & 0xff;
  });
  return bytes;
}

function concat(parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((part) => [...part]));
}

/** Just enough of the protobuf wire format to write these payloads. */
class ProtoWriter {
  private readonly out: number[] = [];

  varint(field: number, value: number): this {
    this.key(field, 0).raw(value);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2).raw(value.length);
    this.out.push(...value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  float(field: number, value: number): this {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.key(field, 5).out.push(...bytes);
    return this;
  }

  fixed32(field: number, value: number): this {
    this.key(field, 5).out.push(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24);
    return this;
  }

  fixed64(field: number): this {
    this.key(field, 1).out.push(0, 0, 0, 0, 0, 0, 0, 0);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.out);
  }

  private key(field: number, wireType: number): this {
    return this.raw(field * 8 + wireType);
  }

  private raw(value: number): this {
    for (; value >= 0x80; value = Math.floor(value / 128)) this.out.push((value % 128) | 0x80);
    this.out.push(value);
    return this;
  }
}
