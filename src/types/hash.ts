// The hash value: field → value over one Map of latin1 strings (no per-field objects), in
// insertion order as Redis's listpack keeps it, with the listpack → hashtable encoding switch.
// The size limits are passed in by the caller (config lives above types/). Pure data.
import type { TypedValue } from "./value.ts";

/** hash-max-listpack-entries and hash-max-listpack-value, as the command layer reads them. */
export interface HashLimits {
  readonly entries: number;
  readonly value: number;
}

export class Hash implements TypedValue {
  readonly type = "hash" as const;
  /** Field → value. Updating a field keeps its place; a new field goes last (listpack order). */
  readonly map: Map<string, string>;
  /** Redis converts to a hashtable past the limits and never back. */
  #listpack = true;
  /** Rotating iterator for random picks in large hashes (see randomField). */
  #randIter: Iterator<string> | null = null;

  constructor(map: Map<string, string> = new Map()) {
    this.map = map;
  }

  get size(): number {
    return this.map.size;
  }

  encoding(): string {
    return this.#listpack ? "listpack" : "hashtable";
  }

  get isListpack(): boolean {
    return this.#listpack;
  }

  /** Switch to the hashtable encoding (one way). */
  convert(): void {
    this.#listpack = false;
  }

  clone(): Hash {
    const h = new Hash(new Map(this.map));
    h.#listpack = this.#listpack;
    return h;
  }

  get(field: string): string | undefined {
    return this.map.get(field);
  }

  has(field: string): boolean {
    return this.map.has(field);
  }

  /**
   * Redis's hashTypeSet: a field or value longer than limits.value converts first; after the
   * write, more than limits.entries fields converts. Returns true if the field is new.
   */
  set(field: string, value: string, limits: HashLimits): boolean {
    if (this.#listpack && (field.length > limits.value || value.length > limits.value)) this.#listpack = false;
    const size = this.map.size;
    this.map.set(field, value);
    if (this.#listpack && this.map.size > limits.entries) this.#listpack = false;
    return this.map.size !== size;
  }

  delete(field: string): boolean {
    return this.map.delete(field);
  }

  /**
   * One random field, or null when empty. Small hashes pick uniformly; large ones skip a random
   * distance along a rotating iterator so each pick costs O(1) amortised, like Redis's dict
   * sampling (close to uniform, not exactly).
   */
  randomField(): string | null {
    const n = this.map.size;
    if (n === 0) return null;
    if (n <= 1024) {
      let i = Math.floor(Math.random() * n);
      for (const f of this.map.keys()) if (i-- === 0) return f;
      return null;
    }
    let skip = Math.floor(Math.random() * 64);
    let f: string | null = null;
    while (f === null || skip-- > 0) {
      this.#randIter ??= this.map.keys();
      const r = this.#randIter.next();
      if (r.done) this.#randIter = null;
      else f = r.value;
    }
    return f;
  }

  /** Up to count distinct fields, in hash order (a uniform sample: selection sampling). */
  sampleOrdered(count: number): string[] {
    const out: string[] = [];
    let left = this.map.size;
    let need = count;
    for (const f of this.map.keys()) {
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
    const n = this.map.size;
    if (count * 3 > n || n <= 1024) {
      // A partial Fisher-Yates over all fields: O(n), fine when count is a good share of n.
      const all = Array.from(this.map.keys());
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
