// RDB files as a whole: header (REDIS0010), AUX fields, per-db sections (SELECTDB, RESIZEDB,
// entries), EOF and the CRC-64 trailer; encodeRdb writes one synchronously, loadRdb reads one
// into databases. The pieces are exported for the incremental writer (snapshot.ts) and the AOF's
// RDB preamble. No files or timers here: bytes in, bytes out.
import type { Db } from "../keyspace/db.ts";
import { Crc64 } from "./crc64.ts";
import { RdbWriter } from "./rdbwriter.ts";
import { RdbReader, DEFAULT_LIMITS, type EncodingLimits } from "./rdbreader.ts";
import { RdbFormatError } from "./rdberror.ts";
import * as K from "./rdbconst.ts";

export { RdbFormatError } from "./rdberror.ts";
export { DEFAULT_LIMITS, type EncodingLimits } from "./rdbreader.ts";

export interface RdbSaveOptions {
  /** rdbcompression (default true). */
  compression?: boolean;
  /** rdbchecksum (default true): false writes a zero checksum, which loaders skip. */
  checksum?: boolean;
  /** list-max-listpack-size (default -2): how lists are cut into quicklist nodes. */
  listFill?: number;
  /** The aof-base AUX field: true for an AOF's RDB preamble. */
  aofBase?: boolean;
  /** Wall-clock ms for the ctime AUX field (default Date.now()). */
  now?: number;
  /** The used-mem AUX field (default: this process's heap + external memory). */
  usedMem?: number;
  /** The redis-ver AUX field. */
  redisVersion?: string;
  /** Write each key's idle time (an LRU maxmemory-policy) or LFU counter (an LFU policy). */
  evictionMeta?: "none" | "lru" | "lfu";
}

export interface RdbLoadOptions {
  /** Encoding limits for loaded values (default Redis 7.0's). */
  limits?: EncodingLimits;
  /** Load keys whose TTL already passed (Redis does for an AOF preamble); default false. */
  keepExpired?: boolean;
  /** Verify the CRC-64 trailer (default true; a zero trailer is never checked, as in Redis). */
  verifyChecksum?: boolean;
  /** An LFU maxmemory-policy is in force: apply FREQ (else IDLE) metadata, as Redis does. */
  lfu?: boolean;
  /** A key already present is replaced (DEBUG RELOAD MERGE) instead of failing as a duplicate. */
  replaceExisting?: boolean;
}

export interface RdbLoadResult {
  /** Keys stored. */
  keys: number;
  /** Keys skipped because their TTL had passed. */
  expired: number;
  /** Offset just past the RDB (past its checksum): an AOF preamble is followed by commands. */
  end: number;
  /** The RDB format version in the header. */
  version: number;
  /** AUX fields (redis-ver, ctime, aof-base, …). */
  aux: Map<string, string>;
}

/** A writer configured from save options. */
export function newWriter(opts: RdbSaveOptions, initial?: number): RdbWriter {
  return new RdbWriter({ compress: opts.compression ?? true, listFill: opts.listFill ?? -2 }, initial);
}

function aux(w: RdbWriter, key: string, value: string): void {
  w.byte(K.OP_AUX);
  w.str(key);
  w.str(value);
}

/** Magic, version and the AUX fields Redis 7.0 writes. */
export function writeHeader(w: RdbWriter, opts: RdbSaveOptions): void {
  w.raw(Buffer.from(`REDIS${String(K.RDB_VERSION).padStart(4, "0")}`, "latin1"));
  const mem = process.memoryUsage();
  aux(w, "redis-ver", opts.redisVersion ?? "7.0.15");
  aux(w, "redis-bits", "64");
  aux(w, "ctime", String(Math.floor((opts.now ?? Date.now()) / 1000)));
  aux(w, "used-mem", String(opts.usedMem ?? mem.heapUsed + mem.external));
  aux(w, "aof-base", opts.aofBase ? "1" : "0");
}

/** SELECTDB and the RESIZEDB hint that open a database's section. */
export function writeDbHeader(w: RdbWriter, id: number, size: number, expires: number): void {
  w.byte(K.OP_SELECTDB);
  w.len(id);
  w.byte(K.OP_RESIZEDB);
  w.len(size);
  w.len(expires);
}

/** The EOF opcode. The caller appends the checksum (see writeChecksum). */
export function writeEof(w: RdbWriter): void {
  w.byte(K.OP_EOF);
}

/** Append the 8-byte trailer: the CRC of everything before it, or zeros when disabled. */
export function writeChecksum(w: RdbWriter, crc: Crc64 | null): void {
  w.ensure(8);
  if (crc === null) w.buf.fill(0, w.pos, w.pos + 8);
  else crc.writeLE(w.buf, w.pos);
  w.pos += 8;
}

/** Per-key eviction metadata as the options ask: [idle seconds, LFU counter] (-1 = none). */
export function keyMeta(db: Db, key: string, mode: RdbSaveOptions["evictionMeta"]): [number, number] {
  if (mode === "lru") return [Math.floor(db.idleMs(key) / 1000), -1];
  if (mode === "lfu") return [-1, db.lfuFreq(key)];
  return [-1, -1];
}

/** Write one database's section from its live dictionaries (synchronous saves). */
export function writeDb(w: RdbWriter, db: Db, opts: RdbSaveOptions): void {
  const dict = db.dict;
  if (dict.size === 0) return;
  const expires = db.expires;
  writeDbHeader(w, db.id, dict.size, expires.size);
  const meta = opts.evictionMeta ?? "none";
  for (const [key, v] of dict.entries()) {
    let when: number | bigint = -1;
    if (expires.size !== 0) {
      const e = expires.get(key);
      if (e !== undefined) when = Number.isSafeInteger(e) ? e : db.getExpireExact(key);
    }
    if (meta === "none") w.entry(key, v, when);
    else {
      const [idle, freq] = keyMeta(db, key, meta);
      w.entry(key, v, when, idle, freq);
    }
  }
}

