// The set value: distinct latin1 members, with Redis's encodings: intset (canonical int64 members
// only, iterated in numeric order) and listpack in one JS Set, hashtable in a byte table
// (keytable.ts: no JS object per member). Conversions go one way only. Size limits come from the caller. Pure data.
import type { TypedValue } from "./value.ts";
import { KeyTable } from "./keytable.ts";
import { latin1 } from "../util/bytes.ts";

/** set-max-intset-entries, set-max-listpack-entries and set-max-listpack-value. */
export interface SetLimits {
  readonly intsetEntries: number;
  /** 0 disables listpack sets (Redis 7.0 has none: intset converts straight to hashtable). */
  readonly listpackEntries: number;
  readonly listpackValue: number;
}

const INTSET = 0;
const LISTPACK = 1;
const HASHTABLE = 2;
type Encoding = typeof INTSET | typeof LISTPACK | typeof HASHTABLE;
const NAMES = ["intset", "listpack", "hashtable"] as const;

/** Above this many members, a random pick walks a rotating iterator instead of indexing. */
const SMALL = 1024;

/**
 * True when s is a canonical int64 as Redis's string2ll reads it (no sign but '-', no leading
 * zeros, no "-0", within range): the members an intset can hold. Allocation-free.
 */
export function isIntsetMember(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  const neg = s.charCodeAt(0) === 45;
  const i = neg ? 1 : 0;
  if (i === n) return false;
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1;
  if (first < 49 || first > 57) return false;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return false;
  }
  // Equal-length digit strings compare as numbers do.
  if (n - i < 19) return true;
  if (n - i > 19) return false;
  return neg ? s <= "-9223372036854775808" : s <= "9223372036854775807";
}

/** Numeric order of two canonical int64 strings, without parsing them. */
export function compareInts(a: string, b: string): number {
  const an = a.charCodeAt(0) === 45;
  const bn = b.charCodeAt(0) === 45;
  if (an !== bn) return an ? -1 : 1;
  if (a.length !== b.length) return an ? b.length - a.length : a.length - b.length;
  if (a === b) return 0;
  return (a < b) !== an ? -1 : 1;
}

