// An AOF base file: a point-in-time image of the keyspace, either as an RDB preamble (the RDB
// snapshot, aof-base 1) or as RESP commands (SET, RPUSH, SADD, ZADD, HMSET, PEXPIREAT — the forms
// Redis writes with aof-use-rdb-preamble no), serialised in slices between event-loop turns into
// a temp file. Knows nothing of manifests or incr files (aofrewrite.ts swaps those).
import { rmSync } from "node:fs";
import { open, rm, type FileHandle } from "node:fs/promises";
import type { Db } from "../keyspace/db.ts";
import type { Value } from "../types/value.ts";
import { ByteString } from "../types/bytestring.ts";
import { List } from "../types/list.ts";
import { Hash } from "../types/hash.ts";
import { SetValue } from "../types/set.ts";
import { ZSet } from "../types/zset.ts";
import { formatG17 } from "../util/format.ts";
import { CommandEncoder } from "../resp/encode.ts";
import { Snapshot } from "./snapshot.ts";
import { PointInTime, type PointInTimeSink } from "./pointintime.ts";
import type { RdbSaveOptions } from "./rdb.ts";

/** Redis's AOF_REWRITE_ITEMS_PER_CMD: a big collection is rebuilt 64 items per command. */
export const ITEMS_PER_CMD = 64;
/** A slice of serialisation runs this long before yielding to clients. */
const SLICE_MS = 2;
/** Output is handed to the file once this much is buffered. */
const CHUNK = 1024 * 1024;

/** What the rewrite needs from a point-in-time serialiser (the RDB Snapshot has this shape). */
export interface BaseSerializer {
  /** Serialise until the deadline (performance.now() ms); true once every entry is out. */
  step(deadline: number): boolean;
  /** Bytes produced since the last take, or null. */
  take(): Uint8Array | null;
  /** After step() returned true: the remaining bytes (trailer included). */
  finish(): Uint8Array;
  /** Stop observing the keyspace. */
  detach(): void;
}

/** Append the commands that rebuild one key (value, then its expiry) — Redis's rewrite forms. */
export function encodeKey(e: CommandEncoder, key: string, v: Value, expireAt: number | bigint): void {
  if (typeof v !== "object" || v instanceof ByteString) {
    e.header(42, 3);
    e.bulk("SET");
    e.bulk(key);
    if (typeof v === "object") e.bulk(v.bytes());
    else e.bulk(v);
  } else if (v instanceof List) {
    const n = v.length;
    for (let i = 0; i < n; i += ITEMS_PER_CMD) {
      const k = Math.min(ITEMS_PER_CMD, n - i);
      e.header(42, k + 2);
      e.bulk("RPUSH");
      e.bulk(key);
      for (let j = 0; j < k; j++) e.bulk(v.at(i + j));
    }
  } else if (v instanceof SetValue) {
    batches(e, "SADD", key, v.size, 1, v.ordered(), (m) => e.bulk(m));
  } else if (v instanceof ZSet) {
    const nodes = (function* () {
      for (let x = v.first(); x !== null; x = x.next[0] ?? null) yield x;
    })();
    batches(e, "ZADD", key, v.size, 2, nodes, (x) => {
      e.bulk(formatG17(x.score));
      e.bulk(x.member);
    });
  } else if (v instanceof Hash) {
    batches(e, "HMSET", key, v.size, 2, v.entries(), ([f, val]) => {
      e.bulk(f);
      e.bulk(val);
    });
  } else {
    throw new Error(`AOF rewrite: unsupported value type ${v.type}`);
  }
  if (expireAt !== -1) {
    e.header(42, 3);
    e.bulk("PEXPIREAT");
    e.bulk(key);
    if (typeof expireAt === "number") e.bulkInt(expireAt);
    else e.bulk(expireAt.toString());
  }
}

/** `cmd key item…` commands of at most ITEMS_PER_CMD items (each `width` arguments). */
function batches<T>(e: CommandEncoder, cmd: string, key: string, total: number, width: number, items: Iterable<T>, put: (x: T) => void): void {
  let left = total;
  let inCmd = 0;
  for (const x of items) {
    if (inCmd === 0) {
      const k = Math.min(ITEMS_PER_CMD, left);
      e.header(42, 2 + k * width);
      e.bulk(cmd);
      e.bulk(key);
    }
    put(x);
    left--;
    if (++inCmd === ITEMS_PER_CMD) inCmd = 0;
  }
}

