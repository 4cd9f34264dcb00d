// Listpack, the compact container RDB uses for small hashes, sorted sets, sets and list nodes:
// a 6-byte header (total bytes, element count), entries (encoding + data + back-length), 0xFF.
// Integers that are canonical int64 strings are stored in the smallest int encoding, as Redis
// does. Encoder builds into a reusable scratch buffer; decoder appends strings to an array.
import { latin1, writeLatin1, asBuffer } from "../util/bytes.ts";
import { RdbFormatError } from "./rdberror.ts";

/** The value of a canonical int64 string of up to 15 digits (exact as a double), else null. */
export function smallCanonicalInt(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 16) return null;
  let i = 0;
  const c0 = s.charCodeAt(0);
  if (c0 === 45) {
    if (n === 1) return null;
    i = 1;
  } else if (c0 < 48 || c0 > 57 || n > 15) return null;
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1 ? 0 : null;
  if (first > 57 || first < 49) return null;
  let v = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  return c0 === 45 ? -v : v;
}

/** The value of a canonical int64 string of 16 or more digits, else null (rare, uses BigInt). */
export function bigCanonicalInt(s: string): bigint | null {
  const n = s.length;
  if (n < 16 || n > 20) return null;
  if (!/^-?[1-9][0-9]*$/.test(s)) return null;
  const b = BigInt(s);
  return b >= -(1n << 63n) && b < 1n << 63n ? b : null;
}

/** Bytes the back-length of an entry of l bytes takes. */
function backlenSize(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

/** A listpack under construction in a growable buffer (reused: call reset() per listpack). */
export class ListpackBuilder {
  buf: Buffer = Buffer.allocUnsafe(1024);
  pos = 6;
  count = 0;

  reset(): void {
    this.pos = 6;
    this.count = 0;
  }

  #ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const nb = Buffer.allocUnsafe(cap);
    nb.set(this.buf.subarray(0, this.pos));
    this.buf = nb;
  }

  /** Size of the listpack so far plus its end byte (Redis's lpBytes after finishing). */
  get bytes(): number {
    return this.pos + 1;
  }

  /** Bytes an element would add (for node-size limits). */
  static entrySize(s: string): number {
    const v = smallCanonicalInt(s);
    let l: number;
    if (v !== null) l = intEncodedSize(v);
    else if (s.length >= 16 && bigCanonicalInt(s) !== null) l = 9;
    else l = s.length + (s.length < 64 ? 1 : s.length < 4096 ? 2 : 5);
    return l + backlenSize(l);
  }

  /** Append a string element (stored as an integer when it is a canonical int64). */
  addString(s: string): void {
    const v = smallCanonicalInt(s);
    if (v !== null) return this.addInt(v);
    if (s.length >= 16) {
      const b = bigCanonicalInt(s);
      if (b !== null) return this.#addInt64(b);
    }
    const n = s.length;
    this.#ensure(n + 10);
    const buf = this.buf;
    let p = this.pos;
    let l: number;
    if (n < 64) {
      buf[p++] = 0x80 | n;
      l = n + 1;
    } else if (n < 4096) {
      buf[p++] = 0xe0 | (n >>> 8);
      buf[p++] = n & 0xff;
      l = n + 2;
    } else {
      buf[p++] = 0xf0;
      buf[p++] = n & 0xff;
      buf[p++] = (n >>> 8) & 0xff;
      buf[p++] = (n >>> 16) & 0xff;
      buf[p++] = n >>> 24;
      l = n + 5;
    }
    if (n < 16) for (let i = 0; i < n; i++) buf[p + i] = s.charCodeAt(i);
    else writeLatin1(buf, s, p);
    p += n;
    this.pos = writeBacklen(buf, p, l);
    this.count++;
  }

  /** Append an integer (|v| ≤ 2^53). */
  addInt(v: number): void {
    this.#ensure(11);
    const buf = this.buf;
    let p = this.pos;
    let l: number;
    if (v >= 0 && v <= 127) {
      buf[p++] = v;
      l = 1;
    } else if (v >= -4096 && v <= 4095) {
      const u = v & 0x1fff;
      buf[p++] = 0xc0 | (u >>> 8);
      buf[p++] = u & 0xff;
      l = 2;
    } else if (v >= -32768 && v <= 32767) {
      buf[p++] = 0xf1;
      buf[p++] = v & 0xff;
      buf[p++] = (v >> 8) & 0xff;
      l = 3;
    } else if (v >= -8388608 && v <= 8388607) {
      buf[p++] = 0xf2;
      buf[p++] = v & 0xff;
      buf[p++] = (v >> 8) & 0xff;
      buf[p++] = (v >> 16) & 0xff;
      l = 4;
    } else if (v >= -2147483648 && v <= 2147483647) {
      buf[p++] = 0xf3;
      buf[p++] = v & 0xff;
      buf[p++] = (v >> 8) & 0xff;
      buf[p++] = (v >> 16) & 0xff;
      buf[p++] = (v >>> 24) & 0xff;
      l = 5;
    } else {
      this.#addInt64(BigInt(v));
      return;
    }
    this.pos = writeBacklen(buf, p, l);
    this.count++;
  }

  #addInt64(b: bigint): void {
    this.#ensure(10);
    const buf = this.buf;
    buf[this.pos] = 0xf4;
    buf.writeBigInt64LE(b, this.pos + 1);
    this.pos = writeBacklen(buf, this.pos + 9, 9);
    this.count++;
  }

  /** Write the header and end byte; returns the listpack's bytes (a view into the scratch buffer). */
  finish(): Uint8Array {
    this.#ensure(1);
    const buf = this.buf;
    buf[this.pos] = 0xff;
    const total = this.pos + 1;
    buf.writeUInt32LE(total, 0);
    buf.writeUInt16LE(this.count < 65535 ? this.count : 65535, 4);
    return buf.subarray(0, total);
  }
}

