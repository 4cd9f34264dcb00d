// The RDB decoder: a cursor over the bytes with the format's primitives (lengths, strings in raw,
// int and LZF forms, text and binary doubles) and the value decoders for every type Redis 7.0–7.2
// writes, old compact forms included. Values are built in the encoding Redis would pick at load
// for the configured limits. Throws RdbFormatError with the offset on anything malformed.
import type { Value } from "../types/value.ts";
import { storeString } from "../types/bytestring.ts";
import { List } from "../types/list.ts";
import { Hash } from "../types/hash.ts";
import { SetValue, isIntsetMember } from "../types/set.ts";
import { ZSet } from "../types/zset.ts";
import { asBuffer } from "../util/bytes.ts";
import { lzfDecompress } from "./lzf.ts";
import { decodeListpack } from "./listpack.ts";
import { decodeZiplist, decodeZipmap } from "./ziplist.ts";
import { decodeIntset } from "./intset.ts";
import { RdbFormatError } from "./rdberror.ts";
import * as K from "./rdbconst.ts";

/** The encoding limits that decide a loaded value's form (Redis converts at load the same way). */
export interface EncodingLimits {
  hashEntries: number;
  hashValue: number;
  zsetEntries: number;
  zsetValue: number;
  setIntsetEntries: number;
  /** 0: no listpack sets (Redis 7.0). */
  setListpackEntries: number;
  setListpackValue: number;
}

/** Redis 7.0's defaults. */
export const DEFAULT_LIMITS: EncodingLimits = {
  hashEntries: 512,
  hashValue: 64,
  zsetEntries: 128,
  zsetValue: 64,
  setIntsetEntries: 512,
  setListpackEntries: 0,
  setListpackValue: 0,
};

/** Bun's Buffer has a native latin1 slicer (one char per byte), faster than toString("latin1"). */
interface Latin1Buffer extends Buffer {
  latin1Slice(start: number, end: number): string;
}

const SET_INTSET = 0;
const SET_LISTPACK = 1;
const SET_HASHTABLE = 2;

export class RdbReader {
  readonly buf: Latin1Buffer;
  pos: number;
  readonly end: number;
  limits: EncodingLimits;
  /** Set by len(): the length was a special string encoding (its kind is the returned value). */
  encoded = false;
  /** The blob blob() found: bytes [blobStart, blobEnd) of blobBuf (the input, or a scratch copy). */
  blobBuf: Uint8Array;
  blobStart = 0;
  blobEnd = 0;
  /** Scratch array for the elements of one container. */
  readonly #items: string[] = [];

  constructor(buf: Uint8Array, start = 0, end = buf.length, limits: EncodingLimits = DEFAULT_LIMITS) {
    this.buf = asBuffer(buf) as Latin1Buffer;
    this.pos = start;
    this.end = end;
    this.limits = limits;
    this.blobBuf = this.buf;
  }

  fail(reason: string, at = this.pos): never {
    throw new RdbFormatError(reason, at);
  }

  need(n: number): void {
    if (this.pos + n > this.end) this.fail("unexpected end of data (truncated file?)");
  }

  byte(): number {
    if (this.pos >= this.end) this.fail("unexpected end of data (truncated file?)");
    return this.buf[this.pos++]!;
  }

  /** An RDB length; when `encoded` is set afterwards, the value is a special string encoding. */
  len(): number {
    const b = this.byte();
    const kind = b >> 6;
    this.encoded = false;
    if (kind === K.LEN_6BIT) return b & 0x3f;
    if (kind === K.LEN_14BIT) return ((b & 0x3f) << 8) | this.byte();
    if (b === K.LEN_32BIT) {
      this.need(4);
      const v = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return v;
    }
    if (b === K.LEN_64BIT) {
      this.need(8);
      const v = this.buf.readUInt32BE(this.pos) * 4294967296 + this.buf.readUInt32BE(this.pos + 4);
      this.pos += 8;
      return v;
    }
    if (kind === K.LEN_ENCVAL) {
      this.encoded = true;
      return b & 0x3f;
    }
    return this.fail(`invalid length encoding 0x${b.toString(16)}`, this.pos - 1);
  }

  /** A plain length (a special string encoding here is an error). */
  count(): number {
    const at = this.pos;
    const n = this.len();
    if (this.encoded) this.fail("expected a length, found an encoded string", at);
    return n;
  }

