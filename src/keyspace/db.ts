// One numbered database: the key → value dictionary, the expires dictionary, lazy expiry,
// last-access times (OBJECT IDLETIME), LFU counters (OBJECT FREQ) and the SCAN cursor registry.
// Knows nothing of clients, replies or propagation: it reports through KeyspaceHooks.
import type { Clock } from "../util/clock.ts";
import type { Value } from "../types/value.ts";

export interface KeyspaceHooks {
  /** A key was found expired and removed (lazy or active): propagate DEL, notify, signal. */
  expired(db: Db, key: string): void;
  /** True when expired keys must not be deleted here (a replica waits for its primary's DEL). */
  keepExpired(): boolean;
  /** A key was created (Redis's dbAdd): the "new" keyspace event. Called only while notifyNew is set. */
  added?(db: Db, key: string): void;
}

/**
 * Watches a db while a point-in-time snapshot (BGSAVE) is being written: told before a stored
 * object value may be changed in place or handed to another key, and before two dbs swap.
 */
export interface WriteObserver {
  /** value (an object stored at key) may be mutated in place or moved after this call. */
  beforeWrite(db: Db, key: string, value: object): void;
  /** a and b are about to exchange contents (SWAPDB). */
  beforeSwap(a: Db, b: Db): void;
}

/**
 * A stored key: its value and when it was last accessed (Redis keeps both in the robj). One
 * object per key keeps reads to one hash lookup: an access updates `t` in place.
 */
export class Entry {
  v: Value;
  t: number;
  constructor(v: Value, t: number) {
    this.v = v;
    this.t = t;
  }
}

/** A live iteration over a dictionary, resumed by a SCAN cursor. */
export interface ScanState {
  iter: Iterator<string>;
  done: boolean;
}

const MAX_CURSORS = 1024;
/** Redis's LFU_INIT_VAL: the counter a new key starts with, so it is not evicted at once. */
const LFU_INIT = 5;

export class Db {
  readonly id: number;
  dict = new Map<string, Entry>();
  /** Absolute expiry in ms. Times beyond ±2^53 are kept exactly in #exactExpires too. */
  expires = new Map<string, number>();
  /** Keep LFU counters (an LFU maxmemory-policy is in force); set by the server. */
  lfu = false;
  /** lfu-log-factor and lfu-decay-time (minutes); set by the server. */
  lfuLogFactor = 10;
  lfuDecayTime = 1;
  /** Report created keys through hooks.added (notify-keyspace-events has 'n'); set by the server. */
  notifyNew = false;
  /** LFU state per key: last-decrement minute (16 bits, wrapping) × 256 + counter, as Redis packs it. */
  #freq = new Map<string, number>();
  #exactExpires = new Map<string, bigint>();
  #clock: Clock;
  #hooks: KeyspaceHooks;
  #cursors = new Map<number, Iterator<string>>();
  #nextCursor = 1;
  #randIter: Iterator<string> | null = null;
  /** Iterator reused by the active expire cycle across runs (Redis's expires_cursor). */
  expireIter: Iterator<[string, number]> | null = null;
  /** Snapshots in progress (persistence/snapshot.ts); empty almost always. */
  observers: WriteObserver[] = [];

  constructor(id: number, clock: Clock, hooks: KeyspaceHooks) {
    this.id = id;
    this.#clock = clock;
    this.#hooks = hooks;
  }

  get size(): number {
    return this.dict.size;
  }