/** Where m goes in the ascending array: the index of the first element not below it. */
function lowerBound(arr: readonly string[], m: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareInts(arr[mid]!, m) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SetValue implements TypedValue {
  readonly type = "set" as const;
  /** Members while intset- or listpack-encoded (few), else null. */
  #small: Set<string> | null;
  /** Members once hashtable-encoded: a byte table (keytable.ts), no JS object per member. */
  #big: KeyTable | null = null;
  #enc: Encoding;
  /** Intset members in numeric order, kept up to date once built (intset encoding only). */
  #sorted: string[] | null = null;
  /** Rotating iterator for random picks in large small-encoded sets. */
  #randIter: Iterator<string> | null = null;

  /** An empty set in its starting encoding (intset, as Redis creates one for a new set). */
  constructor(members: Iterable<string> = [], enc: Encoding = INTSET) {
    this.#enc = enc;
    if (enc === HASHTABLE) {
      this.#small = null;
      this.#big = new KeyTable(false);
      for (const m of members) this.#big.insert(m, "", 0);
    } else {
      this.#small = new Set(members);
    }
  }

  /** A new set holding members, added one by one as Redis builds a result set. */
  static of(members: Iterable<string>, limits: SetLimits): SetValue {
    const s = new SetValue();
    for (const m of members) s.add(m, limits);
    return s;
  }

  get size(): number {
    return this.#small !== null ? this.#small.size : this.#big!.size;
  }

  encoding(): string {
    return NAMES[this.#enc];
  }

  get isIntset(): boolean {
    return this.#enc === INTSET;
  }

  /** True when iteration order is the hashtable's own (not the intset's numeric order). */
  get isHashtable(): boolean {
    return this.#enc === HASHTABLE;
  }

  clone(): SetValue {
    if (this.#big === null) return new SetValue(this.#small!, this.#enc);
    const c = new SetValue([], HASHTABLE);
    c.#big = this.#big.clone();
    return c;
  }

  has(m: string): boolean {
    return this.#small !== null ? this.#small.has(m) : this.#big!.find(m) !== 0;
  }

  /** has() for the member spelled by b[s, e) (no string made once hashtable-encoded). */
  hasBytes(b: Uint8Array, s: number, e: number): boolean {
    if (this.#big !== null) return this.#big.findBytes(b, s, e) !== 0;
    return this.#small!.has(latin1(b, s, e));
  }

  /** Add a member, converting first when it does not fit the encoding. True if it is new. */
  add(m: string, limits: SetLimits): boolean {
    const small = this.#small;
    if (small === null) {
      const big = this.#big!;
      if (big.find(m) !== 0) return false;
      big.insert(m, "", 0);
      return true;
    }
    if (small.has(m)) return false;
    this.#convertFor(m, small.size + 1, limits);
    if (this.#big !== null) {
      this.#big.insert(m, "", 0);
      return true;
    }
    small.add(m);
    if (this.#sorted !== null) {
      if (this.#enc === INTSET) this.#sorted.splice(lowerBound(this.#sorted, m), 0, m);
      else this.#sorted = null;
    }
    return true;
  }

  /**
   * add() of the member spelled by b[s, e) (no string made once hashtable-encoded; limits may be
   * null only then, as a hashtable never converts).
   */
  addBytes(b: Uint8Array, s: number, e: number, limits: SetLimits | null): boolean {
    const big = this.#big;
    if (big === null) return this.add(latin1(b, s, e), limits!);
    if (big.findBytes(b, s, e) !== 0) return false;
    big.insertBytes(b, s, e, b, s, s, 0);
    return true;
  }

  /** The encoding that can hold m once the set has `size` members. */
  #convertFor(m: string, size: number, limits: SetLimits): void {
    if (this.#enc === INTSET) {
      if (isIntsetMember(m) && size <= limits.intsetEntries) return;
      if (size > limits.listpackEntries || !this.#fitsListpack(m, limits.listpackValue)) this.#toHashtable();
      else this.#enc = LISTPACK;
      return;
    }
    if (size > limits.listpackEntries || m.length > limits.listpackValue) this.#toHashtable();
  }

  #toHashtable(): void {
    const big = new KeyTable(false);
    for (const x of this.#small!) big.insert(x, "", 0);
    this.#big = big;
    this.#small = null;
    this.#sorted = null;
    this.#randIter = null;
    this.#enc = HASHTABLE;
  }

  /** Leaving the intset: a listpack only if m and every member so far are short enough. */
  #fitsListpack(m: string, max: number): boolean {
    if (m.length > max) return false;
    for (const x of this.#small!) if (x.length > max) return false;
    return true;
  }

  delete(m: string): boolean {
    if (this.#big !== null) return this.#big.delete(m);
    if (!this.#small!.delete(m)) return false;
    const sorted = this.#sorted;
    if (sorted !== null) {
      const i = lowerBound(sorted, m);
      sorted.splice(i, 1);
    }
    return true;
  }

  /** Every member, in the storage's own order (insertion order, roughly, for a hashtable). */
  values(): Iterable<string> {
    return this.#small ?? this.#big!.keys();
  }

  /** Members in the encoding's order: numeric for an intset, insertion order otherwise. */
  ordered(): Iterable<string> {
    return this.#enc === INTSET ? this.#intsetOrder() : this.values();
  }

  #intsetOrder(): string[] {
    if (this.#sorted === null) this.#sorted = Array.from(this.#small!).sort(compareInts);
    return this.#sorted;
  }

  /**
   * One random member, or null when empty. Small sets pick uniformly; a hashtable picks a
   * random slot of its index (uniform), like Redis's dictGetFairRandomKey.
   */
  random(): string | null {
    if (this.#big !== null) {
      const r = this.#big.randomRecord();
      return r === 0 ? null : this.#big.keyOf(r);
    }
    const small = this.#small!;
    const n = small.size;
    if (n === 0) return null;
    if (this.#enc === INTSET) return this.#intsetOrder()[Math.floor(Math.random() * n)]!;
    if (n <= SMALL) {
      let i = Math.floor(Math.random() * n);
      for (const m of small) if (i-- === 0) return m;
      return null;
    }
    let skip = Math.floor(Math.random() * 64);
    let m: string | null = null;
    while (m === null || skip-- > 0) {
      this.#randIter ??= small.values();
      const r = this.#randIter.next();
      if (r.done) this.#randIter = null;
      else m = r.value;
    }
    return m;
  }

  /** Remove and return a random member (SPOP), or null when empty. */
  popRandom(): string | null {
    const big = this.#big;
    if (big === null) {
      const m = this.random();
      if (m !== null) this.delete(m);
      return m;
    }
    const r = big.randomRecord();
    if (r === 0) return null;
    const m = big.keyOf(r);
    big.remove(r);
    return m;
  }

  /** An indexable view for many random picks, or null when random() should be used instead. */
  pickable(): readonly string[] | null {
    if (this.#enc === INTSET) return this.#intsetOrder();
    return this.size <= SMALL ? Array.from(this.values()) : null;
  }

  /** count distinct members (count < size) in random order. */
  sampleDistinct(count: number): string[] {
    const n = this.size;
    if (count * 3 > n || n <= SMALL || this.#enc === INTSET) {
      // A partial Fisher-Yates: O(n), fine when count is a good share of n.
      const all = this.#enc === INTSET ? this.#intsetOrder().slice() : Array.from(this.values());
      for (let i = 0; i < count; i++) {
        const j = i + Math.floor(Math.random() * (n - i));
        const t = all[i]!;
        all[i] = all[j]!;
        all[j] = t;
      }
      all.length = count;
      return all;
    }
    // Few members out of many: random picks until enough distinct ones, O(count).
    const seen = new Set<string>();
    while (seen.size < count) seen.add(this.random()!);
    return Array.from(seen);
  }
}
