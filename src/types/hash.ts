// The hash value: field → value pairs of latin1 strings in insertion order as Redis's listpack
// keeps it, with the listpack → hashtable encoding switch. A small hash is one packed string
// (one live object for all its pairs, like a listpack); a larger one is a byte table
// (keytable.ts). The size limits are passed in by the caller (config lives above types/). Pure data.
import type { TypedValue } from "./value.ts";
import { KeyTable } from "./keytable.ts";
import { latin1 } from "../util/bytes.ts";

/** hash-max-listpack-entries and hash-max-listpack-value, as the command layer reads them. */
export interface HashLimits {
  readonly entries: number;
  readonly value: number;
}

// ---- The packed form -------------------------------------------------------------------------
// One latin1 string: [n] [index] [pair 0] … [pair n-1], each pair [field length][field][value
// length][value] with one-char lengths. A hash of up to PACK_WALK pairs has no index and a lookup
// walks the pairs; a bigger one indexes them (each pair's offset from the first, two chars), and
// a lookup is one native indexOf plus a binary search of the offsets. A write builds a new
// string, so the form is kept small: past these bounds a listpack-encoded hash moves to a Map
// (OBJECT ENCODING still says listpack: only the representation changes).

/** Most pairs in a packed string (Redis's default hash-max-listpack-entries; n is one char). */
const PACK_MAX_ENTRIES = 128;
/** Longest packed string: a write copies it whole (offsets are two chars). */
const PACK_MAX_BYTES = 4096;
/** Longest packed field or value (its length is one char). */
const PACK_MAX_LEN = 255;
/** Up to this many pairs there is no index: walking them costs about what the search does. */
const PACK_WALK = 16;
const EMPTY = "\x00";

/** Bun's Buffer methods that copy latin1 strings in and out without transcoding. */
interface Latin1Buffer extends Buffer {
  latin1Write(s: string, offset: number): number;
  latin1Slice(start: number, end: number): string;
}
/** Where packed strings are built: the result is one flat string, not a rope of pieces. */
const scratch = Buffer.allocUnsafe(PACK_MAX_BYTES + 8) as Latin1Buffer;

/** Where the first pair starts in a packed string of n pairs. */
function headerSize(n: number): number {
  return n > PACK_WALK ? 1 + 2 * n : 1;
}

/** Offset of pair i from the first pair (indexed strings only). */
function offsetOf(d: string, i: number): number {
  return (d.charCodeAt(1 + 2 * i) << 8) | d.charCodeAt(2 + 2 * i);
}

function putOffset(i: number, off: number): void {
  scratch[1 + 2 * i] = off >> 8;
  scratch[2 + 2 * i] = off & 255;
}

/** Whether field's bytes are at d[p..). */
function matchAt(d: string, p: number, field: string): boolean {
  for (let i = field.length - 1; i >= 0; i--) if (d.charCodeAt(p + i) !== field.charCodeAt(i)) return false;
  return true;
}

/** Position of the pair holding field in a packed string (its field length char), or -1. */
function find(d: string, field: string): number {
  const n = d.charCodeAt(0);
  const fl = field.length;
  if (n <= PACK_WALK || fl === 0) {
    let p = headerSize(n);
    for (let i = 0; i < n; i++) {
      const l = d.charCodeAt(p);
      if (l === fl && matchAt(d, p + 1, field)) return p;
      p += l + 1;
      p += d.charCodeAt(p) + 1;
    }
    return -1;
  }
  // A hit of the native search counts when a pair starts right before it; otherwise search
  // again from the next pair, so bytes repeated inside one pair cost one search, not one each.
  const h = 1 + 2 * n;
  let q = d.indexOf(field, h + 1);
  while (q >= 0) {
    const i = pairAt(d, n, q - 1 - h);
    if (offsetOf(d, i) === q - 1 - h && d.charCodeAt(q - 1) === fl) return q - 1;
    if (i + 1 === n) return -1;
    q = d.indexOf(field, h + offsetOf(d, i + 1) + 1);
  }
  return -1;
}

