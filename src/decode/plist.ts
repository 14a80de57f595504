// Property lists from chat.db columns: binary (bplist00) or XML, given as bytes.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Plist from 'plist';
import { DecodeError } from './errors.js';

// Loaded when first needed (a run that keeps every file decodes nothing). The binary parser, which nearly
// all of chat.db's plists need, is loaded from its own file: the package's index also loads an XML parser
// and builder, which took 70-100 ms alone and 150-190 ms of a one-conversation PDF export (the sample's
// largest, with stickers) on a busy machine; they are loaded for the first XML plist.
const require = createRequire(import.meta.url);
let loaded: typeof Plist | undefined;
let binaryParser: typeof Plist.parseBinary | undefined;
const plist = () => (loaded ??= require(entryFile('plist')) as typeof Plist);

/** A binary property list, by the package's binary parser alone (see above). */
export function parseBinaryPlist(bytes: Uint8Array): ReturnType<typeof Plist.parse> {
  binaryParser ??= (require(join(dirname(entryFile('plist')), 'parse-binary.js')) as typeof Plist).parseBinary;
  return binaryParser(bytes);
}

/** A package's main file: require() takes an ES-module-only package by its path (Node ≥ 20.19), not by its name. */
function entryFile(name: string): string {
  for (const dir of require.resolve.paths(name) ?? []) {
    const manifest = join(dir, name, 'package.json');
    if (existsSync(manifest)) return join(dir, name, (JSON.parse(readFileSync(manifest, 'utf8')) as { main: string }).main);
  }
  throw new Error(`the package ${name} is not installed`);
}

const BINARY_MAGIC = 'bplist00';

/** Parses a binary or XML property list; throws DecodeError when it is neither or is malformed. */
export function parsePlist(bytes: Uint8Array): unknown {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const binary = buffer.toString('latin1', 0, BINARY_MAGIC.length) === BINARY_MAGIC;
  if (binary) checkBinaryPlistGraph(buffer);
  try {
    if (binary) return parseBinaryPlist(bytes);
    const text = buffer.toString('utf8').replace(/^\uFEFF/, '').trimStart();
    if (text.startsWith('<?xml') || text.startsWith('<plist')) return parseXmlPlist(text);
  } catch (error) {
    throw new DecodeError(`malformed property list: ${(error as Error).message}`);
  }
  throw new DecodeError('not a property list');
}

/**
 * plist.parse for XML, without the XML parser's warnings: it prints each problem of a damaged file to
 * the console (echoing the garbage), where only the one error thrown should be said.
 */
export function parseXmlPlist(text: string): ReturnType<typeof Plist.parse> {
  const { error, warn } = console;
  console.error = console.warn = () => {};
  try {
    return plist().parse(text);
  } finally {
    Object.assign(console, { error, warn });
  }
}

/** A non-empty string, else undefined: Apple's plists store absent values as "". */
export function plistText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A plist dictionary as a plain object (plist parses dictionaries to plain objects). */
export function isPlistDict(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof Date);
}

// The plist package expands every reference anew and follows cycles, so a crafted 100-byte
// bplist (arrays that each hold the next one twice) would take hours. Its object graph is
// checked first: no cycles, bounded depth, and a bounded number of objects once expanded.
const MAX_EXPANDED_OBJECTS = 1_000_000;
const MAX_DEPTH = 512;
const TRAILER_SIZE = 32;
const ARRAY = 0xa;
const SET = 0xc;
const DICT = 0xd;

class BinaryPlistGraph {
  private readonly offsetSize: number;
  private readonly refSize: number;
  private readonly count: number;
  private readonly tableOffset: number;
  private readonly expanded: number[] = [];
  private readonly active = new Set<number>();

  constructor(private readonly bytes: Buffer) {
    const trailer = bytes.length - TRAILER_SIZE;
    if (trailer < BINARY_MAGIC.length) throw new DecodeError('truncated binary property list');
    this.offsetSize = bytes[trailer + 6];
    this.refSize = bytes[trailer + 7];
    this.count = this.uint(trailer + 8, 8);
    this.tableOffset = this.uint(trailer + 24, 8);
    if (![1, 2, 4, 8].includes(this.offsetSize) || ![1, 2, 4, 8].includes(this.refSize) || this.count < 1) {
      throw new DecodeError('malformed binary property list trailer');
    }
    if (this.tableOffset + this.count * this.offsetSize > trailer) throw new DecodeError('malformed binary property list offset table');
  }

  top(): number {
    return this.uint(this.bytes.length - TRAILER_SIZE + 16, 8);
  }

  private uint(at: number, size: number): number {
    if (at < 0 || at + size > this.bytes.length) throw new DecodeError('binary property list reference past the end');
    let value = 0;
    for (let i = 0; i < size; i++) value = value * 256 + this.bytes[at + i];
    return value;
  }

  /** Objects reached from `index`, counting every path; throws on cycles and runaway sizes. */
  expandedSize(index: number, depth: number): number {
    if (index >= this.count) throw new DecodeError('binary property list reference outside the object table');
    const known = this.expanded[index];
    if (known !== undefined) return known;
    if (this.active.has(index)) throw new DecodeError('binary property list contains a cycle');
    if (depth > MAX_DEPTH) throw new DecodeError('binary property list nested too deeply');
    this.active.add(index);
    let total = 1;
    for (const child of this.children(index)) {
      total += this.expandedSize(child, depth + 1);
      if (total > MAX_EXPANDED_OBJECTS) throw new DecodeError('binary property list expands to too many objects');
    }
    this.active.delete(index);
    this.expanded[index] = total;
    return total;
  }

  private children(index: number): number[] {
    let at = this.uint(this.tableOffset + index * this.offsetSize, this.offsetSize);
    const marker = this.uint(at++, 1);
    const type = marker >> 4;
    if (type !== ARRAY && type !== SET && type !== DICT) return [];
    let size = marker & 0x0f;
    if (size === 0x0f) {
      const sizeMarker = this.uint(at++, 1);
      const width = 1 << (sizeMarker & 0x0f);
      if (sizeMarker >> 4 !== 1 || width > 8) throw new DecodeError('malformed binary property list collection size');
      size = this.uint(at, width);
      at += width;
    }
    const refs = type === DICT ? 2 * size : size;
    if (at + refs * this.refSize > this.bytes.length) throw new DecodeError('binary property list collection runs past the end');
    const children: number[] = [];
    for (let i = 0; i < refs; i++) children.push(this.uint(at + i * this.refSize, this.refSize));
    return children;
  }
}

function checkBinaryPlistGraph(bytes: Buffer): void {
  const graph = new BinaryPlistGraph(bytes);
  graph.expandedSize(graph.top(), 0);
}
