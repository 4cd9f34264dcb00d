// The RDB encoder: a growing byte buffer with manual offsets and the format's primitives (length
// and string encodings with int and LZF forms, binary doubles, ms timestamps), plus the value
// serialisers for every type (quicklist 2 lists, listpack/intset small forms, plain big forms).
// Writes bytes only: file layout (header, AUX, dbs, checksum) lives in rdb.ts.
import type { Value } from "../types/value.ts";
import type { ByteString } from "../types/bytestring.ts";
import type { List } from "../types/list.ts";
import type { Hash } from "../types/hash.ts";
import type { SetValue } from "../types/set.ts";
import type { ZSet } from "../types/zset.ts";
import { writeLatin1 } from "../util/bytes.ts";
import { lzfCompress } from "./lzf.ts";
import { ListpackBuilder, smallCanonicalInt } from "./listpack.ts";
import { encodeIntset } from "./intset.ts";
import * as K from "./rdbconst.ts";

/** Redis's node size limits for list-max-listpack-size (fill): negative = bytes, positive = count. */
function nodeLimits(fill: number): { bytes: number; count: number } {
  if (fill >= 0) return { bytes: 8192, count: fill === 0 ? 1 : fill };
  return { bytes: 4096 << (Math.min(-fill, 5) - 1), count: Number.MAX_SAFE_INTEGER };
}

const TWO32 = 4294967296;

export interface WriterOptions {
  /** rdbcompression: LZF for strings over 20 bytes, kept only when it saves bytes. */
  compress: boolean;
  /** list-max-listpack-size: how lists are cut into quicklist nodes. */
  listFill: number;
}

export class RdbWriter {
  buf: Buffer;
  pos = 0;
  readonly compress: boolean;
  readonly #nodeBytes: number;
  readonly #nodeCount: number;
  readonly #lp = new ListpackBuilder();
  #lzfIn: Buffer = Buffer.allocUnsafe(256);
  #lzfOut: Buffer = Buffer.allocUnsafe(256);

  constructor(opts: WriterOptions, initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
    this.compress = opts.compress;
    const lim = nodeLimits(opts.listFill);
    this.#nodeBytes = lim.bytes;
    this.#nodeCount = lim.count;
  }

  /** Make room for n more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const nb = Buffer.allocUnsafe(cap);
    nb.set(this.buf.subarray(0, this.pos));
    this.buf = nb;
  }

  /** The bytes written so far (a view: copy before the next write). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /**
   * Hand over the bytes written so far without copying them (streaming: the caller may keep
   * them while an asynchronous write is in flight); writing continues in a fresh buffer.
   */
  detach(): Uint8Array {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(Math.max(64 * 1024, Math.min(this.buf.length, 4 * 1024 * 1024)));
    this.pos = 0;
    return out;
  }