/** A whole RDB file of the databases' current contents (synchronous: the keyspace must not change meanwhile). */
export function encodeRdb(dbs: readonly Db[], opts: RdbSaveOptions = {}): Uint8Array {
  let total = 0;
  for (const db of dbs) total += db.dict.size;
  const w = newWriter(opts, Math.max(64 * 1024, Math.min(total * 24, 512 * 1024 * 1024)));
  writeHeader(w, opts);
  for (const db of dbs) writeDb(w, db, opts);
  writeEof(w);
  const crc = opts.checksum === false ? null : new Crc64().update(w.buf, 0, w.pos);
  writeChecksum(w, crc);
  return w.bytes();
}

/** Parse "REDIS" and the 4-digit version; returns the version. */
function readMagic(r: RdbReader): number {
  r.need(9);
  const magic = r.buf.toString("latin1", r.pos, r.pos + 5);
  if (magic !== "REDIS") r.fail("not an RDB file (wrong signature)");
  const digits = r.buf.toString("latin1", r.pos + 5, r.pos + 9);
  if (!/^[0-9]{4}$/.test(digits)) r.fail("not an RDB file (bad version digits)", r.pos + 5);
  const version = Number(digits);
  if (version < 1 || version > K.RDB_MAX_VERSION) r.fail(`can't handle RDB format version ${version}`, r.pos + 5);
  r.pos += 9;
  return version;
}

/**
 * Load an RDB (bytes[start..]) into dbs: keys whose TTL passed are skipped and counted. Throws
 * RdbFormatError (with the offset) on a bad signature, version, opcode, type, truncation,
 * duplicate key or checksum. Keys loaded before an error stay in dbs.
 */
export function loadRdb(bytes: Uint8Array, dbs: readonly Db[], now: number, opts: RdbLoadOptions = {}, start = 0): RdbLoadResult {
  const r = new RdbReader(bytes, start, bytes.length, opts.limits ?? DEFAULT_LIMITS);
  try {
    return load(r, dbs, now, opts, start);
  } catch (e) {
    // A read the checks above missed (a corrupt size inside a container): still a format error.
    if (e instanceof RangeError) throw new RdbFormatError(`malformed data (${e.message})`, r.pos);
    throw e;
  }
}

function load(r: RdbReader, dbs: readonly Db[], now: number, opts: RdbLoadOptions, start: number): RdbLoadResult {
  const version = readMagic(r);
  const keepExpired = opts.keepExpired === true;
  const replace = opts.replaceExisting === true;
  const result: RdbLoadResult = { keys: 0, expired: 0, end: 0, version, aux: new Map() };
  let db = dbs[0];
  if (db === undefined) r.fail("no database to load into");
  let expire: number | bigint = -1;
  let idle = -1;
  let freq = -1;
  for (;;) {
    const at = r.pos;
    const type = r.byte();
    switch (type) {
      case K.OP_EXPIRETIME: {
        r.need(4);
        expire = r.buf.readInt32LE(r.pos) * 1000;
        r.pos += 4;
        continue;
      }
      case K.OP_EXPIRETIME_MS:
        expire = r.int64LE();
        continue;
      case K.OP_FREQ:
        freq = r.byte();
        continue;
      case K.OP_IDLE:
        idle = r.count();
        continue;
      case K.OP_EOF:
        break;
      case K.OP_SELECTDB: {
        const id = r.count();
        const next = dbs[id];
        if (next === undefined) r.fail(`database ${id} is out of range (this server has ${dbs.length} databases)`, at);
        db = next;
        continue;
      }
      case K.OP_RESIZEDB:
        r.count();
        r.count();
        continue;
      case K.OP_AUX: {
        const k = r.str();
        const v = r.str();
        result.aux.set(k, v);
        continue;
      }
      case K.OP_MODULE_AUX:
        return r.fail("the file holds module auxiliary data (MODULE_AUX), which kvserver does not support", at);
      case K.OP_FUNCTION2:
      case K.OP_FUNCTION_PRE_GA:
        return r.fail("the file holds function libraries (FUNCTION), which kvserver does not support", at);
      default: {
        const key = r.str();
        const v = r.value(type, key);
        if (v !== null) {
          if (expire !== -1 && !keepExpired && expire < now) {
            result.expired++;
          } else {
            if (!db!.loadEntry(key, v) && !replace) r.fail(`duplicate key '${key}' in database ${db!.id}`, at);
            if (expire !== -1) db!.setExpire(key, expire);
            if (opts.lfu === true) {
              if (freq >= 0) db!.setLfuCounter(key, freq);
            } else if (idle >= 0) db!.setIdle(key, idle * 1000);
            result.keys++;
          }
        }
        expire = -1;
        idle = -1;
        freq = -1;
        continue;
      }
    }
    break;
  }
  const eofEnd = r.pos;
  if (version >= 5) {
    r.need(8);
    if (opts.verifyChecksum !== false) {
      const stored = r.buf.readBigUInt64LE(r.pos);
      if (stored !== 0n) {
        const crc = new Crc64().update(r.buf, start, eofEnd);
        if (!crc.equalsLE(r.buf, r.pos)) {
          r.fail(`wrong RDB checksum (expected ${crc.value.toString(16)}, file has ${stored.toString(16)})`);
        }
      }
    }
    r.pos += 8;
  }
  result.end = r.pos;
  return result;
}

/** Is this error a malformed-RDB error (as opposed to a bug)? */
export function isRdbFormatError(e: unknown): e is RdbFormatError {
  return e instanceof RdbFormatError;
}
