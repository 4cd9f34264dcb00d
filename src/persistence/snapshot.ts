// The incremental point-in-time RDB behind BGSAVE (Bun has no fork): the keyspace walk of
// pointintime.ts, written as RDB sections in slices between event-loop turns. Keys a client is
// about to change are written ahead of the walk, into their own section's buffer.
import type { Db } from "../keyspace/db.ts";
import type { Value } from "../types/value.ts";
import { Crc64 } from "./crc64.ts";
import type { RdbWriter } from "./rdbwriter.ts";
import { keyMeta, newWriter, writeChecksum, writeDbHeader, writeEof, writeHeader, type RdbSaveOptions } from "./rdb.ts";
import { PointInTime, type PointInTimeSink } from "./pointintime.ts";

/** Output is handed out once this much is buffered (small: its checksum runs in the same turn). */
const CHUNK = 256 * 1024;

export class Snapshot implements PointInTimeSink {
  readonly #opts: RdbSaveOptions;
  readonly #walk: PointInTime;
  /** Entries written early (changed before their turn) for dbs whose section is not open yet. */
  readonly #pending: (RdbWriter | null)[];
  readonly #w: RdbWriter;
  readonly #crc: Crc64 | null;
  /** The db section being written, or -1 before the first. */
  #cur = -1;
  #finished = false;

  constructor(dbs: readonly Db[], opts: RdbSaveOptions) {
    this.#opts = opts;
    this.#pending = dbs.map(() => null);
    this.#w = newWriter(opts, CHUNK + 64 * 1024);
    this.#crc = opts.checksum === false ? null : new Crc64();
    writeHeader(this.#w, opts);
    this.#walk = new PointInTime(dbs, this);
  }

  /** Keys written so far, and in all (INFO current_save_keys_*). */
  get processed(): number {
    return this.#walk.processed;
  }

  get total(): number {
    return this.#walk.total;
  }

  /** True once every entry was serialised (the trailer may still be pending: see finish()). */
  get done(): boolean {
    return this.#walk.done;
  }

  /** Stop observing the dbs (done, or aborted). */
  detach(): void {
    this.#walk.detach();
  }

  open(ci: number, size: number, expireSize: number): void {
    this.#cur = ci;
    const w = this.#w;
    writeDbHeader(w, ci, size, expireSize);
    const early = this.#pending[ci];
    if (early != null) {
      w.raw(early.bytes());
      this.#pending[ci] = null;
    }
  }

  entry(ci: number, live: Db, key: string, v: Value, when: number | bigint, early: boolean): void {
    const w = !early || ci === this.#cur ? this.#w : (this.#pending[ci] ??= newWriter(this.#opts, 16 * 1024));
    const meta = this.#opts.evictionMeta ?? "none";
    if (meta === "none") w.entry(key, v, when);
    else {
      const [idle, freq] = keyMeta(live, key, meta);
      w.entry(key, v, when, idle, freq);
    }
  }

  full(): boolean {
    return this.#w.pos >= CHUNK;
  }

  /**
   * Serialise entries until the deadline (performance.now() ms) passes, a chunk is full, or
   * maxEntries were written (tests use it to interleave finely). True when all are written.
   */
  step(deadline: number, maxEntries = Infinity): boolean {
    return this.#walk.step(deadline, maxEntries);
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
    if (!this.#walk.done) throw new Error("snapshot not complete");
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
