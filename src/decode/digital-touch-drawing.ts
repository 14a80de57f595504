// What a Digital Touch shows, as a drawing on its black 4:5 canvas (the Apple Watch's screen shape)
// and as caption lines with its facts. Sketches and taps keep their strokes, places and colors;
// heartbeats, kisses and fireballs get a drawn symbol where the sender put them.

import type { Drawing } from '../model/types.js';
import { touchName, type DigitalTouch, type TouchPoint } from './digital-touch.js';

const WIDTH = 320;
const HEIGHT = 400;
const BLACK = '#000000';
const SKETCH_WIDTH = 8;
const TAP_RADIUS = 22;
const HEART_RED = '#ff2d55';
const KISS_RED = '#e8184a';
const FIRE = ['#ff6a00', '#ffb000', '#fff3b0'];
const CENTER: TouchPoint = [0.5, 0.5];

type Point = [x: number, y: number];
type Fill = NonNullable<Drawing['fills']>[number];

/** The drawing of a Digital Touch, in a 320 × 400 space. */
export function touchDrawing(touch: DigitalTouch): Drawing {
  const drawing: Drawing = { width: WIDTH, height: HEIGHT, strokes: [], strokeColors: [], fills: [], background: BLACK };
  const stroke = (points: Point[], width: number, color: string) => {
    drawing.strokes.push(points.map(([x, y]) => [x, y, width]));
    drawing.strokeColors!.push(color);
  };
  switch (touch.kind) {
    case 'sketch':
      (touch.strokes ?? []).forEach((points, i) => stroke(points.map(onCanvas), SKETCH_WIDTH, touch.colors?.[i] ?? '#ffffff'));
      break;
    case 'tap':
      (touch.points ?? []).forEach((point, i) => {
        const color = touch.colors?.[i] ?? '#ffffff';
        drawing.fills!.push({ points: circle(onCanvas(point), TAP_RADIUS * 0.45), color });
        stroke(circle(onCanvas(point), TAP_RADIUS), 4, color);
      });
      break;
    case 'heartbeat': {
      drawing.fills!.push({ points: heart(onCanvas(CENTER), 170), color: HEART_RED });
      if ((touch.heartBrokenAt ?? 0) > 0) stroke(crack(onCanvas(CENTER), 170), 12, BLACK);
      break;
    }
    case 'kiss':
      for (const point of touch.points?.length ? touch.points : [CENTER]) drawing.fills!.push(...lips(onCanvas(point), 120));
      break;
    case 'fireball': {
      const path = (touch.points?.length ? touch.points : [CENTER]).map(onCanvas);
      if (path.length > 1) stroke(path, 18, FIRE[0]!);
      FIRE.forEach((color, i) => drawing.fills!.push({ points: circle(path[path.length - 1]!, 40 - i * 12), color }));
      break;
    }
    case 'unknown':
      break;
  }
  return drawing;
}

/** The facts worth reading beside the drawing: strokes, taps, beats per minute, durations, colors. */
export function touchCaptions(touch: DigitalTouch): string[] {
  const captions: string[] = [];
  const colors = [...new Set(touch.colors ?? [])].join(', ');
  if (touch.kind === 'sketch') captions.push(count(touch.strokes?.length ?? touch.strokesCount ?? 0, 'stroke'));
  if (touch.kind === 'tap') captions.push(count(touch.points?.length ?? 0, 'tap'));
  if (touch.kind === 'kiss') captions.push(count(Math.max(1, touch.points?.length ?? 0), 'kiss', 'kisses'));
  if (colors) captions[captions.length - 1] += ` in ${colors}`;
  if (touch.bpm) captions.push(`${Math.round(touch.bpm)} BPM`);
  if (touch.duration) captions.push(`${seconds(touch.duration)} long`);
  if (touchName(touch) === 'broken heart') captions.push(`broke after ${seconds(touch.heartBrokenAt!)}`);
  return captions;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function seconds(value: number): string {
  return `${Number(value.toFixed(1))} s`;
}

function onCanvas([x, y]: TouchPoint): Point {
  return [round(x * WIDTH), round(y * HEIGHT)];
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function circle([cx, cy]: Point, radius: number): Point[] {
  return Array.from({ length: 33 }, (_, i) => {
    const angle = (i / 32) * 2 * Math.PI;
    return [round(cx + radius * Math.cos(angle)), round(cy + radius * Math.sin(angle))];
  });
}

/** The classic heart curve, `size` wide, centered on the point. */
function heart([cx, cy]: Point, size: number): Point[] {
  const scale = size / 32;
  return Array.from({ length: 64 }, (_, i) => {
    const t = (i / 64) * 2 * Math.PI;
    const x = 16 * Math.sin(t) ** 3;
    const y = 13 * Math.cos(t) - 5 * Math.cos(2 * t) - 2 * Math.cos(3 * t) - Math.cos(4 * t);
    return [round(cx + x * scale), round(cy - (y + 2.5) * scale)];
  });
}

/** A zigzag down the middle of a heart `size` wide. */
function crack([cx, cy]: Point, size: number): Point[] {
  const steps: Point[] = [[0, -0.3], [-0.08, -0.12], [0.07, 0.02], [-0.06, 0.16], [0.03, 0.3], [0, 0.42]];
  return steps.map(([x, y]) => [round(cx + x * size), round(cy + y * size)]);
}

/** Two lips `size` wide, the upper with its bow, the lower rounder, a thin gap between them. */
function lips([cx, cy]: Point, size: number): Fill[] {
  const half = size / 2;
  const xs = Array.from({ length: 25 }, (_, i) => -1 + i / 12);
  const curve = (y: (x: number) => number): Point[] => xs.map((x) => [round(cx + x * half), round(cy + y(x) * half)]);
  const upper = curve((x) => -(1 - x * x) * (0.55 - 0.3 * Math.exp(-((x / 0.2) ** 2))));
  const lower = curve((x) => 0.6 * (1 - x * x));
  return [
    { points: [...upper, ...curve(() => 0).reverse()], color: KISS_RED },
    { points: [...curve((x) => 0.08 * (1 - x * x)), ...lower.reverse()], color: KISS_RED },
  ];
}