/** The last pair of an indexed string starting at or before offset t. */
function pairAt(d: string, n: number, t: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsetOf(d, mid) <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function packedGet(d: string, field: string): string | undefined {
  const p = find(d, field);
  return p < 0 ? undefined : valueAt(d, p);
}

/** The value of the pair whose field length char is at p. */
function valueAt(d: string, p: number): string {
  const v = p + 1 + d.charCodeAt(p);
  return d.slice(v + 1, v + 1 + d.charCodeAt(v));
}

/** A packed string of flat's pairs ([field, value, …]), or null if they do not fit one. */
function pack(flat: readonly string[]): string | null {
  const n = flat.length >> 1;
  if (n > PACK_MAX_ENTRIES) return null;
  const h = headerSize(n);
  let p = h;
  scratch[0] = n;
  for (let i = 0; i < n; i++) {
    const f = flat[2 * i]!;
    const v = flat[2 * i + 1]!;
    if (f.length > PACK_MAX_LEN || v.length > PACK_MAX_LEN || p + 2 + f.length + v.length > PACK_MAX_BYTES) return null;
    if (h > 1) putOffset(i, p - h);
    scratch[p++] = f.length;
    p += scratch.latin1Write(f, p);
    scratch[p++] = v.length;
    p += scratch.latin1Write(v, p);
  }
  return scratch.latin1Slice(0, p);
}

/** The pairs of a packed string as [field, value, …]. */
function flatPairs(d: string): string[] {
  const out: string[] = [];
  packedForEach(d, (v, f) => out.push(f, v));
  return out;
}

/** d with a new pair at the end, or null if it would not fit. */
function packedAppend(d: string, field: string, value: string): string | null {
  const n = d.charCodeAt(0);
  if (n === PACK_MAX_ENTRIES) return null;
  if (n === PACK_WALK) {
    // The pair that makes the string indexed: build it whole.
    const flat = flatPairs(d);
    flat.push(field, value);
    return pack(flat);
  }
  const len = d.length;
  const indexed = n > PACK_WALK;
  if (len + (indexed ? 4 : 2) + field.length + value.length > PACK_MAX_BYTES) return null;
  scratch.latin1Write(d, 0);
  let p = len;
  if (indexed) {
    const h = 1 + 2 * n;
    scratch.copyWithin(h + 2, h, len);
    putOffset(n, len - h);
    p += 2;
  }
  scratch[0] = n + 1;
  scratch[p++] = field.length;
  p += scratch.latin1Write(field, p);
  scratch[p++] = value.length;
  p += scratch.latin1Write(value, p);
  return scratch.latin1Slice(0, p);
}

/** d with the value of the pair at p replaced, or null if it would not fit. */
function packedReplace(d: string, p: number, value: string): string | null {
  const v = p + 1 + d.charCodeAt(p);
  const vs = v + 1;
  const old = d.charCodeAt(v);
  const vl = value.length;
  const len = d.length;
  const delta = vl - old;
  // Writing the value it already holds (idempotent updates are common) builds nothing.
  if (delta === 0 && matchAt(d, vs, value)) return d;
  if (len + delta > PACK_MAX_BYTES) return null;
  scratch.latin1Write(d, 0);
  if (delta !== 0) {
    scratch.copyWithin(vs + vl, vs + old, len);
    const n = d.charCodeAt(0);
    if (n > PACK_WALK) {
      const h = 1 + 2 * n;
      for (let i = pairAt(d, n, p - h) + 1; i < n; i++) putOffset(i, offsetOf(d, i) + delta);
    }
  }
  scratch[v] = vl;
  scratch.latin1Write(value, vs);
  return scratch.latin1Slice(0, len + delta);
}

/** d without the pair at p. */
function packedRemove(d: string, p: number): string {
  const n = d.charCodeAt(0);
  const len = d.length;
  const v = p + 1 + d.charCodeAt(p);
  const size = v + 1 + d.charCodeAt(v) - p;
  if (n <= PACK_WALK) {
    scratch.latin1Write(d, 0);
    scratch.copyWithin(p, p + size, len);
    scratch[0] = n - 1;
    return scratch.latin1Slice(0, len - size);
  }
  const h = 1 + 2 * n;
  const i = pairAt(d, n, p - h);
  if (n === PACK_WALK + 1) {
    // The string loses its index: build it whole (smaller than d, so it fits).
    const flat = flatPairs(d);
    flat.splice(2 * i, 2);
    return pack(flat)!;
  }
  scratch.latin1Write(d, 0);
  scratch.copyWithin(p, p + size, len);
  // Drop offset i (everything after it moves back two), then shift the later pairs' offsets.
  scratch.copyWithin(1 + 2 * i, 3 + 2 * i, len - size);
  for (let j = i + 1; j < n; j++) putOffset(j - 1, offsetOf(d, j) - size);
  scratch[0] = n - 1;
  return scratch.latin1Slice(0, len - size - 2);
}

/** A packed string of map's pairs, or null if they do not fit one. */
function packMap(map: Map<string, string>): string | null {
  if (map.size > PACK_MAX_ENTRIES) return null;
  const flat: string[] = [];
  for (const [f, v] of map) flat.push(f, v);
  return pack(flat);
}

function packedForEach(d: string, fn: (value: string, field: string) => void): void {
  const end = d.length;
  let p = headerSize(d.charCodeAt(0));
  while (p < end) {
    const fs = p + 1;
    p = fs + d.charCodeAt(p);
    const vs = p + 1;
    const ve = vs + d.charCodeAt(p);
    fn(d.slice(vs, ve), d.slice(fs, p));
    p = ve;
  }
}

/** The fields (which = 0) or values (which = 1) of a packed string. */
function* packedItems(d: string, which: 0 | 1): Generator<string, void, undefined> {
  const end = d.length;
  let p = headerSize(d.charCodeAt(0));
  while (p < end) {
    const fs = p + 1;
    p = fs + d.charCodeAt(p);
    const vs = p + 1;
    const ve = vs + d.charCodeAt(p);
    yield which === 0 ? d.slice(fs, p) : d.slice(vs, ve);
    p = ve;
  }
}

function* packedEntries(d: string): Generator<[string, string], void, undefined> {
  const end = d.length;
  let p = headerSize(d.charCodeAt(0));
  while (p < end) {
    const fs = p + 1;
    p = fs + d.charCodeAt(p);
    const vs = p + 1;
    const ve = vs + d.charCodeAt(p);
    yield [d.slice(fs, p), d.slice(vs, ve)];
    p = ve;
  }
}

// ---- The Map and table forms ----------------------------------------------------------------

/**
 * A hash past the packed string. While still listpack-encoded for Redis it is a Map, so it keeps
 * the listpack's insertion order (HGETALL replies match Redis's byte for byte); once
 * hashtable-encoded (one way) its pairs move into a byte table (keytable.ts): no JS object per
 * pair, and lookups hash the request's bytes in place.
 */
class Table {
  map: Map<string, string> | null;
  kt: KeyTable | null = null;

  constructor(map: Map<string, string> | null, kt: KeyTable | null = null) {
    this.map = map;
    this.kt = kt;
  }

  /** Redis's encoding: true while only the size moved the hash off the packed string. */
  get listpack(): boolean {
    return this.map !== null;
  }

  get size(): number {
    return this.map !== null ? this.map.size : this.kt!.size;
  }

  /** Move to the byte table (the hashtable encoding). */
  toTable(): void {
    const map = this.map;
    if (map === null) return;
    const kt = new KeyTable(false);
    for (const [f, v] of map) kt.insert(f, v, 0);
    this.kt = kt;
    this.map = null;
  }

  get(field: string): string | undefined {
    if (this.map !== null) return this.map.get(field);
    return this.kt!.get(field) as string | undefined;
  }

  /** Store field → value; true if the field is new. */
  put(field: string, value: string): boolean {
    const map = this.map;
    if (map !== null) {
      const n = map.size;
      map.set(field, value);
      return map.size !== n;
    }
    const kt = this.kt!;
    const r = kt.find(field);
    if (r !== 0) {
      kt.setValue(r, value);
      return false;
    }
    kt.insert(field, value, 0);
    return true;
  }
}

function unpack(d: string): Table {
  const map = new Map<string, string>();
  packedForEach(d, (v, f) => map.set(f, v));
  return new Table(map);
}

/** Redis's hashTypeSet on the Map/table form: see Hash.set. */
function tableSet(t: Table, field: string, value: string, limits: HashLimits): boolean {
  if (t.listpack && (field.length > limits.value || value.length > limits.value)) t.toTable();
  const added = t.put(field, value);
  if (t.listpack && t.size > limits.entries) t.toTable();
  return added;
}

/** A table's values are always strings (the keytable stores what it was given). */
function* tableValues(kt: KeyTable): IterableIterator<string> {
  for (const [, v] of kt.entries()) yield v as string;
}

function* tableEntries(kt: KeyTable): IterableIterator<[string, string]> {
  for (const [f, v] of kt.entries()) yield [f, v as string];
}

/** Above this many fields, a random pick walks a rotating iterator instead of indexing. */
const SMALL = 1024;

export class Hash implements TypedValue {
  readonly type = "hash" as const;
  /** The packed string while small, else a Table. One field: a Hash object stays at two slots. */
  #d: string | Table = EMPTY;

  /** A hash holding map's pairs (it may keep map itself: the caller hands it over); listpack: its encoding. */
  static fromMap(map: Map<string, string>, listpack: boolean): Hash {
    const h = new Hash();
    const packed = listpack ? packMap(map) : null;
    if (packed !== null) h.#d = packed;
    else {
      const t = new Table(map);
      if (!listpack) t.toTable();
      h.#d = t;
    }
    return h;
  }

  get size(): number {
    const d = this.#d;
    return typeof d === "string" ? d.charCodeAt(0) : d.size;
  }

  encoding(): string {
    return this.isListpack ? "listpack" : "hashtable";
  }

  get isListpack(): boolean {
    const d = this.#d;
    return typeof d === "string" || d.listpack;
  }

  /** Switch to the hashtable encoding (one way). */
  convert(): void {
    const d = this.#d;
    const t = typeof d === "string" ? unpack(d) : d;
    t.toTable();
    this.#d = t;
  }

  clone(): Hash {
    const h = new Hash();
    const d = this.#d;
    // A packed string is immutable: the copy shares it.
    h.#d = typeof d === "string" ? d : d.map !== null ? new Table(new Map(d.map)) : new Table(null, d.kt!.clone());
    return h;
  }

  get(field: string): string | undefined {
    const d = this.#d;
    return typeof d === "string" ? packedGet(d, field) : d.get(field);
  }

  has(field: string): boolean {
    const d = this.#d;
    if (typeof d === "string") return find(d, field) >= 0;
    return d.map !== null ? d.map.has(field) : d.kt!.find(field) !== 0;
  }

  /**
   * set() with field and value given as bytes b[fs, fe) and b[vs, ve): no strings are made once
   * the hash is a table no longer tracking the listpack limits. Returns true if the field is new.
   */
  setBytes(b: Uint8Array, fs: number, fe: number, vs: number, ve: number, limits: HashLimits): boolean {
    const d = this.#d;
    if (typeof d === "string" || d.kt === null) return this.set(latin1(b, fs, fe), latin1(b, vs, ve), limits);
    const kt = d.kt;
    const r = kt.findBytes(b, fs, fe);
    if (r !== 0) {
      kt.setValueBytes(r, b, vs, ve);
      return false;
    }
    kt.insertBytes(b, fs, fe, b, vs, ve, 0);
    return true;
  }

  /**
   * Redis's hashTypeSet: a field or value longer than limits.value converts first; after the
   * write, more than limits.entries fields converts. Returns true if the field is new.
   */
  set(field: string, value: string, limits: HashLimits): boolean {
    const d = this.#d;
    return typeof d === "string" ? this.#setPacked(d, field, value, limits) : tableSet(d, field, value, limits);
  }

  #setPacked(d: string, field: string, value: string, limits: HashLimits): boolean {
    if (field.length <= limits.value && value.length <= limits.value && field.length <= PACK_MAX_LEN && value.length <= PACK_MAX_LEN) {
      const p = find(d, field);
      const n = d.charCodeAt(0);
      // Matches Redis: even an update converts a hash already past the entries limit (after
      // CONFIG SET lowered it).
      if (p >= 0) {
        const next = n <= limits.entries ? packedReplace(d, p, value) : null;
        if (next !== null) {
          this.#d = next;
          return false;
        }
      } else if (n < limits.entries) {
        const next = packedAppend(d, field, value);
        if (next !== null) {
          this.#d = next;
          return true;
        }
      }
    }
    // It no longer fits the packed form: the Map form applies Redis's conversion rules.
    const t = unpack(d);
    this.#d = t;
    return tableSet(t, field, value, limits);
  }

  delete(field: string): boolean {
    const d = this.#d;
    if (typeof d !== "string") return d.map !== null ? d.map.delete(field) : d.kt!.delete(field);
    const p = find(d, field);
    if (p < 0) return false;
    this.#d = packedRemove(d, p);
    return true;
  }

  /** Every pair, in hash order (Map.forEach's argument order). */
  forEach(fn: (value: string, field: string) => void): void {
    const d = this.#d;
    if (typeof d !== "string") {
      if (d.map !== null) return d.map.forEach(fn);
      const kt = d.kt!;
      for (let r = kt.first(); r !== 0; r = kt.next(r)) fn(kt.value(r) as string, kt.keyOf(r));
    } else packedForEach(d, fn);
  }

  /** Fields in hash order. A large hash's iterator is live (HSCAN parks it across writes). */
  keys(): IterableIterator<string> {
    const d = this.#d;
    if (typeof d === "string") return packedItems(d, 0);
    return d.map !== null ? d.map.keys() : d.kt!.keys();
  }

  values(): IterableIterator<string> {
    const d = this.#d;
    if (typeof d === "string") return packedItems(d, 1);
    return d.map !== null ? d.map.values() : tableValues(d.kt!);
  }

  entries(): IterableIterator<[string, string]> {
    const d = this.#d;
    if (typeof d === "string") return packedEntries(d);
    return d.map !== null ? d.map.entries() : tableEntries(d.kt!);
  }

  /**
   * One random field, or null when empty: a uniform pick.
   */
  randomField(): string | null {
    const d = this.#d;
    const n = this.size;
    if (n === 0) return null;
    if (typeof d === "string") {
      const i = Math.floor(Math.random() * n);
      let p: number;
      if (n > PACK_WALK) p = 1 + 2 * n + offsetOf(d, i);
      else {
        p = 1;
        for (let k = 0; k < i; k++) {
          p += d.charCodeAt(p) + 1;
          p += d.charCodeAt(p) + 1;
        }
      }
      return d.slice(p + 1, p + 1 + d.charCodeAt(p));
    }
    if (d.map !== null) {
      let i = Math.floor(Math.random() * n);
      for (const f of d.map.keys()) if (i-- === 0) return f;
      return null;
    }
    // A random slot of the table's index: uniform, like Redis's dictGetFairRandomKey.
    return d.kt!.keyOf(d.kt!.randomRecord());
  }

  /** Up to count distinct fields, in hash order (a uniform sample: selection sampling). */
  sampleOrdered(count: number): string[] {
    const out: string[] = [];
    let left = this.size;
    let need = count;
    for (const f of this.keys()) {
      if (need === 0) break;
      if (Math.random() * left < need) {
        out.push(f);
        need--;
      }
      left--;
    }
    return out;
  }

  /** count distinct fields (count < size) in random order. */
  sampleDistinct(count: number): string[] {
    const n = this.size;
    if (count * 3 > n || n <= SMALL) {
      // A partial Fisher-Yates over all fields: O(n), fine when count is a good share of n.
      const all = Array.from(this.keys());
      for (let i = 0; i < count; i++) {
        const j = i + Math.floor(Math.random() * (n - i));
        const t = all[i]!;
        all[i] = all[j]!;
        all[j] = t;
      }
      all.length = count;
      return all;
    }
    // Few fields out of many: random picks until enough distinct ones, O(count).
    const seen = new Set<string>();
    while (seen.size < count) seen.add(this.randomField()!);
    return Array.from(seen);
  }
}
