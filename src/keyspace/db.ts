// One numbered database: the key → value dictionary, the expires dictionary, lazy expiry,
// last-access times (OBJECT IDLETIME) and the SCAN cursor registry.
// Knows nothing of clients, replies or propagation: it reports through KeyspaceHooks.
import type { Clock } from "../util/clock.ts";
import type { Value } from "../types/value.ts";

export interface KeyspaceHooks {
  /** A key was found expired and removed (lazy or active): propagate DEL, notify, signal. */
  expired(db: Db, key: string): void;
  /** True when expired keys must not be deleted here (a replica waits for its primary's DEL). */
  keepExpired(): boolean;
}

/** A live iteration over a dictionary, resumed by a SCAN cursor. */
export interface ScanState {
  iter: Iterator<string>;
  done: boolean;
}

const MAX_CURSORS = 1024;

export class Db {
  readonly id: number;
  dict = new Map<string, Value>();
  expires = new Map<string, number>();
  #access = new Map<string, number>();
  #clock: Clock;
  #hooks: KeyspaceHooks;
  #cursors = new Map<number, Iterator<string>>();
  #nextCursor = 1;
  #randIter: Iterator<string> | null = null;
  /** Iterator reused by the active expire cycle across runs (Redis's expires_cursor). */
  expireIter: Iterator<[string, number]> | null = null;

  constructor(id: number, clock: Clock, hooks: KeyspaceHooks) {
    this.id = id;
    this.#clock = clock;
    this.#hooks = hooks;
  }

  get size(): number {
    return this.dict.size;
  }

  /** Redis's expireIfNeeded: true if the key is (logically) expired. */
  expireIfNeeded(key: string, now = this.#clock.now()): boolean {
    const when = this.expires.get(key);
    if (when === undefined || when > now) return false;
    if (this.#hooks.keepExpired()) return true;
    this.#remove(key);
    this.#hooks.expired(this, key);
    return true;
  }

  /** Look a key up for reading or writing, expiring it first. Updates the access time. */
  lookup(key: string): Value | undefined {
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return undefined;
    const v = this.dict.get(key);
    if (v !== undefined) this.#access.set(key, this.#clock.now());
    return v;
  }

  /** Look a key up without touching its access time (OBJECT, TYPE-free internal reads). */
  peek(key: string): Value | undefined {
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return undefined;
    return this.dict.get(key);
  }

  has(key: string): boolean {
    return this.peek(key) !== undefined;
  }

  /** Redis's setKey: store the value; the TTL is dropped unless keepTtl. */
  set(key: string, value: Value, keepTtl = false): void {
    this.dict.set(key, value);
    this.#access.set(key, this.#clock.now());
    if (!keepTtl && this.expires.size !== 0) this.expires.delete(key);
  }

  /** Replace the value of an existing key, keeping its TTL (in-place updates). */
  update(key: string, value: Value): void {
    this.dict.set(key, value);
  }

  delete(key: string): boolean {
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return false;
    return this.#remove(key);
  }

  #remove(key: string): boolean {
    if (!this.dict.delete(key)) return false;
    this.expires.delete(key);
    this.#access.delete(key);
    return true;
  }

  /** Absolute expiry in ms, or -1. */
  getExpire(key: string): number {
    return this.expires.get(key) ?? -1;
  }

  setExpire(key: string, when: number): void {
    this.expires.set(key, when);
  }

  persist(key: string): boolean {
    return this.expires.delete(key);
  }

  /** Milliseconds since the key was last accessed (OBJECT IDLETIME). */
  idleMs(key: string): number {
    const t = this.#access.get(key);
    return t === undefined ? 0 : Math.max(0, this.#clock.now() - t);
  }

  /** Mark a key as accessed now (TOUCH). */
  touch(key: string): void {
    this.#access.set(key, this.#clock.now());
  }

  /** Remove every key; returns how many there were. */
  flush(): number {
    const n = this.dict.size;
    this.dict = new Map();
    this.expires = new Map();
    this.#access = new Map();
    this.#cursors.clear();
    this.expireIter = null;
    this.#randIter = null;
    return n;
  }

  /** Exchange contents with another db (SWAPDB). */
  swapWith(other: Db): void {
    [this.dict, other.dict] = [other.dict, this.dict];
    [this.expires, other.expires] = [other.expires, this.expires];
    [this.#access, other.#access] = [other.#access, this.#access];
    this.#cursors.clear();
    other.#cursors.clear();
    this.expireIter = null;
    other.expireIter = null;
    this.#randIter = null;
    other.#randIter = null;
  }

  /**
   * A random live key, or null. Small dictionaries pick uniformly; large ones skip a random
   * distance along a rotating iterator, so each call costs O(1) amortised like Redis's.
   */
  randomKey(): string | null {
    for (let tries = 0; tries < 100 && this.dict.size > 0; tries++) {
      let k: string | null = null;
      if (this.dict.size <= 1024) {
        let i = Math.floor(Math.random() * this.dict.size);
        for (const key of this.dict.keys()) if (i-- === 0) { k = key; break; }
      } else {
        let skip = Math.floor(Math.random() * 64);
        while (k === null || skip-- > 0) {
          this.#randIter ??= this.dict.keys();
          const r = this.#randIter.next();
          if (r.done) this.#randIter = null;
          else k = r.value;
        }
      }
      if (k === null) continue;
      if (this.expires.size !== 0 && this.expireIfNeeded(k)) continue;
      return k;
    }
    return null;
  }

  /**
   * One step of SCAN over the keys: resumes the iteration named by cursor (0 starts one) and
   * returns up to count keys and the next cursor (0 when done). A live Map iterator visits
   * every key present for the whole iteration exactly once, whatever is added or removed.
   */
  scan(cursor: number, count: number): { next: number; keys: string[] } {
    let it: Iterator<string> | undefined;
    if (cursor !== 0) {
      it = this.#cursors.get(cursor);
      this.#cursors.delete(cursor);
    }
    if (it === undefined) it = this.dict.keys();
    const keys: string[] = [];
    while (keys.length < count) {
      const r = it.next();
      if (r.done) return { next: 0, keys };
      keys.push(r.value);
    }
    const next = this.#nextCursor++;
    if (this.#nextCursor > 0x7fffffff) this.#nextCursor = 1;
    this.#cursors.set(next, it);
    if (this.#cursors.size > MAX_CURSORS) {
      const oldest = this.#cursors.keys().next().value;
      if (oldest !== undefined) this.#cursors.delete(oldest);
    }
    return { next, keys };
  }
}
