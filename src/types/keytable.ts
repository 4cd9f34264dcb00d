// A byte-keyed dictionary: an open-addressing hash index over records in one arena (key bytes,
// small string values inline, access time, LFU state, flags). A lookup hashes the request's bytes
// in place and touches two cache lines (slot, record) instead of a JS Map's five or six; strings
// need no JS object per key. Each db's keyspace is one (keyspace/db.ts adds expiry on top); large
// sets and hashes use one for their members. Pure data: knows nothing of clients or persistence.
import type { Value } from "../types/value.ts";

/** Record header, in bytes; key bytes follow, then the value (inline string bytes or an int). */
const HEAD = 32;
// Header fields as Int32Array / Float64Array indexes relative to the record's first word.
const KLEN = 0; // key length; FREE when the record is on a free list
const VTAG = 1; // >= 0 inline string length, TAG_OBJ, or TAG_INT
const TIME = 1; // Float64Array index: last access time (ms)
const NEXT_FREE = 2; // Int32 index: next free record of the same size (free records only)
const OBJ = 4; // index into the object table (TAG_OBJ)
const SIZE = 5; // record size in 8-byte units
const FLAGS = 6; // FLAG_* bits | epoch << EPOCH_SHIFT
const LFU = 7; // LFU state, as db.ts packs it

const FREE = -1;
const TAG_OBJ = -1;
const TAG_INT = -2;
/** The key has an entry in the expires dictionary. */
export const FLAG_EXPIRE = 1;
const EPOCH_SHIFT = 1;

/** Strings longer than this live as JS strings in the object table, not in the arena. */
const INLINE_MAX = 64 * 1024;
/** The arena's address space: records are addressed in 8-byte units by an int32. */
const ARENA_MAX = 2 ** 32;
/** A keyspace arena starts at this size and grows in place (a resizable buffer: no copies). */
const KEYSPACE_INITIAL = 64 * 1024;
/** A member table (large set or hash) starts small and grows by copying, like a vector. */
const MEMBERS_INITIAL = 4 * 1024;
const MIN_SLOTS = 16;

interface Latin1Buffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  latin1Write(str: string, offset: number): number;
}

/** FNV-1a over bytes with a final avalanche (linear probing needs well-spread low bits). */
export function hashBytes(b: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < e; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return mix(h);
}

/** The same hash over a latin1 string's char codes (one char per byte). */
export function hashString(k: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k.charCodeAt(i), 0x01000193);
  return mix(h);
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** Record size (bytes, a multiple of 8) for a key and a value area; rounded up so values can grow a little in place. */
function recordSize(klen: number, vcap: number): number {
  const n = HEAD + klen + vcap;
  if (n <= 128) return (n + 15) & ~15;
  if (n <= 1024) return (n + 63) & ~63;
  // Eight size classes per doubling past 1 KB (at most 1/8 wasted, as jemalloc's classes).
  const step = 2 ** (Math.floor(Math.log2(n)) - 3);
  return Math.ceil(n / step) * step;
}

/** Bytes a value needs in the arena (0 when it lives in the object table). */
function inlineNeed(klen: number, v: Value): number {
  if (typeof v === "string") return v.length <= INLINE_MAX ? v.length : 0;
  if (typeof v === "number") return ((klen + 7) & ~7) - klen + 8;
  return 0;
}

/**
 * Is notified before a record that may be part of a point-in-time snapshot changes: its value is
 * replaced or mutated, or the record is freed. Snapshots write the old contents first.
 */
export interface RecordGuard {
  beforeChange(table: KeyTable, r: number): void;
}

export class KeyTable {
  /** [hash, record] pairs; record 0 means an empty slot. */
  #slots: Int32Array;
  #mask: number;
  #count = 0;
  #ab: ArrayBuffer;
  /** The arena; records are addressed in 8-byte units (r * 8 is the byte offset). */
  u8: Uint8Array;
  #i32: Int32Array;
  #f64: Float64Array;
  #buf: Latin1Buffer;
  /** Grow in place (keyspaces: reserved address space) rather than by copying (member tables). */
  readonly #inPlace: boolean;
  /** Bytes of the arena in use (records are never moved, so a record number is stable). */
  #top = 8;
  /** Free records by size (8-byte units) → first free record. */
  readonly #free = new Map<number, number>();
  #freeBytes = 0;
  /** Values that do not live in the arena: lists, hashes, sets, sorted sets, byte buffers, long strings. */
  #objs: Value[] = [];
  #objFree: number[] = [];
  /** Snapshots in progress; empty almost always. */
  guards: RecordGuard[] = [];
  /** Bumped when a snapshot starts: records made later carry a newer epoch and are not in it. */
  #epoch = 0;
  /** Bumped when the arena is emptied and reused: record positions from before mean nothing. */
  #generation = 0;

