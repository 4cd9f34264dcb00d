// The list value: a ring of entries (chunk, start, length) over byte chunks, so pushes and pops at
// both ends are O(1), LINDEX/LRANGE anywhere never walk, and a list holds no JS string per element
// (the hot commands copy request bytes in and reply straight from the chunks; fewer live objects for
// the GC). Tracks an estimate of Redis's listpack size for OBJECT ENCODING. Pure data: no imports
// beyond types/.
import type { TypedValue } from "./value.ts";

/** Smallest entry ring (entries). */
const MIN_CAP = 4;
/** A small list lives in one chunk of MIN_CHUNK… bytes that doubles up to half of CHUNK. */
const MIN_CHUNK = 64;
/** A bigger list adds chunks of CHUNK bytes at the end that runs out (a bigger element gets its own). */
const CHUNK = 65536;
/** Below this many bytes a JS copy loop beats a native call. */
const SHORT = 16;
/** Compact once holes exceed both this and the live bytes. */
const HOLES_SLACK = 1024;
/** Listpack header (total bytes + count) plus its end byte. */
const LP_OVERHEAD = 7;

/** Which end of the list an allocation is for (a repack leaves most room there). */
const HEAD = 0;
const TAIL = 1;
const BOTH = 2;

interface Latin1Buffer extends Buffer {
  latin1Write(s: string, offset: number): number;
  latin1Slice(start: number, end: number): string;
}

/** list-max-listpack-size: negative = a byte limit per node (-1 4kb … -5 64kb), positive = entries. */
let fillSetting = -2;
let sizeLimit = 8192;
let countLimit = Number.MAX_SAFE_INTEGER;

/** Apply list-max-listpack-size (the config layer calls this when the setting changes). */
export function setListMaxListpackSize(fill: number): void {
  fillSetting = fill;
  if (fill >= 0) {
    // Matches Redis 7.2: a positive fill bounds the entry count, with an 8kb safety limit on size.
    countLimit = fill === 0 ? 1 : fill;
    sizeLimit = 8192;
  } else {
    const level = Math.min(-fill, 5);
    sizeLimit = 4096 << (level - 1);
    countLimit = Number.MAX_SAFE_INTEGER;
  }
}

export function listMaxListpackSize(): number {
  return fillSetting;
}

/**
 * Approximate listpack cost of an entry of n bytes: encoding header + payload + back-length.
 * Redis stores integer-looking strings more compactly; this counts them as strings, erring
 * towards "quicklist".
 */
function entryBytes(n: number): number {
  return n < 64 ? n + 2 : n < 4096 ? n + 4 : n + 10;
}

function newBuffer(size: number): Latin1Buffer {
  return Buffer.alloc(size) as Latin1Buffer;
}

/** What bufferOf() gives for an empty element whose chunk was given back (it holds no bytes). */
const EMPTY = Buffer.alloc(0);

/** Chunks 1… of a list that outgrew one chunk, by id (null once given back), and the free ids. */
interface Chunks {
  bufs: (Latin1Buffer | null)[];
  lo: number[];
  hi: number[];
  live: number[];
  free: number[];
}

export class List implements TypedValue {
  readonly type = "list" as const;
  /** The ring: the entry at position p is #ent[3p + 2] bytes at #ent[3p + 1] of chunk #ent[3p]. */
  #ent: Uint32Array;
  #mask: number;
  #head = 0;
  #len = 0;
  /**
   * Chunks: each is a two-ended bump allocator whose bytes in use lie in [lo, hi), live of them
   * held by entries; the rest are holes (left by LSET, LINSERT, LREM, LTRIM or a pop of an entry
   * not at an edge), reclaimed when the chunk empties or by a repack. Head pushes take room below
   * lo of chunk #hc, tail pushes above hi of chunk #tc. Chunk 0 lives in fields, so a small list
   * (one chunk) is three objects: itself, its ring and its bytes.
   */
  #b0: Latin1Buffer | null = null;
  #lo0 = 0;
  #hi0 = 0;
  #live0 = 0;
  #x: Chunks | null = null;
  #chunks = 0;
  #hc = 0;
  #tc = 0;
  /** Element bytes in all, and hole bytes in all chunks. */
  #liveBytes = 0;
  #holes = 0;
  /** Sum of entryBytes over the elements (for the encoding estimate). */
  #bytes = 0;
  /** Redis 7.2 converts to quicklist past the limit and back only below half of it. */
  #quick = false;

