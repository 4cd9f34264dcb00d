// The list value: a ring buffer of latin1 strings (growable power-of-two array with head/len),
// so pushes and pops at both ends are O(1) and LINDEX/LSET near either end never walk the list.
// Tracks an estimate of Redis's listpack size to report OBJECT ENCODING. Pure data: no imports
// beyond types/.
import type { TypedValue } from "./value.ts";

const MIN_CAP = 4;
/** Listpack header (total bytes + count) plus its end byte. */
const LP_OVERHEAD = 7;

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
 * Approximate listpack cost of one entry: encoding header + payload + back-length. Redis stores
 * integer-looking strings more compactly; this counts them as strings, erring towards "quicklist".
 */
function entryBytes(s: string): number {
  const n = s.length;
  return n < 64 ? n + 2 : n < 4096 ? n + 4 : n + 10;
}

export class List implements TypedValue {
  readonly type = "list" as const;
  #buf: string[];
  #mask: number;
  #head = 0;
  #len = 0;
  /** Sum of entryBytes over the elements (for the encoding estimate). */
  #bytes = 0;
  /** Redis 7.2 converts to quicklist past the limit and back only below half of it. */
  #quick = false;

  constructor(capacity = MIN_CAP) {
    let cap = MIN_CAP;
    while (cap < capacity) cap *= 2;
    this.#buf = new Array<string>(cap).fill("");
    this.#mask = cap - 1;
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
    for (let i = 0; i < this.#len; i++) l.#buf[i] = this.#buf[(this.#head + i) & this.#mask]!;
    l.#len = this.#len;
    l.#bytes = this.#bytes;
    l.#quick = this.#quick;
    return l;
  }

  /** Element i (0 ≤ i < length). */
  at(i: number): string {
    return this.#buf[(this.#head + i) & this.#mask]!;
  }

  /** Replace element i (0 ≤ i < length). */
  set(i: number, s: string): void {
    const p = (this.#head + i) & this.#mask;
    this.#bytes += entryBytes(s) - entryBytes(this.#buf[p]!);
    this.#buf[p] = s;
    if (this.#quick) this.#maybeShrunk();
    else this.#maybeGrew();
  }

  pushHead(s: string): void {
    if (this.#len === this.#buf.length) this.#resize(this.#buf.length * 2);
    this.#head = (this.#head - 1) & this.#mask;
    this.#buf[this.#head] = s;
    this.#len++;
    this.#bytes += entryBytes(s);
    if (!this.#quick) this.#maybeGrew();
  }

  pushTail(s: string): void {
    if (this.#len === this.#buf.length) this.#resize(this.#buf.length * 2);
    this.#buf[(this.#head + this.#len) & this.#mask] = s;
    this.#len++;
    this.#bytes += entryBytes(s);
    if (!this.#quick) this.#maybeGrew();
  }

  popHead(): string | undefined {
    if (this.#len === 0) return undefined;
    const s = this.#buf[this.#head]!;
    this.#buf[this.#head] = "";
    this.#head = (this.#head + 1) & this.#mask;
    this.#len--;
    this.#afterRemove(entryBytes(s));
    return s;
  }

  popTail(): string | undefined {
    if (this.#len === 0) return undefined;
    const p = (this.#head + this.#len - 1) & this.#mask;
    const s = this.#buf[p]!;
    this.#buf[p] = "";
    this.#len--;
    this.#afterRemove(entryBytes(s));
    return s;
  }

  /** Insert s so that it becomes element i (0 ≤ i ≤ length), moving the shorter side. */
  insert(i: number, s: string): void {
    if (this.#len === this.#buf.length) this.#resize(this.#buf.length * 2);
    const buf = this.#buf;
    const m = this.#mask;
    if (i < this.#len >> 1) {
      this.#head = (this.#head - 1) & m;
      const h = this.#head;
      for (let k = 0; k < i; k++) buf[(h + k) & m] = buf[(h + k + 1) & m]!;
    } else {
      const h = this.#head;
      for (let k = this.#len; k > i; k--) buf[(h + k) & m] = buf[(h + k - 1) & m]!;
    }
    buf[(this.#head + i) & m] = s;
    this.#len++;
    this.#bytes += entryBytes(s);
    if (!this.#quick) this.#maybeGrew();
  }

  /** Remove element i (0 ≤ i < length), moving the shorter side. */
  removeAt(i: number): void {
    const buf = this.#buf;
    const m = this.#mask;
    const h = this.#head;
    const s = buf[(h + i) & m]!;
    if (i < this.#len >> 1) {
      for (let k = i; k > 0; k--) buf[(h + k) & m] = buf[(h + k - 1) & m]!;
      buf[h] = "";
      this.#head = (h + 1) & m;
    } else {
      for (let k = i; k < this.#len - 1; k++) buf[(h + k) & m] = buf[(h + k + 1) & m]!;
      buf[(h + this.#len - 1) & m] = "";
    }
    this.#len--;
    this.#afterRemove(entryBytes(s));
  }

  /**
   * Remove the elements at the given ascending, distinct indices in one pass, compacting from
   * whichever side moves fewer elements (LREM near one end costs only up to its last match).
   */
  removeSorted(idx: readonly number[]): void {
    const n = idx.length;
    if (n === 0) return;
    const buf = this.#buf;
    const m = this.#mask;
    const h = this.#head;
    let freed = 0;
    for (const i of idx) freed += entryBytes(buf[(h + i) & m]!);
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
        buf[(h + w) & m] = buf[(h + r) & m]!;
        w--;
      }
      for (let k = 0; k < n; k++) buf[(h + k) & m] = "";
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
        buf[(h + w) & m] = buf[(h + r) & m]!;
        w++;
      }
      for (let k = this.#len - n; k < this.#len; k++) buf[(h + k) & m] = "";
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
    const buf = this.#buf;
    const m = this.#mask;
    let freed = 0;
    for (let k = stop + 1; k < this.#len; k++) {
      const p = (this.#head + k) & m;
      freed += entryBytes(buf[p]!);
      buf[p] = "";
    }
    for (let k = 0; k < start; k++) {
      const p = (this.#head + k) & m;
      freed += entryBytes(buf[p]!);
      buf[p] = "";
    }
    this.#head = (this.#head + start) & m;
    this.#len = stop - start + 1;
    this.#afterRemove(freed);
  }

  clear(): void {
    this.#buf = new Array<string>(MIN_CAP).fill("");
    this.#mask = MIN_CAP - 1;
    this.#head = 0;
    this.#len = 0;
    this.#bytes = 0;
    this.#quick = false;
  }

  /** Elements in order (tests, persistence). */
  toArray(): string[] {
    const out = new Array<string>(this.#len);
    for (let i = 0; i < this.#len; i++) out[i] = this.#buf[(this.#head + i) & this.#mask]!;
    return out;
  }

  /** Current ring capacity (tests check that it shrinks). */
  get capacity(): number {
    return this.#buf.length;
  }

  #resize(cap: number): void {
    const nb = new Array<string>(cap).fill("");
    const m = this.#mask;
    for (let i = 0; i < this.#len; i++) nb[i] = this.#buf[(this.#head + i) & m]!;
    this.#buf = nb;
    this.#mask = cap - 1;
    this.#head = 0;
  }

  #afterRemove(freed: number): void {
    this.#bytes -= freed;
    const cap = this.#buf.length;
    // Give memory back once three quarters are unused (amortised O(1): halving needs cap/4
    // pops); a big LTRIM may drop several sizes at once.
    if (cap > 16 && this.#len < cap >> 2) {
      let nc = cap >> 1;
      while (nc > 16 && this.#len < nc >> 2) nc >>= 1;
      this.#resize(nc);
    }
    if (this.#quick) this.#maybeShrunk();
  }

  #maybeGrew(): void {
    if (this.#bytes + LP_OVERHEAD > sizeLimit || this.#len > countLimit) this.#quick = true;
  }

  #maybeShrunk(): void {
    if (this.#bytes + LP_OVERHEAD <= sizeLimit >> 1 && this.#len <= countLimit / 2) this.#quick = false;
  }
}