  /** An element count: each element takes at least one byte, so more than are left is corrupt. */
  items(): number {
    const at = this.pos;
    const n = this.count();
    if (n > this.end - this.pos) this.fail(`element count ${n} runs past the end of the data`, at);
    return n;
  }

  /** An int-encoded string's value (after len() reported `encoded`). */
  #intEnc(enc: number): number {
    const buf = this.buf;
    if (enc === K.ENC_INT8) {
      this.need(1);
      return buf.readInt8(this.pos++);
    }
    if (enc === K.ENC_INT16) {
      this.need(2);
      const v = buf.readInt16LE(this.pos);
      this.pos += 2;
      return v;
    }
    if (enc === K.ENC_INT32) {
      this.need(4);
      const v = buf.readInt32LE(this.pos);
      this.pos += 4;
      return v;
    }
    return this.fail(`unknown string encoding ${enc}`, this.pos - 1);
  }

  /** Decompress an LZF string into a fresh buffer (blobBuf/blobStart/blobEnd point at it). */
  #lzf(): void {
    const at = this.pos - 1;
    const clen = this.count();
    const n = this.count();
    this.need(clen);
    // A back-reference of 3 bytes expands to at most 264: anything claiming more is corrupt.
    if (n > clen * 88 + 64) this.fail(`LZF string claims ${n} bytes from ${clen}`, at);
    const out = Buffer.allocUnsafe(n);
    if (!lzfDecompress(this.buf, this.pos, this.pos + clen, out, 0, n)) this.fail("invalid LZF compressed string", at);
    this.pos += clen;
    this.blobBuf = out;
    this.blobStart = 0;
    this.blobEnd = n;
  }

  /** A string as latin1. */
  str(): string {
    const n = this.len();
    if (!this.encoded) {
      const p = this.pos;
      if (p + n > this.end) this.fail("unexpected end of data (truncated file?)");
      this.pos = p + n;
      return n === 0 ? "" : this.buf.latin1Slice(p, p + n);
    }
    if (n === K.ENC_LZF) {
      this.#lzf();
      return (asBuffer(this.blobBuf) as Latin1Buffer).latin1Slice(this.blobStart, this.blobEnd);
    }
    return String(this.#intEnc(n));
  }

  /** A string value as stored in a db: integers as numbers (Redis's int encoding). */
  stringValue(): Value {
    const n = this.len();
    if (!this.encoded) {
      const p = this.pos;
      if (p + n > this.end) this.fail("unexpected end of data (truncated file?)");
      this.pos = p + n;
      if (n === 0) return "";
      const c = this.buf[p]!;
      const s = this.buf.latin1Slice(p, p + n);
      return n <= 16 && ((c >= 48 && c <= 57) || c === 45) ? storeString(s) : s;
    }
    if (n === K.ENC_LZF) {
      this.#lzf();
      return (asBuffer(this.blobBuf) as Latin1Buffer).latin1Slice(this.blobStart, this.blobEnd);
    }
    return this.#intEnc(n);
  }

  /** A string as bytes, for nested containers: sets blobBuf, blobStart, blobEnd. */
  blob(): void {
    const n = this.len();
    if (!this.encoded) {
      this.need(n);
      this.blobBuf = this.buf;
      this.blobStart = this.pos;
      this.blobEnd = this.pos + n;
      this.pos += n;
      return;
    }
    if (n === K.ENC_LZF) return this.#lzf();
    const b = Buffer.from(String(this.#intEnc(n)), "latin1");
    this.blobBuf = b;
    this.blobStart = 0;
    this.blobEnd = b.length;
  }

  /** Decode the current blob with a container decoder, relocating its errors into the file. */
  #decodeBlob(at: number, decode: (b: Uint8Array, s: number, e: number, out: string[]) => number): string[] {
    const items = this.#items;
    items.length = 0;
    try {
      decode(this.blobBuf, this.blobStart, this.blobEnd, items);
    } catch (e) {
      if (e instanceof RdbFormatError) throw e.at(at);
      if (e instanceof RangeError) this.fail("container runs past its end", at);
      throw e;
    }
    return items;
  }

  #blobItems(decode: (b: Uint8Array, s: number, e: number, out: string[]) => number): string[] {
    const at = this.pos;
    this.blob();
    return this.#decodeBlob(at, decode);
  }

  /** A double in the old text form (type 3 sorted sets): length byte, or 253/254/255 for nan/inf/-inf. */
  textDouble(): number {
    const n = this.byte();
    if (n === 253) return NaN;
    if (n === 254) return Infinity;
    if (n === 255) return -Infinity;
    this.need(n);
    const s = this.buf.latin1Slice(this.pos, this.pos + n);
    this.pos += n;
    return parseScore(s);
  }

  binaryDouble(): number {
    this.need(8);
    const d = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return d;
  }

  /** A signed 64-bit little-endian integer (EXPIRETIME_MS): a number, or a bigint past ±2^53. */
  int64LE(): number | bigint {
    this.need(8);
    const lo = this.buf.readUInt32LE(this.pos);
    const hi = this.buf.readInt32LE(this.pos + 4);
    this.pos += 8;
    if (hi >= 0 && hi < 0x200000) return hi * 4294967296 + lo;
    const b = (BigInt(hi) << 32n) | BigInt(lo);
    return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
  }

  /**
   * One value of the given type byte (the key was already read; it names the key in errors).
   * Returns null for an empty container, which Redis skips with a warning.
   */
  value(type: number, key: string): Value | null {
    switch (type) {
      case K.T_STRING:
        return this.stringValue();
      case K.T_LIST: {
        const n = this.items();
        const l = new List(n);
        for (let i = 0; i < n; i++) l.pushTail(this.str());
        return n === 0 ? null : l;
      }
      case K.T_LIST_ZIPLIST:
        return this.#listFrom(this.#blobItems(decodeZiplist));
      case K.T_LIST_QUICKLIST:
      case K.T_LIST_QUICKLIST_2:
        return this.#quicklist(type === K.T_LIST_QUICKLIST_2);
      case K.T_SET: {
        const n = this.items();
        const members = new Set<string>();
        for (let i = 0; i < n; i++) {
          const at = this.pos;
          const m = this.str();
          if (members.has(m)) this.fail(`duplicate set member in key '${key}'`, at);
          members.add(m);
        }
        return this.#setFrom(members);
      }
      case K.T_SET_INTSET:
        return this.#setFrom(this.#uniq(this.#blobItems(decodeIntset), key));
      case K.T_SET_LISTPACK:
        return this.#setFrom(this.#uniq(this.#blobItems(decodeListpack), key));
      case K.T_ZSET:
      case K.T_ZSET_2: {
        const n = this.items();
        const members: string[] = new Array(n);
        const scores: number[] = new Array(n);
        for (let i = 0; i < n; i++) {
          members[i] = this.str();
          const at = this.pos;
          const d = type === K.T_ZSET_2 ? this.binaryDouble() : this.textDouble();
          if (Number.isNaN(d)) this.fail(`NaN score in sorted set '${key}'`, at);
          scores[i] = d;
        }
        return this.#zsetFrom(members, scores, key, true);
      }
      case K.T_ZSET_ZIPLIST:
      case K.T_ZSET_LISTPACK: {
        const at = this.pos;
        const items = this.#blobItems(type === K.T_ZSET_LISTPACK ? decodeListpack : decodeZiplist);
        if (items.length % 2 !== 0) this.fail(`sorted set '${key}' has an odd number of elements`, at);
        const n = items.length / 2;
        const members: string[] = new Array(n);
        const scores: number[] = new Array(n);
        for (let i = 0; i < n; i++) {
          members[i] = items[2 * i]!;
          const d = parseScore(items[2 * i + 1]!);
          if (Number.isNaN(d)) this.fail(`invalid score in sorted set '${key}'`, at);
          scores[i] = d;
        }
        // Matches Redis 7.0: a packed sorted set stays packed unless it has too many entries.
        return this.#zsetFrom(members, scores, key, false);
      }
      case K.T_HASH: {
        const n = this.items();
        const map = new Map<string, string>();
        const lim = this.limits;
        let small = n <= lim.hashEntries;
        for (let i = 0; i < n; i++) {
          const at = this.pos;
          const f = this.str();
          const v = this.str();
          if (map.has(f)) this.fail(`duplicate hash field in key '${key}'`, at);
          map.set(f, v);
          if (small && (f.length > lim.hashValue || v.length > lim.hashValue)) small = false;
        }
        return this.#hashFrom(map, small);
      }
      case K.T_HASH_ZIPMAP:
      case K.T_HASH_ZIPLIST:
      case K.T_HASH_LISTPACK: {
        const at = this.pos;
        const dec = type === K.T_HASH_LISTPACK ? decodeListpack : type === K.T_HASH_ZIPLIST ? decodeZiplist : decodeZipmap;
        const items = this.#blobItems(dec);
        if (items.length % 2 !== 0) this.fail(`hash '${key}' has an odd number of elements`, at);
        const map = new Map<string, string>();
        const lim = this.limits;
        let small = items.length / 2 <= lim.hashEntries;
        // Matches Redis 7.0: a packed hash stays packed unless it has too many entries; only a
        // zipmap is also checked for long fields and values.
        const checkLengths = type === K.T_HASH_ZIPMAP;
        for (let i = 0; i < items.length; i += 2) {
          const f = items[i]!;
          const v = items[i + 1]!;
          if (map.has(f)) this.fail(`duplicate hash field in key '${key}'`, at);
          map.set(f, v);
          if (checkLengths && small && (f.length > lim.hashValue || v.length > lim.hashValue)) small = false;
        }
        return this.#hashFrom(map, small);
      }
      case K.T_STREAM_LISTPACKS:
      case K.T_STREAM_LISTPACKS_2:
      case K.T_STREAM_LISTPACKS_3:
        return this.fail(`key '${key}' holds a stream (RDB type ${type}), which kvserver does not support`);
      case K.T_MODULE_PRE_GA:
      case K.T_MODULE_2:
        return this.fail(`key '${key}' holds a module value (RDB type ${type}), which kvserver does not support`);
      default:
        return this.fail(`unknown value type ${type} for key '${key}'`);
    }
  }

  #listFrom(items: readonly string[]): List | null {
    if (items.length === 0) return null;
    const l = new List(items.length);
    for (const s of items) l.pushTail(s);
    return l;
  }

  #quicklist(v2: boolean): List | null {
    const nodes = this.items();
    let l: List | null = null;
    for (let i = 0; i < nodes; i++) {
      let container = K.QL_NODE_PACKED;
      if (v2) {
        const at = this.pos;
        container = this.count();
        if (container !== K.QL_NODE_PACKED && container !== K.QL_NODE_PLAIN) this.fail(`invalid quicklist node container ${container}`, at);
      }
      l ??= new List();
      if (container === K.QL_NODE_PLAIN) {
        l.pushTail(this.str());
        continue;
      }
      const items = this.#blobItems(v2 ? decodeListpack : decodeZiplist);
      for (const s of items) l.pushTail(s);
    }
    return l === null || l.length === 0 ? null : l;
  }

  #uniq(items: readonly string[], key: string): Set<string> {
    const s = new Set(items);
    if (s.size !== items.length) this.fail(`duplicate set member in key '${key}'`);
    return s;
  }

  #setFrom(members: Set<string>): SetValue | null {
    if (members.size === 0) return null;
    const lim = this.limits;
    let enc = SET_HASHTABLE;
    if (members.size <= lim.setIntsetEntries) {
      enc = SET_INTSET;
      for (const m of members) {
        if (!isIntsetMember(m)) {
          enc = SET_HASHTABLE;
          break;
        }
      }
    }
    if (enc === SET_HASHTABLE && members.size <= lim.setListpackEntries) {
      enc = SET_LISTPACK;
      for (const m of members) {
        if (m.length > lim.setListpackValue) {
          enc = SET_HASHTABLE;
          break;
        }
      }
    }
    return new SetValue(members, enc as 0 | 1 | 2);
  }

  #hashFrom(map: Map<string, string>, small: boolean): Hash | null {
    if (map.size === 0) return null;
    return Hash.fromMap(map, small);
  }

  #zsetFrom(members: readonly string[], scores: readonly number[], key: string, checkLengths: boolean): ZSet | null {
    const n = members.length;
    if (n === 0) return null;
    const lim = this.limits;
    let small = n <= lim.zsetEntries;
    if (small && checkLengths) {
      for (const m of members) {
        if (m.length > lim.zsetValue) {
          small = false;
          break;
        }
      }
    }
    const z = new ZSet(small);
    const noLimit = { entries: Infinity, value: Infinity };
    for (let i = 0; i < n; i++) {
      const m = members[i]!;
      if (z.score(m) !== undefined) this.fail(`duplicate sorted set member in key '${key}'`);
      z.insert(m, scores[i]!, noLimit);
    }
    return z;
  }
}

/** A score as text in a container (integers, %.17g, inf/-inf); NaN when unparsable. */
function parseScore(s: string): number {
  const d = Number(s);
  if (!Number.isNaN(d) || s === "") return s === "" ? NaN : d;
  const l = s.toLowerCase();
  if (l === "inf" || l === "+inf" || l === "infinity" || l === "+infinity") return Infinity;
  if (l === "-inf" || l === "-infinity") return -Infinity;
  return NaN;
}