  constructor(capacity = MIN_CAP) {
    let cap = MIN_CAP;
    while (cap < capacity) cap *= 2;
    this.#ent = new Uint32Array(cap * 3);
    this.#mask = cap - 1;
    this.#hc = this.#tc = this.#newChunk(MIN_CHUNK, MIN_CHUNK / 2);
  }

  static from(items: Iterable<string>): List {
    const l = new List();
    for (const s of items) l.pushTail(s);
    return l;
  }

  get length(): number {
    return this.#len;
  }

  encoding(): string {
    return this.#quick ? "quicklist" : "listpack";
  }

  clone(): List {
    const l = new List(this.#len);
    const m = this.#mask;
    const ent = this.#ent;
    const ne = l.#ent;
    for (let i = 0; i < this.#len; i++) {
      const p = 3 * ((this.#head + i) & m);
      ne[3 * i] = ent[p]!;
      ne[3 * i + 1] = ent[p + 1]!;
      ne[3 * i + 2] = ent[p + 2]!;
    }
    const copy = (b: Latin1Buffer | null) => (b === null ? null : (Buffer.from(b) as Latin1Buffer));
    l.#b0 = copy(this.#b0);
    l.#lo0 = this.#lo0;
    l.#hi0 = this.#hi0;
    l.#live0 = this.#live0;
    const x = this.#x;
    l.#x = x === null ? null : { bufs: x.bufs.map(copy), lo: x.lo.slice(), hi: x.hi.slice(), live: x.live.slice(), free: x.free.slice() };
    l.#chunks = this.#chunks;
    l.#hc = this.#hc;
    l.#tc = this.#tc;
    l.#liveBytes = this.#liveBytes;
    l.#holes = this.#holes;
    l.#len = this.#len;
    l.#bytes = this.#bytes;
    l.#quick = this.#quick;
    return l;
  }

  // ---- element access ---------------------------------------------------------------------

  /** The chunk holding element i (0 ≤ i < length): its bytes are [startOf(i), + lengthOf(i)). */
  bufferOf(i: number): Buffer {
    return this.#buf(this.#ent[3 * ((this.#head + i) & this.#mask)]!) ?? EMPTY;
  }

  /** Where element i starts in bufferOf(i) (valid until the list next changes). */
  startOf(i: number): number {
    return this.#ent[3 * ((this.#head + i) & this.#mask) + 1]!;
  }

  /** Byte length of element i. */
  lengthOf(i: number): number {
    return this.#ent[3 * ((this.#head + i) & this.#mask) + 2]!;
  }

  /** Element i (0 ≤ i < length) as a latin1 string (allocates). */
  at(i: number): string {
    const p = 3 * ((this.#head + i) & this.#mask);
    const s = this.#ent[p + 1]!;
    const n = this.#ent[p + 2]!;
    return n === 0 ? "" : this.#buf(this.#ent[p]!)!.latin1Slice(s, s + n);
  }

  /** True when element i (0 ≤ i < length) is the latin1 string str, without making a string. */
  equalsAt(i: number, str: string): boolean {
    const p = 3 * ((this.#head + i) & this.#mask);
    const n = this.#ent[p + 2]!;
    if (n !== str.length) return false;
    const h = this.#buf(this.#ent[p]!)!;
    const s = this.#ent[p + 1]!;
    for (let k = 0; k < n; k++) if (h[s + k] !== str.charCodeAt(k)) return false;
    return true;
  }

  // ---- ends -------------------------------------------------------------------------------

  pushHead(s: string): void {
    const at = this.#allocHead(s.length);
    this.#writeString(this.#hc, at, s);
    this.#linkHead(this.#hc, at, s.length);
  }

  pushTail(s: string): void {
    const at = this.#allocTail(s.length);
    this.#writeString(this.#tc, at, s);
    this.#linkTail(this.#tc, at, s.length);
  }

  /** pushHead() of the bytes b[s, e) (a request argument), with no JS string. */
  pushHeadBytes(b: Uint8Array, s: number, e: number): void {
    const at = this.#allocHead(e - s);
    this.#writeBytes(this.#hc, at, b, s, e);
    this.#linkHead(this.#hc, at, e - s);
  }

  /** pushTail() of the bytes b[s, e). */
  pushTailBytes(b: Uint8Array, s: number, e: number): void {
    const at = this.#allocTail(e - s);
    this.#writeBytes(this.#tc, at, b, s, e);
    this.#linkTail(this.#tc, at, e - s);
  }

  popHead(): string | undefined {
    if (this.#len === 0) return undefined;
    const s = this.at(0);
    this.dropHead();
    return s;
  }

  popTail(): string | undefined {
    if (this.#len === 0) return undefined;
    const s = this.at(this.#len - 1);
    this.dropTail();
    return s;
  }

  /** Remove the first element (the list must not be empty); read it first if it is wanted. */
  dropHead(): void {
    const p = 3 * this.#head;
    const n = this.#ent[p + 2]!;
    this.#release(this.#ent[p]!, this.#ent[p + 1]!, n);
    this.#head = (this.#head + 1) & this.#mask;
    this.#len--;
    this.#afterRemove(entryBytes(n));
  }

  /** Remove the last element (the list must not be empty). */
  dropTail(): void {
    const p = 3 * ((this.#head + this.#len - 1) & this.#mask);
    const n = this.#ent[p + 2]!;
    this.#release(this.#ent[p]!, this.#ent[p + 1]!, n);
    this.#len--;
    this.#afterRemove(entryBytes(n));
  }

  // ---- the middle (O(n) at worst, as in Redis) --------------------------------------------

  /** Replace element i (0 ≤ i < length). */
  set(i: number, s: string): void {
    const n = s.length;
    let p = 3 * ((this.#head + i) & this.#mask);
    const old = this.#ent[p + 2]!;
    if (n === old) {
      this.#writeString(this.#ent[p]!, this.#ent[p + 1]!, s);
    } else {
      // New bytes at the tail; the entry then points there and its old bytes are released. The
      // allocation may repack, so the entry is read again after it.
      const at = this.#allocTail(n);
      this.#writeString(this.#tc, at, s);
      p = 3 * ((this.#head + i) & this.#mask);
      const ent = this.#ent;
      const oc = ent[p]!;
      const os = ent[p + 1]!;
      ent[p] = this.#tc;
      ent[p + 1] = at;
      ent[p + 2] = n;
      this.#release(oc, os, old);
      this.#reclaim();
    }
    this.#bytes += entryBytes(n) - entryBytes(old);
    if (this.#quick) this.#maybeShrunk();
    else this.#maybeGrew();
  }

  /** Insert s so that it becomes element i (0 ≤ i ≤ length), moving the shorter side of the ring. */
  insert(i: number, s: string): void {
    const at = this.#allocTail(s.length);
    const c = this.#tc;
    this.#writeString(c, at, s);
    if (this.#len === this.#mask + 1) this.#resize((this.#mask + 1) * 2);
    const m = this.#mask;
    if (i < this.#len >> 1) {
      this.#head = (this.#head - 1) & m;
      const h = this.#head;
      for (let k = 0; k < i; k++) this.#copyEntry((h + k + 1) & m, (h + k) & m);
    } else {
      const h = this.#head;
      for (let k = this.#len; k > i; k--) this.#copyEntry((h + k - 1) & m, (h + k) & m);
    }
    const p = 3 * ((this.#head + i) & m);
    this.#ent[p] = c;
    this.#ent[p + 1] = at;
    this.#ent[p + 2] = s.length;
    this.#len++;
    this.#bytes += entryBytes(s.length);
    if (!this.#quick) this.#maybeGrew();
  }

  /** Remove element i (0 ≤ i < length), moving the shorter side of the ring. */
  removeAt(i: number): void {
    const m = this.#mask;
    const h = this.#head;
    const p = 3 * ((h + i) & m);
    const n = this.#ent[p + 2]!;
    this.#release(this.#ent[p]!, this.#ent[p + 1]!, n);
    if (i < this.#len >> 1) {
      for (let k = i; k > 0; k--) this.#copyEntry((h + k - 1) & m, (h + k) & m);
      this.#head = (h + 1) & m;
    } else {
      for (let k = i; k < this.#len - 1; k++) this.#copyEntry((h + k + 1) & m, (h + k) & m);
    }
    this.#len--;
    this.#afterRemove(entryBytes(n));
  }

  /**
   * Remove the elements at the given ascending, distinct indices in one pass, compacting the ring
   * from whichever side moves fewer entries (LREM near one end costs only up to its last match).
   */
  removeSorted(idx: readonly number[]): void {
    const n = idx.length;
    if (n === 0) return;
    const ent = this.#ent;
    const m = this.#mask;
    const h = this.#head;
    let freed = 0;
    for (const i of idx) {
      const p = 3 * ((h + i) & m);
      freed += entryBytes(ent[p + 2]!);
      this.#release(ent[p]!, ent[p + 1]!, ent[p + 2]!);
    }
    const first = idx[0]!;
    const last = idx[n - 1]!;
    if (last + 1 < this.#len - first) {
      // Shift the head side towards the tail.
      let w = last;
      let j = n - 1;
      for (let r = last; r >= 0; r--) {
        if (j >= 0 && idx[j] === r) {
          j--;
          continue;
        }
        this.#copyEntry((h + r) & m, (h + w) & m);
        w--;
      }
      this.#head = (h + n) & m;
    } else {
      // Shift the tail side towards the head.
      let w = first;
      let j = 0;
      for (let r = first; r < this.#len; r++) {
        if (j < n && idx[j] === r) {
          j++;
          continue;
        }
        this.#copyEntry((h + r) & m, (h + w) & m);
        w++;
      }
    }
    this.#len -= n;
    this.#afterRemove(freed);
  }

  /** Keep only elements [start, stop] (already clamped: 0 ≤ start, stop < length); empty if start > stop. */
  trim(start: number, stop: number): void {
    if (start > stop || start >= this.#len) {
      this.clear();
      return;
    }
    const ent = this.#ent;
    const m = this.#mask;
    let freed = 0;
    // Release from the ends inwards, so that bytes laid out in order give their room back.
    for (let k = this.#len - 1; k > stop; k--) {
      const p = 3 * ((this.#head + k) & m);
      freed += entryBytes(ent[p + 2]!);
      this.#release(ent[p]!, ent[p + 1]!, ent[p + 2]!);
    }
    for (let k = 0; k < start; k++) {
      const p = 3 * ((this.#head + k) & m);
      freed += entryBytes(ent[p + 2]!);
      this.#release(ent[p]!, ent[p + 1]!, ent[p + 2]!);
    }
    this.#head = (this.#head + start) & m;
    this.#len = stop - start + 1;
    this.#afterRemove(freed);
  }

  clear(): void {
    this.#ent = new Uint32Array(MIN_CAP * 3);
    this.#mask = MIN_CAP - 1;
    this.#head = 0;
    this.#len = 0;
    this.#resetChunks();
    this.#hc = this.#tc = this.#newChunk(MIN_CHUNK, MIN_CHUNK / 2);
    this.#bytes = 0;
    this.#quick = false;
  }

  /** Elements in order (tests, persistence). */
  toArray(): string[] {
    const out = new Array<string>(this.#len);
    for (let i = 0; i < this.#len; i++) out[i] = this.at(i);
    return out;
  }

  /** Current ring capacity in entries (tests check that it shrinks). */
  get capacity(): number {
    return this.#mask + 1;
  }

  /** Bytes held in chunks (tests check that they are given back). */
  get heapSize(): number {
    let n = 0;
    if (this.#b0 !== null) n += this.#b0.length;
    for (const b of this.#x?.bufs ?? []) if (b !== null) n += b.length;
    return n;
  }

  // ---- internals --------------------------------------------------------------------------

  // Chunk fields by id: chunk 0 in this object, the others in #x.
  #buf(c: number): Latin1Buffer | null {
    return c === 0 ? this.#b0 : this.#x!.bufs[c]!;
  }
  #loOf(c: number): number {
    return c === 0 ? this.#lo0 : this.#x!.lo[c]!;
  }
  #hiOf(c: number): number {
    return c === 0 ? this.#hi0 : this.#x!.hi[c]!;
  }
  #liveOf(c: number): number {
    return c === 0 ? this.#live0 : this.#x!.live[c]!;
  }
  #setLo(c: number, v: number): void {
    if (c === 0) this.#lo0 = v;
    else this.#x!.lo[c] = v;
  }
  #setHi(c: number, v: number): void {
    if (c === 0) this.#hi0 = v;
    else this.#x!.hi[c] = v;
  }
  #setLive(c: number, v: number): void {
    if (c === 0) this.#live0 = v;
    else this.#x!.live[c] = v;
  }

  #newChunk(size: number, at: number): number {
    let id = 0;
    if (this.#b0 === null) {
      this.#b0 = newBuffer(size);
    } else {
      const x = (this.#x ??= { bufs: [null], lo: [0], hi: [0], live: [0], free: [] });
      id = x.free.pop() ?? x.bufs.length;
      x.bufs[id] = newBuffer(size);
    }
    this.#setLo(id, at);
    this.#setHi(id, at);
    this.#setLive(id, 0);
    this.#chunks++;
    return id;
  }

  /** Give back chunk id, which holds no entry. */
  #dropChunk(id: number): void {
    this.#holes -= this.#hiOf(id) - this.#loOf(id);
    if (id === 0) {
      this.#b0 = null;
    } else {
      this.#x!.bufs[id] = null;
      this.#x!.free.push(id);
    }
    this.#chunks--;
  }

  #resetChunks(): void {
    this.#b0 = null;
    this.#x = null;
    this.#chunks = 0;
    this.#liveBytes = 0;
    this.#holes = 0;
  }

  /** Room for n bytes below lo of the head chunk (which may change): their start there. */
  #allocHead(n: number): number {
    if (this.#loOf(this.#hc) < n) this.#makeRoom(n, HEAD);
    const c = this.#hc;
    const at = this.#loOf(c) - n;
    this.#setLo(c, at);
    this.#setLive(c, this.#liveOf(c) + n);
    this.#liveBytes += n;
    return at;
  }

  /** Room for n bytes from hi of the tail chunk (which may change): their start there. */
  #allocTail(n: number): number {
    if (this.#hiOf(this.#tc) + n > this.#buf(this.#tc)!.length) this.#makeRoom(n, TAIL);
    const c = this.#tc;
    const at = this.#hiOf(c);
    this.#setHi(c, at + n);
    this.#setLive(c, this.#liveOf(c) + n);
    this.#liveBytes += n;
    return at;
  }

  /**
   * The chunk at that end has no room for n bytes. A small list moves to a bigger single chunk;
   * a bigger one opens a new chunk there, giving back the old end chunk if it is empty.
   */
  #makeRoom(n: number, side: number): void {
    if (this.#chunks === 1 && this.#liveBytes + n <= CHUNK / 2) {
      this.#repack(n, side);
      return;
    }
    const size = Math.max(CHUNK, n);
    if (side === HEAD) {
      const old = this.#hc;
      this.#hc = this.#newChunk(size, size);
      if (this.#liveOf(old) === 0 && old !== this.#tc) this.#dropChunk(old);
    } else {
      const old = this.#tc;
      this.#tc = this.#newChunk(size, 0);
      if (this.#liveOf(old) === 0 && old !== this.#hc) this.#dropChunk(old);
    }
  }

  #writeString(c: number, at: number, s: string): void {
    const h = this.#buf(c)!;
    const n = s.length;
    if (n <= SHORT) for (let k = 0; k < n; k++) h[at + k] = s.charCodeAt(k);
    else h.latin1Write(s, at);
  }

  #writeBytes(c: number, at: number, b: Uint8Array, s: number, e: number): void {
    const h = this.#buf(c)!;
    const n = e - s;
    if (n <= SHORT) for (let k = 0; k < n; k++) h[at + k] = b[s + k]!;
    else h.set(b.subarray(s, e), at);
  }

  #linkHead(c: number, at: number, n: number): void {
    if (this.#len === this.#mask + 1) this.#resize((this.#mask + 1) * 2);
    const h = (this.#head - 1) & this.#mask;
    this.#head = h;
    const ent = this.#ent;
    ent[3 * h] = c;
    ent[3 * h + 1] = at;
    ent[3 * h + 2] = n;
    this.#len++;
    this.#bytes += entryBytes(n);
    if (!this.#quick) this.#maybeGrew();
  }

  #linkTail(c: number, at: number, n: number): void {
    if (this.#len === this.#mask + 1) this.#resize((this.#mask + 1) * 2);
    const p = 3 * ((this.#head + this.#len) & this.#mask);
    const ent = this.#ent;
    ent[p] = c;
    ent[p + 1] = at;
    ent[p + 2] = n;
    this.#len++;
    this.#bytes += entryBytes(n);
    if (!this.#quick) this.#maybeGrew();
  }

  /** Ring position from → position to. */
  #copyEntry(from: number, to: number): void {
    const ent = this.#ent;
    ent[3 * to] = ent[3 * from]!;
    ent[3 * to + 1] = ent[3 * from + 1]!;
    ent[3 * to + 2] = ent[3 * from + 2]!;
  }

  /**
   * An entry's n bytes at start of chunk c are no longer used: give them back to the chunk's
   * edge, or count a hole. A chunk left with no entry starts over if it is an end chunk (the
   * single chunk of a small list from its middle) and is given back otherwise.
   */
  #release(c: number, start: number, n: number): void {
    // An empty element holds no bytes: its chunk may even be gone or reused.
    if (n === 0) return;
    const live = this.#liveOf(c) - n;
    this.#setLive(c, live);
    this.#liveBytes -= n;
    const lo = this.#loOf(c);
    const hi = this.#hiOf(c);
    if (live === 0) {
      this.#holes -= hi - lo - n;
      const hc = this.#hc;
      const tc = this.#tc;
      const at = c !== hc && c !== tc ? 0 : c !== tc ? this.#buf(c)!.length : c !== hc ? 0 : Math.floor(this.#buf(c)!.length / 2);
      this.#setLo(c, at);
      this.#setHi(c, at);
      if (c !== hc && c !== tc) this.#dropChunk(c);
    } else if (start === lo) {
      this.#setLo(c, lo + n);
    } else if (start + n === hi) {
      this.#setHi(c, hi - n);
    } else {
      this.#holes += n;
    }
  }

  /** A new entry ring of cap entries holding the current ones from position 0. */
  #resize(cap: number): void {
    const ne = new Uint32Array(cap * 3);
    const ent = this.#ent;
    const m = this.#mask;
    for (let i = 0; i < this.#len; i++) {
      const p = 3 * ((this.#head + i) & m);
      ne[3 * i] = ent[p]!;
      ne[3 * i + 1] = ent[p + 1]!;
      ne[3 * i + 2] = ent[p + 2]!;
    }
    this.#ent = ne;
    this.#mask = cap - 1;
    this.#head = 0;
  }

  /**
   * Copy every element, in order and without holes, into fresh chunks with room for extra more
   * bytes at side: one chunk of at least twice the need (so repacks are amortised O(1) per byte)
   * while that is at most CHUNK, else CHUNK-sized chunks filled in turn.
   */
  #repack(extra: number, side: number): void {
    const live = this.#liveBytes;
    const need = live + extra;
    const b0 = this.#b0;
    const x = this.#x;
    const ent = this.#ent;
    const m = this.#mask;
    this.#resetChunks();
    let c: number;
    if (need <= CHUNK / 2) {
      let size = MIN_CHUNK;
      while (size < need * 2) size *= 2;
      const free = size - live;
      const lo = side === HEAD ? free - Math.floor(free / 4) : side === TAIL ? Math.floor(free / 4) : Math.floor(free / 2);
      c = this.#newChunk(size, lo);
      this.#hc = c;
    } else {
      c = this.#newChunk(CHUNK, 0);
      this.#hc = c;
    }
    let h = this.#buf(c)!;
    let w = this.#hiOf(c);
    for (let i = 0; i < this.#len; i++) {
      const p = 3 * ((this.#head + i) & m);
      const s = ent[p + 1]!;
      const n = ent[p + 2]!;
      if (w + n > h.length) {
        // Only when filling CHUNK-sized chunks: close this one (unless still empty: a big first
        // element), open the next.
        this.#setHi(c, w);
        const next = this.#newChunk(Math.max(CHUNK, n), 0);
        if (this.#liveOf(c) === 0) {
          this.#dropChunk(c);
          if (this.#hc === c) this.#hc = next;
        }
        c = next;
        h = this.#buf(c)!;
        w = 0;
      }
      const sc = ent[p]!;
      const src = sc === 0 ? b0! : x!.bufs[sc]!;
      if (n <= SHORT) for (let k = 0; k < n; k++) h[w + k] = src[s + k]!;
      else src.copy(h, w, s, s + n);
      ent[p] = c;
      ent[p + 1] = w;
      this.#setLive(c, this.#liveOf(c) + n);
      w += n;
    }
    this.#setHi(c, w);
    this.#tc = c;
    this.#liveBytes = live;
  }

  /** Too many holes: compact. */
  #maybeCompact(): void {
    const holes = this.#holes;
    if (holes > HOLES_SLACK && holes > this.#liveBytes) this.#repack(0, BOTH);
  }

  #afterRemove(freed: number): void {
    this.#bytes -= freed;
    const cap = this.#mask + 1;
    // Give memory back once three quarters are unused (amortised O(1): halving needs cap/4
    // pops); a big LTRIM may drop several sizes at once.
    if (cap > 16 && this.#len < cap >> 2) {
      let nc = cap >> 1;
      while (nc > 16 && this.#len < nc >> 2) nc >>= 1;
      this.#resize(nc);
    }
    this.#reclaim();
    if (this.#quick) this.#maybeShrunk();
  }

  /**
   * After bytes were released: a list down to an eighth of its one big chunk, or of CHUNK over
   * several, moves back into one small chunk; otherwise too many holes are compacted.
   */
  #reclaim(): void {
    const live = this.#liveBytes;
    const size = this.#chunks === 1 ? this.#buf(this.#hc)!.length : 0;
    if (this.#chunks === 1 ? size > 4096 && live < size / 8 : live <= CHUNK / 8) {
      this.#repack(0, BOTH);
    } else {
      this.#maybeCompact();
    }
  }

  #maybeGrew(): void {
    if (this.#bytes + LP_OVERHEAD > sizeLimit || this.#len > countLimit) this.#quick = true;
  }

  #maybeShrunk(): void {
    if (this.#bytes + LP_OVERHEAD <= sizeLimit >> 1 && this.#len <= countLimit / 2) this.#quick = false;
  }
}
