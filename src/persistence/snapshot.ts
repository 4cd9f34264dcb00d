// The incremental point-in-time snapshot behind BGSAVE (Bun has no fork): at start every db's
// key→value and expires maps are copied (a native shallow copy, one short pause), then entries
// are serialised in slices between event-loop turns. Strings are immutable, so the copy alone
// keeps them; object values are shared with the live db, so the db tells us (WriteObserver)
// before one may change in place, and we write it first. Keys created later are not in the copy.
import type { Db, WriteObserver, Entry } from "../keyspace/db.ts";
import type { Value } from "../types/value.ts";
import { Crc64 } from "./crc64.ts";
import type { RdbWriter } from "./rdbwriter.ts";
import { keyMeta, newWriter, writeChecksum, writeDbHeader, writeEof, writeHeader, type RdbSaveOptions } from "./rdb.ts";

/** Output is handed out once this much is buffered (small: its checksum runs in the same turn). */
const CHUNK = 256 * 1024;

export class Snapshot implements WriteObserver {
  readonly #dbs: readonly Db[];
  readonly #opts: RdbSaveOptions;
  /** Per original db: the keys still to write, or null once written (or empty). */
  readonly #copies: (Map<string, Entry> | null)[];
  readonly #expires: Map<string, number>[];
  /** Key and expire counts at the start, for RESIZEDB. */
  readonly #sizes: number[];
  readonly #expireSizes: number[];
  /** Which copy holds the original contents of the live db with this id (SWAPDB moves them). */
  readonly #route: number[];
  /** Entries written early (changed before their turn) for dbs whose section is not open yet. */
  readonly #pending: (RdbWriter | null)[];
  readonly #w: RdbWriter;
  readonly #crc: Crc64 | null;
  /** The db section being written, or -1 before the first. */
  #cur = -1;
  #iter: Iterator<[string, Entry]> | null = null;
  #done = false;
  #finished = false;
  /** Keys written so far, and in all (INFO current_save_keys_*). */
  processed = 0;
  readonly total: number;

  constructor(dbs: readonly Db[], opts: RdbSaveOptions) {
    this.#dbs = dbs;
    this.#opts = opts;
    this.#copies = [];
    this.#expires = [];
    this.#sizes = [];
    this.#expireSizes = [];
    this.#route = [];
    this.#pending = [];
    let total = 0;
    for (const db of dbs) {
      this.#copies.push(db.dict.size === 0 ? null : new Map(db.dict));
      this.#expires.push(db.expires.size === 0 ? new Map() : new Map(db.expires));
      this.#sizes.push(db.dict.size);
      this.#expireSizes.push(db.expires.size);
      this.#route.push(db.id);
      this.#pending.push(null);
      total += db.dict.size;
    }
    this.total = total;
    this.#w = newWriter(opts, CHUNK + 64 * 1024);
    this.#crc = opts.checksum === false ? null : new Crc64();
    writeHeader(this.#w, opts);
    for (const db of dbs) db.observers.push(this);
  }

  /** True once every entry was serialised (the trailer may still be pending: see finish()). */
  get done(): boolean {
    return this.#done;
  }

  /** Stop observing the dbs (done, or aborted). */
  detach(): void {
    for (const db of this.#dbs) {
      const i = db.observers.indexOf(this);
      if (i >= 0) db.observers.splice(i, 1);
    }
  }

  /** WriteObserver: value at key is about to change; write its old self now if still due. */
  beforeWrite(db: Db, key: string, value: object): void {
    const ci = this.#route[db.id];
    if (ci === undefined) return;
    const copy = this.#copies[ci];
    if (copy === null || copy === undefined || copy.get(key)?.v !== value) return;
    copy.delete(key);
    let w: RdbWriter;
    if (ci === this.#cur) w = this.#w;
    else w = this.#pending[ci] ??= newWriter(this.#opts, 16 * 1024);
    this.#entry(w, ci, db, key, value as Value);
  }

  /** WriteObserver: the two dbs swap contents, so their original entries now live in the other. */
  beforeSwap(a: Db, b: Db): void {
    const t = this.#route[a.id]!;
    this.#route[a.id] = this.#route[b.id]!;
    this.#route[b.id] = t;
  }

  #entry(w: RdbWriter, ci: number, live: Db, key: string, v: Value): void {
    let when: number | bigint = -1;
    const ex = this.#expires[ci]!;
    if (ex.size !== 0) {
      const e = ex.get(key);
      if (e !== undefined) {
        when = e;
        // Beyond 2^53 the live db keeps the exact int64; use it when the TTL is unchanged.
        if (!Number.isSafeInteger(e) && live.expires.get(key) === e) when = live.getExpireExact(key);
      }
    }
    const meta = this.#opts.evictionMeta ?? "none";
    if (meta === "none") w.entry(key, v, when);
    else {
      const [idle, freq] = keyMeta(live, key, meta);
      w.entry(key, v, when, idle, freq);
    }
    this.processed++;
  }

  /** The live db currently holding copy ci's keys (for eviction metadata and exact TTLs). */
  #liveFor(ci: number): Db {
    const id = this.#route.indexOf(ci);
    return this.#dbs[id < 0 ? ci : id]!;
  }