  /** Forget what was written, keeping the buffer (streaming: after a chunk was taken). */
  reset(): void {
    this.pos = 0;
    // A huge value can balloon the buffer; do not hold on to it between chunks.
    if (this.buf.length > 16 * 1024 * 1024) this.buf = Buffer.allocUnsafe(1024 * 1024);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  raw(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    this.ensure(n);
    this.buf.set(n === src.length ? src : src.subarray(start, end), this.pos);
    this.pos += n;
  }

  /** RDB length: 6 bits, 14 bits, 32 or 64 bits big-endian. */
  len(n: number): void {
    this.ensure(9);
    const buf = this.buf;
    let p = this.pos;
    if (n < 64) {
      buf[p++] = n;
    } else if (n < 16384) {
      buf[p++] = 0x40 | (n >>> 8);
      buf[p++] = n & 0xff;
    } else if (n < TWO32) {
      buf[p++] = K.LEN_32BIT;
      buf.writeUInt32BE(n, p);
      p += 4;
    } else {
      buf[p++] = K.LEN_64BIT;
      buf.writeUInt32BE(Math.floor(n / TWO32), p);
      buf.writeUInt32BE(n >>> 0, p + 4);
      p += 8;
    }
    this.pos = p;
  }

  /** Signed 64-bit little-endian (an absolute time in ms). */
  int64LE(v: number | bigint): void {
    this.ensure(8);
    if (typeof v === "number" && v >= 0 && v <= Number.MAX_SAFE_INTEGER) {
      this.buf.writeUInt32LE(v >>> 0, this.pos);
      this.buf.writeUInt32LE(Math.floor(v / TWO32), this.pos + 4);
    } else {
      this.buf.writeBigInt64LE(BigInt.asIntN(64, BigInt(v)), this.pos);
    }
    this.pos += 8;
  }

  doubleLE(d: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(d, this.pos);
    this.pos += 8;
  }

  /** An integer as an RDB string: int8/16/32 encodings when it fits, else its decimal text. */
  intString(v: number): void {
    this.ensure(5);
    const buf = this.buf;
    const p = this.pos;
    if (v >= -128 && v <= 127) {
      buf[p] = 0xc0 | K.ENC_INT8;
      buf[p + 1] = v & 0xff;
      this.pos = p + 2;
    } else if (v >= -32768 && v <= 32767) {
      buf[p] = 0xc0 | K.ENC_INT16;
      buf[p + 1] = v & 0xff;
      buf[p + 2] = (v >> 8) & 0xff;
      this.pos = p + 3;
    } else if (v >= -2147483648 && v <= 2147483647) {
      buf[p] = 0xc0 | K.ENC_INT32;
      buf.writeInt32LE(v, p + 1);
      this.pos = p + 5;
    } else {
      this.#plain(String(v));
    }
  }

  /**
   * A latin1 string as an RDB string: a canonical integer of up to 11 characters that fits 32
   * bits is int-encoded (as Redis does), longer strings are LZF-compressed when that pays.
   */
  str(s: string): void {
    const n = s.length;
    if (n <= 11 && n > 0) {
      const c = s.charCodeAt(0);
      if ((c >= 48 && c <= 57) || c === 45) {
        const v = smallCanonicalInt(s);
        if (v !== null && v >= -2147483648 && v <= 2147483647) return this.intString(v);
      }
    }
    if (n > K.LZF_MIN_LEN && this.compress) {
      if (this.#lzfIn.length < n) this.#lzfIn = Buffer.allocUnsafe(n * 2);
      writeLatin1(this.#lzfIn, s, 0);
      if (this.#tryLzf(this.#lzfIn, 0, n)) return;
    }
    this.#plain(s);
  }

  /** A length-prefixed latin1 string, no special encodings. */
  #plain(s: string): void {
    const n = s.length;
    this.len(n);
    this.ensure(n);
    const buf = this.buf;
    const p = this.pos;
    if (n < 24) for (let i = 0; i < n; i++) buf[p + i] = s.charCodeAt(i);
    else writeLatin1(buf, s, p);
    this.pos = p + n;
  }

  /** Bytes as an RDB string (a ByteString value, a listpack or an intset). */
  blob(b: Uint8Array, start = 0, end = b.length): void {
    const n = end - start;
    if (n > K.LZF_MIN_LEN && this.compress && this.#tryLzf(b, start, end)) return;
    this.len(n);
    this.raw(b, start, end);
  }

  /** Write src[start,end) LZF-compressed if it shrinks by at least 4 bytes, as Redis requires. */
  #tryLzf(src: Uint8Array, start: number, end: number): boolean {
    const n = end - start;
    if (this.#lzfOut.length < n) this.#lzfOut = Buffer.allocUnsafe(n * 2);
    const clen = lzfCompress(src, start, end, this.#lzfOut, 0, n - 4);
    if (clen <= 0) return false;
    this.byte(0xc0 | K.ENC_LZF);
    this.len(clen);
    this.len(n);
    this.raw(this.#lzfOut, 0, clen);
    return true;
  }

  /** A string value (any of its three forms). */
  stringValue(v: string | number | ByteString): void {
    if (typeof v === "string") this.str(v);
    else if (typeof v === "number") {
      if (Number.isSafeInteger(v)) this.intString(v);
      else this.str(String(v));
    } else this.blob(v.buf, 0, v.len);
  }

  /**
   * One key with its expiry (ms, or -1) and eviction metadata (idle seconds / LFU counter, -1
   * for none), as Redis orders them: EXPIRETIME_MS, IDLE or FREQ, type, key, value.
   */
  entry(key: string, v: Value, expireMs: number | bigint, idleSec = -1, freq = -1): void {
    if (expireMs !== -1) {
      this.byte(K.OP_EXPIRETIME_MS);
      this.int64LE(expireMs);
    }
    if (idleSec >= 0) {
      this.byte(K.OP_IDLE);
      this.len(idleSec);
    } else if (freq >= 0) {
      this.byte(K.OP_FREQ);
      this.byte(freq);
    }
    if (typeof v !== "object") {
      this.byte(K.T_STRING);
      this.str(key);
      if (typeof v === "string") this.str(v);
      else this.stringValue(v);
      return;
    }
    this.byte(typeByte(v));
    this.str(key);
    this.valueBody(v);
  }

  /** The serialised value without its type byte (the type comes from typeByte). */
  valueBody(v: Value): void {
    if (typeof v !== "object") return this.stringValue(v);
    switch (v.type) {
      case "string":
        return this.stringValue(v as ByteString);
      case "list":
        return this.#list(v as List);
      case "set":
        return this.#set(v as SetValue);
      case "hash":
        return this.#hash(v as Hash);
      case "zset":
        return this.#zset(v as ZSet);
      default:
        throw new Error(`cannot serialise a ${v.type} value`);
    }
  }

  /** Quicklist 2: node count, then per node its container kind and a listpack blob. */
  #list(l: List): void {
    const n = l.length;
    const lp = this.#lp;
    const maxBytes = this.#nodeBytes;
    const maxCount = this.#nodeCount;
    // Count the nodes first (the count precedes them), then build each one.
    let nodes = 0;
    let size = 7;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const e = ListpackBuilder.entrySize(l.at(i));
      if (count > 0 && (size + e > maxBytes || count >= maxCount)) {
        nodes++;
        size = 7;
        count = 0;
      }
      size += e;
      count++;
    }
    if (count > 0) nodes++;
    this.len(nodes);
    lp.reset();
    size = 7;
    for (let i = 0; i < n; i++) {
      const s = l.at(i);
      const e = ListpackBuilder.entrySize(s);
      if (lp.count > 0 && (size + e > maxBytes || lp.count >= maxCount)) {
        this.#listNode(lp);
        lp.reset();
        size = 7;
      }
      lp.addString(s);
      size += e;
    }
    if (lp.count > 0) this.#listNode(lp);
  }

  #listNode(lp: ListpackBuilder): void {
    this.len(K.QL_NODE_PACKED);
    this.blob(lp.finish());
  }

  #set(s: SetValue): void {
    if (s.isIntset) {
      this.blob(encodeIntset(s.ordered() as readonly string[]));
      return;
    }
    this.len(s.size);
    for (const m of s.values()) this.str(m);
  }

  #hash(h: Hash): void {
    if (h.isListpack) {
      const lp = this.#lp;
      lp.reset();
      h.forEach((v, f) => {
        lp.addString(f);
        lp.addString(v);
      });
      this.blob(lp.finish());
      return;
    }
    this.len(h.size);
    h.forEach((v, f) => {
      this.str(f);
      this.str(v);
    });
  }

  #zset(z: ZSet): void {
    if (z.isListpack) {
      const lp = this.#lp;
      lp.reset();
      for (let x = z.first(); x !== null; x = x.next[0] ?? null) {
        lp.addString(x.member);
        addScore(lp, x.score);
      }
      this.blob(lp.finish());
      return;
    }
    // Highest first, as Redis writes it (its loader then inserts each at the head).
    this.len(z.size);
    for (let x = z.last(); x !== null; x = x.backward) {
      this.str(x.member);
      this.doubleLE(x.score);
    }
  }
}

/** A score in a listpack: integral values as integers, others as their shortest exact text. */
function addScore(lp: ListpackBuilder, d: number): void {
  if (Number.isSafeInteger(d) && !Object.is(d, -0)) return lp.addInt(d);
  if (d === Infinity) return lp.addString("inf");
  if (d === -Infinity) return lp.addString("-inf");
  lp.addString(String(d));
}

/** The RDB type byte a value is written with (7.0-loadable: sets never use type 20). */
export function typeByte(v: Value): number {
  if (typeof v !== "object") return K.T_STRING;
  switch (v.type) {
    case "string":
      return K.T_STRING;
    case "list":
      return K.T_LIST_QUICKLIST_2;
    case "set":
      return (v as SetValue).isIntset ? K.T_SET_INTSET : K.T_SET;
    case "hash":
      return (v as Hash).isListpack ? K.T_HASH_LISTPACK : K.T_HASH;
    case "zset":
      return (v as ZSet).isListpack ? K.T_ZSET_LISTPACK : K.T_ZSET_2;
    default:
      throw new Error(`cannot serialise a ${v.type} value`);
  }
}