  /**
   * keyspace: the table of a whole db, whose arena reserves 4 GB of address space and grows in
   * place; otherwise a member table that grows by copying (thousands may exist).
   */
  constructor(keyspace = true) {
    this.#slots = new Int32Array(MIN_SLOTS * 2);
    this.#mask = MIN_SLOTS - 1;
    this.#inPlace = keyspace;
    this.#ab = this.#newArena();
    this.u8 = new Uint8Array(this.#ab);
    this.#i32 = new Int32Array(this.#ab);
    this.#f64 = new Float64Array(this.#ab);
    this.#buf = Buffer.from(this.#ab) as Latin1Buffer;
  }

  #newArena(size = this.#inPlace ? KEYSPACE_INITIAL : MEMBERS_INITIAL): ArrayBuffer {
    return this.#inPlace ? new ArrayBuffer(size, { maxByteLength: ARENA_MAX }) : new ArrayBuffer(size);
  }

  #setArena(ab: ArrayBuffer): void {
    this.#ab = ab;
    this.u8 = new Uint8Array(ab);
    this.#i32 = new Int32Array(ab);
    this.#f64 = new Float64Array(ab);
    this.#buf = Buffer.from(ab) as Latin1Buffer;
  }

  get size(): number {
    return this.#count;
  }

  get generation(): number {
    return this.#generation;
  }

  /** Arena bytes reserved and in use (INFO, MEMORY USAGE). */
  get arenaBytes(): number {
    return this.#top - this.#freeBytes;
  }

  // ---- lookups ----------------------------------------------------------------------------

  /** The record holding key (a latin1 string), or 0. */
  find(key: string): number {
    const h = hashString(key);
    const n = key.length;
    const slots = this.#slots;
    const mask = this.#mask;
    const i32 = this.#i32;
    const u8 = this.u8;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const r = slots[i * 2 + 1]!;
      if (r === 0) return 0;
      if (slots[i * 2] !== h || i32[r * 2 + KLEN] !== n) continue;
      let p = r * 8 + HEAD;
      let j = 0;
      while (j < n && u8[p] === key.charCodeAt(j)) {
        p++;
        j++;
      }
      if (j === n) return r;
    }
  }

  /** The record holding the key whose bytes are b[s, e), or 0. */
  findBytes(b: Uint8Array, s: number, e: number): number {
    const h = hashBytes(b, s, e);
    const n = e - s;
    const slots = this.#slots;
    const mask = this.#mask;
    const i32 = this.#i32;
    const u8 = this.u8;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const r = slots[i * 2 + 1]!;
      if (r === 0) return 0;
      if (slots[i * 2] !== h || i32[r * 2 + KLEN] !== n) continue;
      let p = r * 8 + HEAD;
      let j = s;
      while (j < e && u8[p] === b[j]) {
        p++;
        j++;
      }
      if (j === e) return r;
    }
  }

  has(key: string): boolean {
    return this.find(key) !== 0;
  }

  /** The value stored at key, or undefined (no side effects). */
  get(key: string): Value | undefined {
    const r = this.find(key);
    return r === 0 ? undefined : this.value(r);
  }

  // ---- record fields ----------------------------------------------------------------------

  keyOf(r: number): string {
    const p = r * 8 + HEAD;
    const n = this.#i32[r * 2 + KLEN]!;
    return n === 0 ? "" : this.#buf.latin1Slice(p, p + n);
  }

  keyLength(r: number): number {
    return this.#i32[r * 2 + KLEN]!;
  }

  /** The record's value as a JS value (an inline string is decoded: allocates). */
  value(r: number): Value {
    const tag = this.#i32[r * 2 + VTAG]!;
    if (tag === TAG_OBJ) return this.#objs[this.#i32[r * 2 + OBJ]!]!;
    const klen = this.#i32[r * 2 + KLEN]!;
    if (tag === TAG_INT) return this.#f64[r + ((HEAD + klen + 7) >> 3)]!;
    if (tag === 0) return "";
    const p = r * 8 + HEAD + klen;
    return this.#buf.latin1Slice(p, p + tag);
  }

  /** True when the value is a string held inline (its bytes are at valueStart, valueLength long). */
  isInlineString(r: number): boolean {
    return this.#i32[r * 2 + VTAG]! >= 0;
  }

  /** True when the value is an object (typeof value(r) === "object"), without decoding it. */
  isObject(r: number): boolean {
    const tag = this.#i32[r * 2 + VTAG]!;
    return tag === TAG_OBJ && typeof this.#objs[this.#i32[r * 2 + OBJ]!] === "object";
  }

  valueStart(r: number): number {
    return r * 8 + HEAD + this.#i32[r * 2 + KLEN]!;
  }

  valueLength(r: number): number {
    return this.#i32[r * 2 + VTAG]!;
  }

  /** The arena as a Buffer (for copying inline bytes into replies). */
  get bytes(): Buffer {
    return this.#buf;
  }

  accessTime(r: number): number {
    return this.#f64[r + TIME]!;
  }

  setAccessTime(r: number, t: number): void {
    this.#f64[r + TIME] = t;
  }

  lfu(r: number): number {
    return this.#i32[r * 2 + LFU]!;
  }

  setLfu(r: number, packed: number): void {
    this.#i32[r * 2 + LFU] = packed;
  }

  hasFlag(r: number, flag: number): boolean {
    return (this.#i32[r * 2 + FLAGS]! & flag) !== 0;
  }

  setFlag(r: number, flag: number, on: boolean): void {
    const i = r * 2 + FLAGS;
    this.#i32[i] = on ? this.#i32[i]! | flag : this.#i32[i]! & ~flag;
  }

  /** Value area capacity of a record, in bytes. */
  #capacity(r: number): number {
    return this.#i32[r * 2 + SIZE]! * 8 - HEAD - this.#i32[r * 2 + KLEN]!;
  }

  // ---- writes -----------------------------------------------------------------------------

  /** Replace the value of record r (the record stays where it is). */
  setValue(r: number, v: Value): void {
    if (this.guards.length !== 0) this.#guard(r);
    const i32 = this.#i32;
    const base = r * 2;
    const klen = i32[base + KLEN]!;
    const cap = this.#capacity(r);
    if (typeof v === "string") {
      if (v.length <= cap && v.length <= INLINE_MAX) {
        this.#dropObj(r);
        if (v.length > 0) this.#buf.latin1Write(v, r * 8 + HEAD + klen);
        i32[base + VTAG] = v.length;
        return;
      }
    } else if (typeof v === "number") {
      const at = (HEAD + klen + 7) >> 3;
      if ((at + 1) * 8 <= i32[base + SIZE]! * 8) {
        this.#dropObj(r);
        this.#f64[r + at] = v;
        i32[base + VTAG] = TAG_INT;
        return;
      }
    }
    if (i32[base + VTAG] === TAG_OBJ) {
      this.#objs[i32[base + OBJ]!] = v;
      return;
    }
    i32[base + OBJ] = this.#newObj(v);
    i32[base + VTAG] = TAG_OBJ;
  }

  /** Replace the value of record r with the string in b[s, e) (no JS string when it fits). */
  setValueBytes(r: number, b: Uint8Array, s: number, e: number): void {
    const n = e - s;
    if (n > this.#capacity(r) || n > INLINE_MAX) {
      this.setValue(r, this.#decode(b, s, e));
      return;
    }
    if (this.guards.length !== 0) this.#guard(r);
    this.#dropObj(r);
    const at = this.valueStart(r);
    if (n <= 16) for (let j = 0; j < n; j++) this.u8[at + j] = b[s + j]!;
    else this.u8.set(b.subarray(s, e), at);
    this.#i32[r * 2 + VTAG] = n;
  }

  /** Add a key that is not present; returns its record. */
  insert(key: string, v: Value, t: number): number {
    const h = hashString(key);
    const klen = key.length;
    const r = this.#alloc(klen, inlineNeed(klen, v));
    if (klen > 0) this.#buf.latin1Write(key, r * 8 + HEAD);
    this.#initRecord(r, klen, t);
    this.#place(h, r);
    this.#setFresh(r, v);
    return r;
  }

  /** Add the key b[ks, ke) (not present) with the string value vb[vs, ve); returns its record. */
  insertBytes(b: Uint8Array, ks: number, ke: number, vb: Uint8Array, vs: number, ve: number, t: number): number {
    const vlen = ve - vs;
    const inline = vlen <= INLINE_MAX;
    const r = this.#insertKeyBytes(b, ks, ke, inline ? vlen : 0, t);
    if (inline) {
      const p = r * 8 + HEAD + ke - ks;
      const u8 = this.u8;
      if (vlen <= 16) for (let j = 0; j < vlen; j++) u8[p + j] = vb[vs + j]!;
      else u8.set(vb.subarray(vs, ve), p);
      this.#i32[r * 2 + VTAG] = vlen;
    } else {
      this.#i32[r * 2 + OBJ] = this.#newObj(this.#decode(vb, vs, ve));
      this.#i32[r * 2 + VTAG] = TAG_OBJ;
    }
    return r;
  }

  /** Add the key b[ks, ke) (not present) with any value; returns its record. */
  insertBytesValue(b: Uint8Array, ks: number, ke: number, v: Value, t: number): number {
    const r = this.#insertKeyBytes(b, ks, ke, inlineNeed(ke - ks, v), t);
    this.#setFresh(r, v);
    return r;
  }

  #insertKeyBytes(b: Uint8Array, ks: number, ke: number, vneed: number, t: number): number {
    const h = hashBytes(b, ks, ke);
    const klen = ke - ks;
    const r = this.#alloc(klen, vneed);
    const p = r * 8 + HEAD;
    const u8 = this.u8;
    if (klen <= 32) for (let j = 0; j < klen; j++) u8[p + j] = b[ks + j]!;
    else u8.set(b.subarray(ks, ke), p);
    this.#initRecord(r, klen, t);
    this.#place(h, r);
    return r;
  }

  /** Remove record r (found by find/findBytes). */
  remove(r: number): void {
    if (this.guards.length !== 0) this.#guard(r);
    this.#unplace(r);
    this.#dropObj(r);
    const i32 = this.#i32;
    const size = i32[r * 2 + SIZE]!;
    i32[r * 2 + KLEN] = FREE;
    i32[r * 2 + NEXT_FREE] = this.#free.get(size) ?? 0;
    this.#free.set(size, r);
    this.#freeBytes += size * 8;
    this.#count--;
    if (this.#count === 0) this.#reset();
    else if (this.#count * 8 < this.#slots.length / 2 && this.#slots.length > MIN_SLOTS * 2) this.#resize(this.#slots.length / 4);
  }

  delete(key: string): boolean {
    const r = this.find(key);
    if (r === 0) return false;
    this.remove(r);
    return true;
  }

  /** A random live record (uniform over slots), or 0 when empty. */
  randomRecord(): number {
    if (this.#count === 0) return 0;
    const slots = this.#slots;
    const mask = this.#mask;
    for (;;) {
      const r = slots[(Math.floor(Math.random() * (mask + 1)) * 2) + 1]!;
      if (r !== 0) return r;
    }
  }

  // ---- iteration --------------------------------------------------------------------------

  /**
   * The first live record at or after record position `from` (0 starts), or 0 at the end; step
   * with next(r). Records never move, so a key present for a whole walk is visited exactly once
   * (keys added meanwhile may or may not be seen). `epoch` limits the walk to records that
   * existed when that snapshot epoch began.
   */
  first(from = 1, epoch = Infinity): number {
    const i32 = this.#i32;
    let r = Math.max(1, from);
    const end = this.#top >> 3;
    while (r < end) {
      if (i32[r * 2 + KLEN] !== FREE && i32[r * 2 + FLAGS]! >>> EPOCH_SHIFT <= epoch) return r;
      r += i32[r * 2 + SIZE]!;
    }
    return 0;
  }

  next(r: number, epoch = Infinity): number {
    return this.first(r + this.#i32[r * 2 + SIZE]!, epoch);
  }

  /** The position just past record r (where a walk resumes after it). */
  after(r: number): number {
    return r + this.#i32[r * 2 + SIZE]!;
  }

  /** Keys in record order; a live walk (see first()) that ends if the table is emptied meanwhile. */
  *keys(): IterableIterator<string> {
    const gen = this.#generation;
    for (let r = this.first(); r !== 0 && gen === this.#generation; r = this.next(r)) yield this.keyOf(r);
  }

  *entries(): IterableIterator<[string, Value]> {
    const gen = this.#generation;
    for (let r = this.first(); r !== 0 && gen === this.#generation; r = this.next(r)) yield [this.keyOf(r), this.value(r)];
  }

  /** A copy (COPY, SUNIONSTORE of one set …): same records, same positions. */
  clone(): KeyTable {
    const t = new KeyTable(this.#inPlace);
    const ab = this.#inPlace ? new ArrayBuffer(this.#ab.byteLength, { maxByteLength: ARENA_MAX }) : new ArrayBuffer(this.#ab.byteLength);
    new Uint8Array(ab).set(this.u8.subarray(0, this.#top));
    t.#setArena(ab);
    t.#slots = this.#slots.slice();
    t.#mask = this.#mask;
    t.#count = this.#count;
    t.#top = this.#top;
    for (const [k, v] of this.#free) t.#free.set(k, v);
    t.#freeBytes = this.#freeBytes;
    t.#objs = this.#objs.slice();
    t.#objFree = this.#objFree.slice();
    return t;
  }

  /** Start of a snapshot: returns its epoch; records made from now on are not part of it. */
  beginEpoch(): number {
    const e = this.#epoch;
    this.#epoch = e + 1;
    return e;
  }

  /** The epoch a record was made in. */
  epochOf(r: number): number {
    return this.#i32[r * 2 + FLAGS]! >>> EPOCH_SHIFT;
  }

  /** The object at r is about to be changed in place: snapshots save it first. */
  beforeMutation(r: number): void {
    if (this.guards.length !== 0) this.#guard(r);
  }

  // ---- internals --------------------------------------------------------------------------

  #guard(r: number): void {
    for (const g of this.guards) g.beforeChange(this, r);
  }

  #decode(b: Uint8Array, s: number, e: number): string {
    if (e === s) return "";
    const buf = Buffer.isBuffer(b) ? (b as Latin1Buffer) : (Buffer.from(b.buffer, b.byteOffset, b.byteLength) as Latin1Buffer);
    return buf.latin1Slice(s, e);
  }

  #initRecord(r: number, klen: number, t: number): void {
    const i32 = this.#i32;
    i32[r * 2 + KLEN] = klen;
    i32[r * 2 + VTAG] = 0;
    this.#f64[r + TIME] = t;
    i32[r * 2 + OBJ] = 0;
    i32[r * 2 + FLAGS] = this.#epoch << EPOCH_SHIFT;
    i32[r * 2 + LFU] = 0;
    this.#count++;
  }

  /** Value of a new record (no guard: snapshots never include it). */
  #setFresh(r: number, v: Value): void {
    const i32 = this.#i32;
    const klen = i32[r * 2 + KLEN]!;
    if (typeof v === "string" && v.length <= this.#capacity(r) && v.length <= INLINE_MAX) {
      if (v.length > 0) this.#buf.latin1Write(v, r * 8 + HEAD + klen);
      i32[r * 2 + VTAG] = v.length;
    } else if (typeof v === "number" && ((HEAD + klen + 7) >> 3) + 1 <= i32[r * 2 + SIZE]!) {
      this.#f64[r + ((HEAD + klen + 7) >> 3)] = v;
      i32[r * 2 + VTAG] = TAG_INT;
    } else {
      i32[r * 2 + OBJ] = this.#newObj(v);
      i32[r * 2 + VTAG] = TAG_OBJ;
    }
  }

  #newObj(v: Value): number {
    const i = this.#objFree.pop();
    if (i !== undefined) {
      this.#objs[i] = v;
      return i;
    }
    this.#objs.push(v);
    return this.#objs.length - 1;
  }

  #dropObj(r: number): void {
    const i32 = this.#i32;
    if (i32[r * 2 + VTAG] !== TAG_OBJ) return;
    const i = i32[r * 2 + OBJ]!;
    this.#objs[i] = 0;
    this.#objFree.push(i);
    i32[r * 2 + VTAG] = 0;
  }

  #alloc(klen: number, vneed: number): number {
    const size = recordSize(klen, vneed);
    const units = size >> 3;
    const head = this.#free.get(units);
    if (head !== undefined) {
      const next = this.#i32[head * 2 + NEXT_FREE]!;
      if (next === 0) this.#free.delete(units);
      else this.#free.set(units, next);
      this.#freeBytes -= size;
      return head;
    }
    const at = this.#top;
    const end = at + size;
    if (end > this.#ab.byteLength) {
      if (end > ARENA_MAX) throw new RangeError("keyspace arena full");
      let cap = this.#ab.byteLength;
      while (cap < end) cap = Math.min(ARENA_MAX, cap * 2);
      if (this.#inPlace) this.#ab.resize(cap);
      else {
        const ab = new ArrayBuffer(cap);
        new Uint8Array(ab).set(this.u8.subarray(0, this.#top));
        this.#setArena(ab);
      }
    }
    this.#top = end;
    this.#i32[(at >> 2) + SIZE] = units;
    return at >> 3;
  }

  #place(h: number, r: number): void {
    if ((this.#count + 1) * 4 > (this.#slots.length >> 1) * 3) this.#resize(this.#slots.length);
    const slots = this.#slots;
    const mask = this.#mask;
    let i = h & mask;
    while (slots[i * 2 + 1] !== 0) i = (i + 1) & mask;
    slots[i * 2] = h;
    slots[i * 2 + 1] = r;
  }

  /** Take record r out of the index (backward-shift deletion keeps probe chains intact). */
  #unplace(r: number): void {
    const slots = this.#slots;
    const mask = this.#mask;
    const h = this.#hashOf(r);
    let i = h & mask;
    while (slots[i * 2 + 1] !== r) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const rj = slots[j * 2 + 1]!;
      if (rj === 0) break;
      const home = slots[j * 2]! & mask;
      // Move j back into the hole unless its home lies cyclically in (i, j].
      if (((j - home) & mask) >= ((j - i) & mask)) {
        slots[i * 2] = slots[j * 2]!;
        slots[i * 2 + 1] = rj;
        i = j;
      }
    }
    slots[i * 2] = 0;
    slots[i * 2 + 1] = 0;
  }

  #hashOf(r: number): number {
    const p = r * 8 + HEAD;
    return hashBytes(this.u8, p, p + this.#i32[r * 2 + KLEN]!);
  }

  /** Rebuild the index with `pairs` int32s (2 per slot). */
  #resize(pairs: number): void {
    const old = this.#slots;
    const n = Math.max(MIN_SLOTS * 2, pairs * 2);
    const slots = new Int32Array(n);
    const mask = n / 2 - 1;
    for (let i = 0; i < old.length; i += 2) {
      const r = old[i + 1]!;
      if (r === 0) continue;
      const h = old[i]!;
      let j = h & mask;
      while (slots[j * 2 + 1] !== 0) j = (j + 1) & mask;
      slots[j * 2] = h;
      slots[j * 2 + 1] = r;
    }
    this.#slots = slots;
    this.#mask = mask;
  }

  /** Empty: give the arena's pages back (a live walk over the old records just ends). */
  #reset(): void {
    if (this.guards.length !== 0) return;
    this.#generation++;
    this.#top = 8;
    this.#free.clear();
    this.#freeBytes = 0;
    this.#objs = [];
    this.#objFree = [];
    if (this.#inPlace) this.#ab.resize(KEYSPACE_INITIAL);
    else if (this.#ab.byteLength > MEMBERS_INITIAL) this.#setArena(this.#newArena());
    if (this.#slots.length > MIN_SLOTS * 2) {
      this.#slots = new Int32Array(MIN_SLOTS * 2);
      this.#mask = MIN_SLOTS - 1;
    }
  }
}