  /**
   * Serialise entries until the deadline (performance.now() ms) passes, a chunk is full, or
   * maxEntries were written (tests use it to interleave finely). True when all are written.
   */
  step(deadline: number, maxEntries = Infinity): boolean {
    const w = this.#w;
    while (!this.#done) {
      if (this.#iter === null) {
        // Open the next non-empty db section.
        const ci = this.#cur + 1;
        if (ci >= this.#copies.length) {
          this.#done = true;
          this.detach();
          break;
        }
        this.#cur = ci;
        const copy = this.#copies[ci];
        if (copy === null || copy === undefined) continue;
        writeDbHeader(w, ci, this.#sizes[ci]!, this.#expireSizes[ci]!);
        const early = this.#pending[ci];
        if (early != null) {
          w.raw(early.bytes());
          this.#pending[ci] = null;
        }
        this.#iter = copy.entries();
      }
      const copy = this.#copies[this.#cur]!;
      const live = this.#liveFor(this.#cur);
      const it = this.#iter;
      let n = 0;
      for (;;) {
        const r = it.next();
        if (r.done) {
          this.#copies[this.#cur] = null;
          this.#iter = null;
          break;
        }
        const [key, entry] = r.value;
        const v = entry.v;
        // Objects leave the copy once written, so a later change does not write them twice.
        if (typeof v === "object") copy.delete(key);
        this.#entry(w, this.#cur, live, key, v);
        if (++n >= maxEntries) return false;
        if ((n & 63) === 0 && (w.pos >= CHUNK || performance.now() >= deadline)) return false;
      }
      if (w.pos >= CHUNK || performance.now() >= deadline) return this.#done;
    }
    return true;
  }

  /** Bytes ready for the file (handed over, not copied), folded into the checksum; null when none. */
  take(): Uint8Array | null {
    const w = this.#w;
    if (w.pos === 0) return null;
    const out = w.detach();
    this.#crc?.update(out);
    return out;
  }

  /** After done: the EOF opcode and checksum trailer (call take() before this). */
  finish(): Uint8Array {
    if (!this.#done) throw new Error("snapshot not complete");
    if (this.#finished) throw new Error("snapshot already finished");
    this.#finished = true;
    const w = this.#w;
    const head = this.take();
    writeEof(w);
    const eof = w.bytes();
    this.#crc?.update(eof);
    writeChecksum(w, this.#crc);
    const tail = Uint8Array.prototype.slice.call(w.buf, 0, w.pos);
    w.reset();
    if (head === null) return tail;
    const all = new Uint8Array(head.length + tail.length);
    all.set(head);
    all.set(tail, head.length);
    return all;
  }
}