function intEncodedSize(v: number): number {
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= -2147483648 && v <= 2147483647) return 5;
  return 9;
}

/** Write the back-length of an l-byte entry at p (most significant 7-bit group first). */
function writeBacklen(buf: Uint8Array, p: number, l: number): number {
  if (l <= 127) {
    buf[p] = l;
    return p + 1;
  }
  const n = backlenSize(l);
  for (let k = n - 1; k >= 0; k--) {
    const group = (l / 2 ** (7 * k)) & 127;
    buf[p++] = k === n - 1 ? group : group | 128;
  }
  return p;
}

/**
 * Decode the listpack in buf[start, end), appending each element to out as a latin1 string
 * (integers in decimal). Returns how many elements were appended. Throws RdbFormatError on a
 * malformed listpack (offsets in the message are relative to the listpack).
 */
export function decodeListpack(buf: Uint8Array, start: number, end: number, out: string[]): number {
  if (end - start < 7) throw new RdbFormatError("listpack too short", 0);
  const b = asBuffer(buf);
  const total = b.readUInt32LE(start);
  if (total !== end - start) throw new RdbFormatError(`listpack size ${total} does not match its blob (${end - start} bytes)`, 0);
  if (buf[end - 1] !== 0xff) throw new RdbFormatError("listpack is not terminated", end - 1 - start);
  const declared = b.readUInt16LE(start + 4);
  let p = start + 6;
  const stop = end - 1;
  let n = 0;
  while (p < stop) {
    const e0 = buf[p]!;
    let l: number;
    if (e0 < 0x80) {
      out.push(smallIntString(e0));
      l = 1;
    } else if (e0 < 0xc0) {
      const len = e0 & 0x3f;
      if (p + 1 + len > stop) break;
      out.push(len === 0 ? "" : latin1(buf, p + 1, p + 1 + len));
      l = 1 + len;
    } else if (e0 < 0xe0) {
      if (p + 2 > stop) break;
      let v = ((e0 & 0x1f) << 8) | buf[p + 1]!;
      if (v >= 4096) v -= 8192;
      out.push(String(v));
      l = 2;
    } else if (e0 < 0xf0) {
      const len = ((e0 & 0x0f) << 8) | buf[p + 1]!;
      if (p + 2 + len > stop) break;
      out.push(latin1(buf, p + 2, p + 2 + len));
      l = 2 + len;
    } else {
      switch (e0) {
        case 0xf0: {
          if (p + 5 > stop) throw new RdbFormatError("listpack entry runs past its end", p - start);
          const len = b.readUInt32LE(p + 1);
          if (p + 5 + len > stop) throw new RdbFormatError("listpack entry runs past its end", p - start);
          out.push(latin1(buf, p + 5, p + 5 + len));
          l = 5 + len;
          break;
        }
        case 0xf1:
          out.push(String(b.readInt16LE(p + 1)));
          l = 3;
          break;
        case 0xf2:
          out.push(String(b.readIntLE(p + 1, 3)));
          l = 4;
          break;
        case 0xf3:
          out.push(String(b.readInt32LE(p + 1)));
          l = 5;
          break;
        case 0xf4:
          out.push(String(b.readBigInt64LE(p + 1)));
          l = 9;
          break;
        default:
          throw new RdbFormatError(`listpack entry with invalid encoding 0x${e0.toString(16)}`, p - start);
      }
    }
    p += l + backlenSize(l);
    if (p > stop) break;
    n++;
  }
  if (p !== stop) throw new RdbFormatError("listpack entry runs past its end", p - start);
  if (declared !== 65535 && declared !== n) throw new RdbFormatError(`listpack holds ${n} entries, header says ${declared}`, 4);
  return n;
}

const SMALL_INTS: string[] = Array.from({ length: 128 }, (_, i) => String(i));

function smallIntString(v: number): string {
  return SMALL_INTS[v]!;
}
