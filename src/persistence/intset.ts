// Intset, the RDB form of a small all-integer set: encoding width (2, 4 or 8 bytes), count, and
// the members ascending, little-endian. Encoder takes members already in numeric order.
import { asBuffer } from "../util/bytes.ts";
import { RdbFormatError } from "./rdberror.ts";
import { smallCanonicalInt } from "./listpack.ts";

/** Encode ascending canonical-int64 member strings as an intset (a fresh buffer). */
export function encodeIntset(sorted: readonly string[]): Uint8Array {
  const n = sorted.length;
  const vals: (number | bigint)[] = new Array(n);
  let width = 2;
  for (let i = 0; i < n; i++) {
    const s = sorted[i]!;
    const small = smallCanonicalInt(s);
    const v: number | bigint = small ?? BigInt(s);
    vals[i] = v;
    if (typeof v === "bigint" || v < -2147483648 || v > 2147483647) width = 8;
    else if (width === 2 && (v < -32768 || v > 32767)) width = 4;
  }
  const out = Buffer.allocUnsafe(8 + n * width);
  out.writeUInt32LE(width, 0);
  out.writeUInt32LE(n, 4);
  let p = 8;
  for (let i = 0; i < n; i++) {
    const v = vals[i]!;
    if (width === 2) out.writeInt16LE(v as number, p);
    else if (width === 4) out.writeInt32LE(v as number, p);
    else out.writeBigInt64LE(typeof v === "bigint" ? v : BigInt(v), p);
    p += width;
  }
  return out;
}

/** Decode the intset in buf[start, end), appending members (decimal strings) to out. */
export function decodeIntset(buf: Uint8Array, start: number, end: number, out: string[]): number {
  if (end - start < 8) throw new RdbFormatError("intset too short", 0);
  const b = asBuffer(buf);
  const width = b.readUInt32LE(start);
  const n = b.readUInt32LE(start + 4);
  if (width !== 2 && width !== 4 && width !== 8) throw new RdbFormatError(`intset with invalid encoding ${width}`, 0);
  if (8 + n * width !== end - start) throw new RdbFormatError(`intset of ${n} members does not match its blob (${end - start} bytes)`, 4);
  let p = start + 8;
  for (let i = 0; i < n; i++, p += width) {
    if (width === 2) out.push(String(b.readInt16LE(p)));
    else if (width === 4) out.push(String(b.readInt32LE(p)));
    else out.push(String(b.readBigInt64LE(p)));
  }
  return n;
}
