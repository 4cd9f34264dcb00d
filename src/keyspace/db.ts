// One numbered database: the key → value dictionary (keytable.ts), the expires dictionary, lazy
// expiry, last-access times (OBJECT IDLETIME), LFU counters (OBJECT FREQ) and SCAN cursors.
// Knows nothing of clients, replies or propagation: it reports through KeyspaceHooks.
import type { Clock } from "../util/clock.ts";
import type { Value } from "../types/value.ts";
import { FLAG_EXPIRE, KeyTable } from "../types/keytable.ts";
import { canonicalIntBytes } from "../types/bytestring.ts";

export interface KeyspaceHooks {
  /** A key was found expired and removed (lazy or active): propagate DEL, notify, signal. */
  expired(db: Db, key: string): void;
  /** True when expired keys must not be deleted here (a replica waits for its primary's DEL). */
  keepExpired(): boolean;
  /** A key was created (Redis's dbAdd): the "new" keyspace event. Called only while notifyNew is set. */
  added?(db: Db, key: string): void;
}

/**
 * Watches a db while a point-in-time snapshot (BGSAVE) is being written: told before two dbs
 * swap contents (record changes are reported by the KeyTable's RecordGuard).
 */
export interface WriteObserver {
  /** a and b are about to exchange contents (SWAPDB). */
  beforeSwap(a: Db, b: Db): void;
}

/** A parked SCAN iteration: the next record of that table to visit. */
interface ScanState {
  table: KeyTable;
  generation: number;
  pos: number;
}

const MAX_CURSORS = 1024;
/** Redis's LFU_INIT_VAL: the counter a new key starts with, so it is not evicted at once. */
const LFU_INIT = 5;
/** Marks a stored LFU word as set (0 means "no LFU state yet"). */
const LFU_SET = 1 << 24;

