// The legacy containers older RDB files hold: ziplist (lists, hashes and sorted sets before
// Redis 7, and quicklist v1 nodes) and zipmap (hashes before 2.6). Decode only: we never write
// them. Elements are appended to an array as latin1 strings (integers in decimal).
import { latin1, asBuffer } from "../util/bytes.ts";
import { RdbFormatError } from "./rdberror.ts";

/** Decode the ziplist in buf[start, end), appending its elements to out; returns their count. */
export function decodeZiplist(buf: Uint8Array, start: number, end: number, out: string[]): number {
  if (end - start < 11) throw new RdbFormatError("ziplist too short", 0);
  const b = asBuffer(buf);
  const total = b.readUInt32LE(start);
  if (total !== end - start) throw new RdbFormatError(`ziplist size ${total} does not match its blob (${end - start} bytes)`, 0);
  if (buf[end - 1] !== 0xff) throw new RdbFormatError("ziplist is not terminated", end - 1 - start);
  const declared = b.readUInt16LE(start + 8);
  let p = start + 10;
  const stop = end - 1;
  let n = 0;
  const bad = (): never => {
    throw new RdbFormatError("ziplist entry runs past its end", p - start);
  };
  while (p < stop) {
    // Previous entry's length: 1 byte, or 0xFE and 4 bytes.
    p += buf[p]! < 254 ? 1 : 5;
    if (p >= stop) bad();
    const e = buf[p]!;
    switch (e >> 6) {
      case 0: {
        const len = e & 0x3f;
        if (p + 1 + len > stop) bad();
        out.push(latin1(buf, p + 1, p + 1 + len));
        p += 1 + len;
        break;
      }
      case 1: {
        if (p + 2 > stop) bad();
        const len = ((e & 0x3f) << 8) | buf[p + 1]!;
        if (p + 2 + len > stop) bad();
        out.push(latin1(buf, p + 2, p + 2 + len));
        p += 2 + len;
        break;
      }
      case 2: {
        if (p + 5 > stop) bad();
        const len = b.readUInt32BE(p + 1);
        if (p + 5 + len > stop) bad();
        out.push(latin1(buf, p + 5, p + 5 + len));
        p += 5 + len;
        break;
      }
      default: {
        let size: number;
        let v: string;
        if (e === 0xc0) {
          size = 2;
          if (p + 1 + size > stop) bad();
          v = String(b.readInt16LE(p + 1));
        } else if (e === 0xd0) {
          size = 4;
          if (p + 1 + size > stop) bad();
          v = String(b.readInt32LE(p + 1));
        } else if (e === 0xe0) {
          size = 8;
          if (p + 1 + size > stop) bad();
          v = String(b.readBigInt64LE(p + 1));
        } else if (e === 0xf0) {
          size = 3;
          if (p + 1 + size > stop) bad();
          v = String(b.readIntLE(p + 1, 3));
        } else if (e === 0xfe) {
          size = 1;
          if (p + 1 + size > stop) bad();
          v = String(b.readInt8(p + 1));
        } else if (e >= 0xf1 && e <= 0xfd) {
          size = 0;
          v = String((e & 0x0f) - 1);
        } else {
          throw new RdbFormatError(`ziplist entry with invalid encoding 0x${e.toString(16)}`, p - start);
        }
        out.push(v);
        p += 1 + size;
      }
    }
    n++;
  }
  if (p !== stop) bad();
  if (declared !== 65535 && declared !== n) throw new RdbFormatError(`ziplist holds ${n} entries, header says ${declared}`, 8);
  return n;
}

/** Decode the zipmap in buf[start, end), appending key, value, key, value… to out. */
export function decodeZipmap(buf: Uint8Array, start: number, end: number, out: string[]): number {
  const b = asBuffer(buf);
  let p = start + 1; // the first byte is a (capped) entry count
  let n = 0;
  const bad = (): never => {
    throw new RdbFormatError("zipmap entry runs past its end", p - start);
  };
  const readLen = (): number => {
    if (p >= end) bad();
    const l = buf[p]!;
    if (l < 254) {
      p++;
      return l;
    }
    if (l === 254) {
      if (p + 5 > end) bad();
      const v = b.readUInt32LE(p + 1);
      p += 5;
      return v;
    }
    return -1;
  };
  for (;;) {
    const klen = readLen();
    if (klen < 0) break;
    if (p + klen > end) bad();
    out.push(latin1(buf, p, p + klen));
    p += klen;
    const vlen = readLen();
    if (vlen < 0) bad();
    if (p >= end) bad();
    const free = buf[p++]!;
    if (p + vlen + free > end) bad();
    out.push(latin1(buf, p, p + vlen));
    p += vlen + free;
    n++;
  }
  if (p !== end - 1) throw new RdbFormatError("zipmap has trailing bytes", p - start);
  return n;
}
