// Live-iterator cursors for HSCAN/SSCAN/ZSCAN: a cursor number names a parked JS Map/Set
// iterator over one collection. A live iterator visits every element present for the whole
// iteration exactly once, whatever is added or removed between calls (SCAN's guarantee).
// Owns cursor numbers and the cursor text syntax; knows nothing of commands or replies.

const MAX_CURSORS = 1024;
const UINT64_MAX = "18446744073709551615";

interface Parked<T> {
  owner: object;
  iter: Iterator<T>;
}

/**
 * Parked iterations, keyed by cursor. Each remembers the collection it walks (its owner), so a
 * cursor presented for another collection — or after the key was replaced — starts afresh
 * rather than walking the wrong one. The oldest cursors are dropped past a fixed number.
 */
export class ScanCursors<T> {
  #parked = new Map<number, Parked<T>>();
  #next = 1;

  /** The iteration resumed by cursor for owner, or a new one from start() (cursor 0, unknown, stale). */
  resume(owner: object, cursor: number, start: () => Iterator<T>): Iterator<T> {
    if (cursor !== 0) {
      const p = this.#parked.get(cursor);
      if (p !== undefined) {
        this.#parked.delete(cursor);
        if (p.owner === owner) return p.iter;
      }
    }
    return start();
  }

  /** Park an unfinished iteration; returns its cursor (never 0). */
  park(owner: object, iter: Iterator<T>): number {
    const id = this.#next++;
    if (this.#next > 0x7fffffff) this.#next = 1;
    this.#parked.set(id, { owner, iter });
    if (this.#parked.size > MAX_CURSORS) {
      const oldest = this.#parked.keys().next().value;
      if (oldest !== undefined) this.#parked.delete(oldest);
    }
    return id;
  }

  get size(): number {
    return this.#parked.size;
  }

  clear(): void {
    this.#parked.clear();
  }
}

/**
 * A SCAN cursor argument as Redis reads it (strtoul, base 10): no leading space, an optional
 * sign, digits, nothing after, within unsigned 64 bits ("-1" wraps). The empty string is 0.
 * Returns the cursor (cursors past 2^53 only need to be told apart from ours), or null.
 */
export function parseScanCursor(s: string): number | null {
  const n = s.length;
  if (n === 0) return 0;
  let i = 0;
  let neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 === 43 || c0 === 45) {
    neg = c0 === 45;
    i = 1;
  }
  if (i === n) return null;
  for (let j = i; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  while (i < n - 1 && s.charCodeAt(i) === 48) i++;
  const digits = s.slice(i);
  if (digits.length > UINT64_MAX.length || (digits.length === UINT64_MAX.length && digits > UINT64_MAX)) return null;
  const v = Number(digits);
  if (v === 0) return 0;
  // A negated value wraps to 2^64 - v: never one of our cursors, so any non-zero stand-in does.
  return neg ? Number.MAX_SAFE_INTEGER : v;
}