export class Db {
  readonly id: number;
  /** The keys and their values, access times and LFU state (keyspace/keytable.ts). */
  dict = new KeyTable();
  /** Absolute expiry in ms. Times beyond ±2^53 are kept exactly in #exactExpires too. */
  expires = new Map<string, number>();
  /** Keep LFU counters (an LFU maxmemory-policy is in force); set by the server. */
  lfu = false;
  /** lfu-log-factor and lfu-decay-time (minutes); set by the server. */
  lfuLogFactor = 10;
  lfuDecayTime = 1;
  /** Report created keys through hooks.added (notify-keyspace-events has 'n'); set by the server. */
  notifyNew = false;
  #exactExpires = new Map<string, bigint>();
  #clock: Clock;
  #hooks: KeyspaceHooks;
  #cursors = new Map<number, ScanState>();
  #nextCursor = 1;
  /** Iterator reused by the active expire cycle across runs (Redis's expires_cursor). */
  expireIter: Iterator<[string, number]> | null = null;
  /** Snapshots in progress (persistence/pointintime.ts); empty almost always. */
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
    const t = this.dict;
    const r = t.find(key);
    if (r === 0 || (t.hasFlag(r, FLAG_EXPIRE) && this.expireIfNeeded(key))) return undefined;
    this.#accessed(t, r);
    return t.value(r);
  }

  /**
   * lookup() by the key's bytes b[s, e): the record (valid until the next write to this db), or
   * 0. Updates the access time. The hot commands read and write through the record.
   */
  lookupRecord(b: Uint8Array, s: number, e: number): number {
    const t = this.dict;
    const r = t.findBytes(b, s, e);
    if (r === 0) return 0;
    if (t.hasFlag(r, FLAG_EXPIRE) && this.expireIfNeeded(t.keyOf(r))) return 0;
    this.#accessed(t, r);
    return r;
  }

  /** peek() by the key's bytes: the record or 0, without touching the access time. */
  peekRecord(b: Uint8Array, s: number, e: number): number {
    const t = this.dict;
    const r = t.findBytes(b, s, e);
    if (r === 0 || (t.hasFlag(r, FLAG_EXPIRE) && this.expireIfNeeded(t.keyOf(r)))) return 0;
    if (t.guards.length !== 0 && t.isObject(r)) t.beforeMutation(r);
    return r;
  }

  /** Handlers mutate object values they looked up in place: a snapshot keeps the old one first. */
  #accessed(t: KeyTable, r: number): void {
    if (t.guards.length !== 0 && t.isObject(r)) t.beforeMutation(r);
    const now = this.#clock.now();
    t.setAccessTime(r, now);
    if (this.lfu) t.setLfu(r, this.#lfuBump(t.lfu(r), now));
  }

  /** Look a key up without touching its access time (OBJECT, TYPE-free internal reads). */
  peek(key: string): Value | undefined {
    const t = this.dict;
    const r = t.find(key);
    if (r === 0 || (t.hasFlag(r, FLAG_EXPIRE) && this.expireIfNeeded(key))) return undefined;
    if (t.guards.length !== 0 && t.isObject(r)) t.beforeMutation(r);
    return t.value(r);
  }

  has(key: string): boolean {
    return this.peek(key) !== undefined;
  }

  /**
   * Redis's setKey: store the value; the TTL is dropped unless keepTtl. Like Redis, overwriting
   * a key counts as an access of the old one and keeps its LFU counter.
   */
  set(key: string, value: Value, keepTtl = false): void {
    const t = this.dict;
    let r = t.find(key);
    if (r === 0) {
      this.#added(key, t.insert(key, value, this.#clock.now()));
      return;
    }
    r = this.#overwrite(r, keepTtl);
    if (r === 0) this.#added(key, t.insert(key, value, this.#clock.now()));
    else t.setValue(r, value);
  }

  /** set() with the key given by bytes b[ks, ke) (the TTL is dropped). */
  setKeyBytes(b: Uint8Array, ks: number, ke: number, value: Value): void {
    const t = this.dict;
    let r = t.findBytes(b, ks, ke);
    if (r !== 0) {
      r = this.#overwrite(r, false);
      if (r !== 0) {
        t.setValue(r, value);
        return;
      }
    }
    r = t.insertBytesValue(b, ks, ke, value, this.#clock.now());
    if (this.lfu || this.notifyNew) this.#added(t.keyOf(r), r);
  }

  /**
   * set() of a string value from bytes: key b[ks, ke), value vb[vs, ve), stored like
   * storeString() would (a canonical integer as a number) with no JS strings when they fit the
   * arena. Returns the record.
   */
  setBytes(b: Uint8Array, ks: number, ke: number, vb: Uint8Array, vs: number, ve: number, keepTtl = false): number {
    const t = this.dict;
    const int = canonicalIntBytes(vb, vs, ve);
    let r = t.findBytes(b, ks, ke);
    if (r !== 0) {
      if (!t.hasFlag(r, FLAG_EXPIRE) && !this.lfu) {
        // The common case: a live key without TTL is overwritten in place.
        t.setAccessTime(r, this.#clock.now());
      } else {
        r = this.#overwrite(r, keepTtl);
      }
    }
    if (r !== 0) {
      if (int === null) t.setValueBytes(r, vb, vs, ve);
      else t.setValue(r, int);
      return r;
    }
    const now = this.#clock.now();
    r = int === null ? t.insertBytes(b, ks, ke, vb, vs, ve, now) : t.insertBytesValue(b, ks, ke, int, now);
    if (this.lfu || this.notifyNew) this.#added(t.keyOf(r), r);
    return r;
  }

  /**
   * Before an existing key r gets a new value: reclaim it if logically expired (like Redis's
   * setKey, which looks the key up for writing first), count the access, drop the TTL unless kept.
   * Returns r, or 0 when the key was reclaimed.
   */
  #overwrite(r: number, keepTtl: boolean): number {
    const t = this.dict;
    const now = this.#clock.now();
    if (t.hasFlag(r, FLAG_EXPIRE)) {
      const key = t.keyOf(r);
      // Records never move: r stays valid unless expiry removed the key.
      if (this.expireIfNeeded(key, now) && t.find(key) === 0) return 0;
      if (!keepTtl) this.persist(key);
    }
    t.setAccessTime(r, now);
    if (this.lfu) t.setLfu(r, this.#lfuBump(t.lfu(r), now));
    return r;
  }

  /** A key was created at record r. */
  #added(key: string, r: number): void {
    if (this.lfu) this.dict.setLfu(r, this.#lfuNew(this.#clock.now()));
    if (this.notifyNew) this.#hooks.added?.(this, key);
  }

  /** Replace the value of an existing key, keeping its TTL (in-place updates). */
  update(key: string, value: Value): void {
    const t = this.dict;
    const r = t.find(key);
    if (r !== 0) t.setValue(r, value);
    else t.insert(key, value, this.#clock.now());
  }

  /** Replace the value of record r (from lookupRecord), keeping its TTL. */
  updateRecord(r: number, value: Value): void {
    this.dict.setValue(r, value);
  }

  delete(key: string): boolean {
    const t = this.dict;
    const r = t.find(key);
    if (r === 0) return false;
    if (t.hasFlag(r, FLAG_EXPIRE) && this.expireIfNeeded(key)) return false;
    this.#removeRecord(key, r);
    return true;
  }

  #remove(key: string): boolean {
    const r = this.dict.find(key);
    if (r === 0) return false;
    this.#removeRecord(key, r);
    return true;
  }

  #removeRecord(key: string, r: number): void {
    const t = this.dict;
    if (t.hasFlag(r, FLAG_EXPIRE) && this.expires.delete(key)) this.#exactExpires.delete(key);
    t.remove(r);
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

  /** Set the absolute expiry in ms of an existing key; a bigint keeps every digit of an int64 time. */
  setExpire(key: string, when: number | bigint): void {
    const r = this.dict.find(key);
    if (r !== 0) this.dict.setFlag(r, FLAG_EXPIRE, true);
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
    const r = this.dict.find(key);
    if (r !== 0) this.dict.setFlag(r, FLAG_EXPIRE, false);
    return true;
  }

  /** Milliseconds since the key was last accessed (OBJECT IDLETIME). */
  idleMs(key: string): number {
    const r = this.dict.find(key);
    return r === 0 ? 0 : Math.max(0, this.#clock.now() - this.dict.accessTime(r));
  }

  /**
   * Store a key read from a dump (RDB/AOF base load): the bare insert, with no notification;
   * its access time is the load's. False when the key existed (the value then replaced it).
   */
  loadEntry(key: string, value: Value): boolean {
    const t = this.dict;
    const r = t.find(key);
    if (r === 0) {
      const nr = t.insert(key, value, this.#clock.now());
      if (this.lfu) t.setLfu(nr, this.#lfuNew(this.#clock.now()));
      return true;
    }
    // A replaced key (DEBUG RELOAD MERGE): like set(), its old TTL goes.
    if (this.lfu) this.set(key, value);
    else {
      this.persist(key);
      t.setValue(r, value);
      t.setAccessTime(r, this.#clock.now());
    }
    return false;
  }

  /** Set a key's idle time (RESTORE IDLETIME, RDB IDLE metadata). */
  setIdle(key: string, idleMs: number): void {
    const r = this.dict.find(key);
    if (r !== 0) this.dict.setAccessTime(r, this.#clock.now() - idleMs);
  }

  /** Set a key's LFU counter, as of now (RESTORE FREQ, RDB FREQ metadata). */
  setLfuCounter(key: string, counter: number): void {
    const r = this.dict.find(key);
    if (r !== 0) this.dict.setLfu(r, LFU_SET | (this.#minutes(this.#clock.now()) * 256 + Math.min(255, Math.max(0, counter))));
  }

  /** Mark a key as accessed now (TOUCH). */
  touch(key: string): void {
    const t = this.dict;
    const r = t.find(key);
    if (r === 0) return;
    const now = this.#clock.now();
    t.setAccessTime(r, now);
    if (this.lfu) t.setLfu(r, this.#lfuBump(t.lfu(r), now));
  }

  /** The key's LFU counter after decay, without counting an access (OBJECT FREQ, eviction). */
  lfuFreq(key: string): number {
    const r = this.dict.find(key);
    const word = r === 0 ? 0 : this.dict.lfu(r);
    return word === 0 ? 0 : this.#lfuDecayed(word & (LFU_SET - 1), this.#clock.now());
  }

  #minutes(now: number): number {
    return Math.floor(now / 60000) & 0xffff;
  }

  #lfuNew(now: number): number {
    return LFU_SET | (this.#minutes(now) * 256 + LFU_INIT);
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
  #lfuBump(word: number, now: number): number {
    let counter = word === 0 ? LFU_INIT : this.#lfuDecayed(word & (LFU_SET - 1), now);
    if (counter < 255) {
      const base = Math.max(0, counter - LFU_INIT);
      if (Math.random() < 1 / (base * this.lfuLogFactor + 1)) counter++;
    }
    return LFU_SET | (this.#minutes(now) * 256 + counter);
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
    const t = this.dict;
    const r = t.find(key);
    if (r === 0 || (dst === this && dstKey === key)) return;
    const v = t.value(r);
    const atime = t.accessTime(r);
    const lfu = t.lfu(r);
    const when = this.getExpireExact(key);
    this.#removeRecord(key, r);
    dst.#remove(dstKey);
    const nr = dst.dict.insert(dstKey, v, atime);
    if (when !== -1) dst.setExpire(dstKey, when);
    if (dst.lfu) dst.dict.setLfu(nr, lfu !== 0 ? lfu : dst.#lfuNew(dst.#clock.now()));
    // Matches Redis: the destination is deleted and added again, so it is always a "new" key.
    if (dst.notifyNew) dst.#hooks.added?.(dst, dstKey);
  }

  /** Remove every key; returns how many there were. */
  flush(): number {
    const n = this.dict.size;
    this.dict = new KeyTable();
    this.expires = new Map();
    this.#exactExpires = new Map();
    this.#cursors.clear();
    this.expireIter = null;
    return n;
  }

  /** Exchange contents with another db (SWAPDB). */
  swapWith(other: Db): void {
    for (const o of this.observers) o.beforeSwap(this, other);
    [this.dict, other.dict] = [other.dict, this.dict];
    [this.expires, other.expires] = [other.expires, this.expires];
    [this.#exactExpires, other.#exactExpires] = [other.#exactExpires, this.#exactExpires];
    this.#cursors.clear();
    other.#cursors.clear();
    this.expireIter = null;
    other.expireIter = null;
  }

  /**
   * A random live key, or null: a uniform pick over the index. An expired pick is reclaimed and
   * another drawn, so this ends once a live key turns up or the db is empty. Where expired keys
   * are kept (replicas), Redis gives up after 100 expired draws when every key has a TTL and
   * returns the last one; so do we.
   */
  randomKey(): string | null {
    let keptTries = 100;
    const t = this.dict;
    while (t.size > 0) {
      const r = t.randomRecord();
      const k = t.keyOf(r);
      if (t.hasFlag(r, FLAG_EXPIRE)) {
        if (this.expires.size === t.size && this.#hooks.keepExpired() && --keptTries === 0) return k;
        if (this.expireIfNeeded(k)) continue;
      }
      return k;
    }
    return null;
  }

  /**
   * One step of SCAN over the keys: resumes the walk named by cursor (0 starts one) and returns
   * up to count keys and the next cursor (0 when done). Records never move, so the walk visits
   * every key present for the whole iteration exactly once, whatever is added or removed.
   * An unknown cursor (never issued, already used, dropped past MAX_CURSORS parked ones, or
   * outliving a FLUSHDB) starts afresh: the client may see keys again, but never misses one.
   */
  scan(cursor: number, count: number): { next: number; keys: string[] } {
    const t = this.dict;
    let pos = 1;
    if (cursor !== 0) {
      const st = this.#cursors.get(cursor);
      this.#cursors.delete(cursor);
      if (st !== undefined && st.table === t && st.generation === t.generation) pos = st.pos;
    }
    const keys: string[] = [];
    let r = t.first(pos);
    while (r !== 0 && keys.length < count) {
      keys.push(t.keyOf(r));
      r = t.next(r);
    }
    if (r === 0) return { next: 0, keys };
    const next = this.#nextCursor++;
    if (this.#nextCursor > 0x7fffffff) this.#nextCursor = 1;
    this.#cursors.set(next, { table: t, generation: t.generation, pos: r });
    if (this.#cursors.size > MAX_CURSORS) {
      const oldest = this.#cursors.keys().next().value;
      if (oldest !== undefined) this.#cursors.delete(oldest);
    }
    return { next, keys };
  }
}