/** The keyspace as RESP commands at the moment of construction, written in slices (pointintime.ts). */
export class RespSnapshot implements BaseSerializer, PointInTimeSink {
  readonly #walk: PointInTime;
  readonly #enc = new CommandEncoder(CHUNK + 64 * 1024);
  /** The db the output last SELECTed (-1: none yet). */
  #selected = -1;

  constructor(dbs: readonly Db[]) {
    this.#walk = new PointInTime(dbs, this);
  }

  get processed(): number {
    return this.#walk.processed;
  }

  get total(): number {
    return this.#walk.total;
  }

  detach(): void {
    this.#walk.detach();
  }

  open(): void {}

  entry(ci: number, _live: Db, key: string, v: Value, when: number | bigint): void {
    const e = this.#enc;
    if (this.#selected !== ci) {
      e.header(42, 2);
      e.bulk("SELECT");
      e.bulkInt(ci);
      this.#selected = ci;
    }
    encodeKey(e, key, v, when);
  }

  full(): boolean {
    return this.#enc.len >= CHUNK;
  }

  step(deadline: number): boolean {
    return this.#walk.step(deadline);
  }

  take(): Uint8Array | null {
    const e = this.#enc;
    if (e.len === 0) return null;
    const out = e.buf.slice(0, e.len);
    e.len = 0;
    return out;
  }

  finish(): Uint8Array {
    return this.take() ?? new Uint8Array(0);
  }
}

/** The new base's serialiser: RDB preamble (aof-use-rdb-preamble yes) or RESP commands. */
export function newBaseSerializer(dbs: readonly Db[], rdbPreamble: boolean, rdbOpts: RdbSaveOptions): BaseSerializer & { processed: number; total: number } {
  return rdbPreamble ? new Snapshot(dbs, { ...rdbOpts, aofBase: true }) : new RespSnapshot(dbs);
}

/** The whole base at once (start-up with no AOF, where nothing else runs meanwhile). */
export function serializeAll(s: BaseSerializer): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const done = s.step(Infinity);
    const chunk = s.take();
    if (chunk !== null) {
      parts.push(chunk);
      total += chunk.length;
    }
    if (done) break;
  }
  const tail = s.finish();
  parts.push(tail);
  total += tail.length;
  s.detach();
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** A base file being written off the request path: temp file, slices, fsync. */
export class BaseFileJob {
  readonly path: string;
  readonly #ser: BaseSerializer;
  /** Bytes written so far. */
  size = 0;
  aborted = false;
  #fh: FileHandle | null = null;

  constructor(path: string, ser: BaseSerializer) {
    this.path = path;
    this.#ser = ser;
  }

  /** Write the whole base; resolves to null on success, else the error. Never rejects. */
  async run(incrementalFsync: boolean): Promise<Error | null> {
    let synced = 0;
    try {
      this.#fh = await open(this.path, "w", 0o644);
      for (;;) {
        await new Promise<void>((r) => setImmediate(r));
        if (this.aborted) return new Error("aborted");
        const done = this.#ser.step(performance.now() + SLICE_MS);
        const chunk = done ? this.#ser.finish() : this.#ser.take();
        if (chunk !== null && chunk.length > 0) {
          await this.#write(chunk);
          // Matches Redis's aof-rewrite-incremental-fsync: flush to disk every 4 MB, so the final
          // fsync does not stall on one huge batch of dirty pages.
          if (incrementalFsync && this.size - synced >= 4 * 1024 * 1024) {
            await this.#fh.datasync();
            synced = this.size;
          }
        }
        if (done) break;
      }
      if (this.aborted) return new Error("aborted");
      await this.#fh.sync();
      await this.#fh.close();
      this.#fh = null;
      return null;
    } catch (e) {
      return e as Error;
    } finally {
      this.#ser.detach();
      if (this.#fh !== null) {
        await this.#fh.close().catch(() => {});
        this.#fh = null;
      }
      if (this.aborted) await rm(this.path, { force: true }).catch(() => {});
    }
  }

  async #write(chunk: Uint8Array): Promise<void> {
    let off = 0;
    while (off < chunk.length) {
      const { bytesWritten } = await this.#fh!.write(chunk, off, chunk.length - off);
      off += bytesWritten;
    }
    this.size += chunk.length;
  }

  /** Stop and delete the temp file (shutdown, appendonly no). */
  abort(): void {
    this.aborted = true;
    this.#ser.detach();
    rmSync(this.path, { force: true });
  }
}