  /** True when expired keys are kept until the primary deletes them (replicas). */
  keepsExpired(): boolean {
    return this.#hooks.keepExpired();
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

  /** Redis's keyIsExpired: like expireIfNeeded but never deletes (KEYS reports without reclaiming). */
  isExpired(key: string, now = this.#clock.now()): boolean {
    const when = this.expires.get(key);
    return when !== undefined && when <= now;
  }

  /** Look a key up for reading or writing, expiring it first. Updates the access time. */
  lookup(key: string): Value | undefined {
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return undefined;
    const e = this.dict.get(key);
    if (e === undefined) return undefined;
    const v = e.v;
    // Handlers mutate object values they looked up in place: a snapshot keeps the old one first.
    if (this.observers.length !== 0 && typeof v === "object") for (const o of this.observers) o.beforeWrite(this, key, v);
    const now = this.#clock.now();
    e.t = now;
    if (this.lfu) this.#freq.set(key, this.#lfuBump(this.#freq.get(key), now));
    return v;
  }

  /** Look a key up without touching its access time (OBJECT, TYPE-free internal reads). */
  peek(key: string): Value | undefined {
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return undefined;
    const v = this.dict.get(key)?.v;
    if (this.observers.length !== 0 && typeof v === "object") for (const o of this.observers) o.beforeWrite(this, key, v);
    return v;
  }

  has(key: string): boolean {
    return this.peek(key) !== undefined;
  }

  /**
   * Redis's setKey: store the value; the TTL is dropped unless keepTtl. Like Redis, overwriting
   * a key counts as an access of the old one and keeps its LFU counter.
   */
  set(key: string, value: Value, keepTtl = false): void {
    const now = this.#clock.now();
    // Matches Redis (setKey looks the key up for writing first): a logically expired key is
    // reclaimed and reported as expired, so the new value is a new key without the old TTL.
    if (this.expires.size !== 0) this.expireIfNeeded(key, now);
    const e = this.dict.get(key);
    if (this.lfu) this.#freq.set(key, e !== undefined ? this.#lfuBump(this.#freq.get(key), now) : this.#lfuNew(now));
    if (e === undefined) {
      this.dict.set(key, new Entry(value, now));
      if (this.notifyNew) this.#hooks.added?.(this, key);
    } else if (this.observers.length === 0) {
      e.v = value;
      e.t = now;
    } else {
      // A snapshot's copy holds the old entry: leave it as it is.
      this.dict.set(key, new Entry(value, now));
    }
    if (!keepTtl && this.expires.size !== 0 && this.expires.delete(key)) this.#exactExpires.delete(key);
  }

  /** Replace the value of an existing key, keeping its TTL (in-place updates). */
  update(key: string, value: Value): void {
    const e = this.dict.get(key);
    if (e !== undefined && this.observers.length === 0) e.v = value;
    else this.dict.set(key, new Entry(value, e?.t ?? this.#clock.now()));
  }

  delete(key: string): boolean {
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return false;
    return this.#remove(key);
  }

  #remove(key: string): boolean {
    if (!this.dict.delete(key)) return false;
    if (this.expires.delete(key)) this.#exactExpires.delete(key);
    this.#freq.delete(key);
    return true;
  }

  /** Absolute expiry in ms, or -1. Beyond ±2^53 this is the nearest double; see getExpireExact. */
  getExpire(key: string): number {
    return this.expires.get(key) ?? -1;
  }

  /** Absolute expiry in ms exactly as set (a bigint past ±2^53, where doubles lose digits), or -1. */
  getExpireExact(key: string): number | bigint {
    const when = this.expires.get(key);
    if (when === undefined) return -1;
    if (Number.isSafeInteger(when)) return when;
    const exact = this.#exactExpires.get(key);
    return exact !== undefined && Number(exact) === when ? exact : when;
  }

  /** Set the absolute expiry in ms; a bigint keeps every digit of an int64 time. */
  setExpire(key: string, when: number | bigint): void {
    if (typeof when === "bigint") {
      const n = Number(when);
      this.expires.set(key, n);
      if (Number.isSafeInteger(n)) this.#exactExpires.delete(key);
      else this.#exactExpires.set(key, when);
      return;
    }
    this.expires.set(key, when);
    if (this.#exactExpires.size !== 0) this.#exactExpires.delete(key);
  }

  persist(key: string): boolean {
    if (!this.expires.delete(key)) return false;
    this.#exactExpires.delete(key);
    return true;
  }

  /** Milliseconds since the key was last accessed (OBJECT IDLETIME). */
  idleMs(key: string): number {
    const e = this.dict.get(key);
    return e === undefined ? 0 : Math.max(0, this.#clock.now() - e.t);
  }

  /**
   * Store a key read from a dump (RDB/AOF base load): the bare insert, with no notification;
   * its access time is the load's. False when the key existed (the value then replaced it).
   */
  loadEntry(key: string, value: Value): boolean {
    if (this.lfu) {
      const had = this.dict.has(key);
      this.set(key, value);
      return !had;
    }
    const n = this.dict.size;
    this.dict.set(key, new Entry(value, this.#clock.now()));
    if (this.dict.size !== n) return true;
    // A replaced key (DEBUG RELOAD MERGE): like set(), its old TTL goes.
    if (this.expires.size !== 0 && this.expires.delete(key)) this.#exactExpires.delete(key);
    return false;
  }

  /** Set a key's idle time (RESTORE IDLETIME, RDB IDLE metadata). */
  setIdle(key: string, idleMs: number): void {
    const e = this.dict.get(key);
    if (e !== undefined) e.t = this.#clock.now() - idleMs;
  }

  /** Set a key's LFU counter, as of now (RESTORE FREQ, RDB FREQ metadata). */
  setLfuCounter(key: string, counter: number): void {
    if (this.dict.has(key)) this.#freq.set(key, this.#minutes(this.#clock.now()) * 256 + Math.min(255, Math.max(0, counter)));
  }

  /** Mark a key as accessed now (TOUCH). */
  touch(key: string): void {
    const e = this.dict.get(key);
    if (e === undefined) return;
    const now = this.#clock.now();
    e.t = now;
    if (this.lfu) this.#freq.set(key, this.#lfuBump(this.#freq.get(key), now));
  }

  /** The key's LFU counter after decay, without counting an access (OBJECT FREQ, eviction). */
  lfuFreq(key: string): number {
    const packed = this.#freq.get(key);
    return packed === undefined ? 0 : this.#lfuDecayed(packed, this.#clock.now());
  }

  #minutes(now: number): number {
    return Math.floor(now / 60000) & 0xffff;
  }

  #lfuNew(now: number): number {
    return this.#minutes(now) * 256 + LFU_INIT;
  }

  /** Redis's LFUDecrAndReturn: one step down per lfu-decay-time minutes since the last access. */
  #lfuDecayed(packed: number, now: number): number {
    const counter = packed & 255;
    if (this.lfuDecayTime <= 0) return counter;
    const then = packed >>> 8;
    const cur = this.#minutes(now);
    const elapsed = cur >= then ? cur - then : 65535 - then + cur;
    const periods = Math.floor(elapsed / this.lfuDecayTime);
    return periods > counter ? 0 : counter - periods;
  }

  /** Redis's updateLFU: decay, then a logarithmic increment (likelier while the counter is low). */
  #lfuBump(packed: number | undefined, now: number): number {
    let counter = packed === undefined ? LFU_INIT : this.#lfuDecayed(packed, now);
    if (counter < 255) {
      const base = Math.max(0, counter - LFU_INIT);
      if (Math.random() < 1 / (base * this.lfuLogFactor + 1)) counter++;
    }
    return this.#minutes(now) * 256 + counter;
  }

  /**
   * Move a live key to another name (RENAME): the value, its TTL, access time and LFU state
   * travel with it, as Redis moves the object itself. Whatever `to` held is replaced.
   */
  rename(from: string, to: string): void {
    this.moveTo(from, this, to);
  }

  /** Move a live key into another db (MOVE), or within this one (RENAME), carrying all its state. */
  moveTo(key: string, dst: Db, dstKey = key): void {
    const e = this.dict.get(key);
    if (e === undefined || (dst === this && dstKey === key)) return;
    const v = e.v;
    if (this.observers.length !== 0 && typeof v === "object") for (const o of this.observers) o.beforeWrite(this, key, v);
    const when = this.getExpireExact(key);
    const freq = this.#freq.get(key);
    this.#remove(key);
    dst.#remove(dstKey);
    dst.dict.set(dstKey, new Entry(v, e.t));
    if (when !== -1) dst.setExpire(dstKey, when);
    if (dst.lfu) dst.#freq.set(dstKey, freq ?? dst.#lfuNew(dst.#clock.now()));
    // Matches Redis: the destination is deleted and added again, so it is always a "new" key.
    if (dst.notifyNew) dst.#hooks.added?.(dst, dstKey);
  }

  /** Remove every key; returns how many there were. */
  flush(): number {
    const n = this.dict.size;
    this.dict = new Map();
    this.expires = new Map();
    this.#exactExpires = new Map();
    this.#freq = new Map();
    this.#cursors.clear();
    this.expireIter = null;
    this.#randIter = null;
    return n;
  }

  /** Exchange contents with another db (SWAPDB). */
  swapWith(other: Db): void {
    for (const o of this.observers) o.beforeSwap(this, other);
    [this.dict, other.dict] = [other.dict, this.dict];
    [this.expires, other.expires] = [other.expires, this.expires];
    [this.#exactExpires, other.#exactExpires] = [other.#exactExpires, this.#exactExpires];
    [this.#freq, other.#freq] = [other.#freq, this.#freq];
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
   * An expired pick is reclaimed and another drawn, so this ends once a live key turns up or
   * the db is empty. Where expired keys are kept (replicas), Redis gives up after 100 expired
   * draws when every key has a TTL and returns the last one; so do we.
   */
  randomKey(): string | null {
    let keptTries = 100;
    while (this.dict.size > 0) {
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
      if (this.expires.size !== 0 && this.expires.has(k)) {
        if (this.expires.size === this.dict.size && this.#hooks.keepExpired() && --keptTries === 0) return k;
        if (this.expireIfNeeded(k)) continue;
      }
      return k;
    }
    return null;
  }

  /**
   * One step of SCAN over the keys: resumes the iteration named by cursor (0 starts one) and
   * returns up to count keys and the next cursor (0 when done). A live Map iterator visits
   * every key present for the whole iteration exactly once, whatever is added or removed.
   * An unknown cursor (never issued, already used, or dropped past MAX_CURSORS parked ones)
   * starts afresh: the client may see keys again, but never misses one.
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
