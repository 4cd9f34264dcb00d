// Bit-level work on byte strings for the bitmap commands: population count, first set/clear
// bit, BITOP folding and BITFIELD integer fields (read, write, WRAP/SAT/FAIL arithmetic).
// Bits are numbered from the most significant bit of byte 0, as Redis numbers them.
// Pure functions over a latin1 string or a byte array: nothing of keys, clients or replies.

/** Bytes to read: a latin1 string (one char per byte) or a byte array cut to its length. */
export type ByteSource = string | Uint8Array;

/** Set bits in each byte value. */
const POP8 = new Uint8Array(256);
for (let i = 1; i < 256; i++) POP8[i] = (i & 1) + POP8[i >> 1]!;

/** Byte i of src; 0 past the end. */
export function byteAt(src: ByteSource, i: number): number {
  if (i >= src.length) return 0;
  return typeof src === "string" ? src.charCodeAt(i) : src[i]!;
}

function pop32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Set bits among bytes [from, to) of src (both within its length). */
export function popcount(src: ByteSource, from: number, to: number): number {
  let n = 0;
  let i = from;
  if (typeof src === "string") {
    for (; i < to; i++) n += POP8[src.charCodeAt(i)]!;
    return n;
  }
  if (to - i >= 64) {
    // Whole aligned 32-bit words in the middle: one view, four bytes per step.
    while (((src.byteOffset + i) & 3) !== 0) n += POP8[src[i++]!]!;
    const words = (to - i) >>> 2;
    const w = new Uint32Array(src.buffer, src.byteOffset + i, words);
    for (let k = 0; k < words; k++) n += pop32(w[k]!);
    i += words * 4;
  }
  for (; i < to; i++) n += POP8[src[i]!]!;
  return n;
}

/** Mask of bits lo..hi (0 = most significant) within one byte. */
function byteMask(lo: number, hi: number): number {
  return (0xff >> lo) & (0xff << (7 - hi)) & 0xff;
}

/** Set bits among bit positions [first, last] (inclusive, both within the string). */
export function countBits(src: ByteSource, first: number, last: number): number {
  const fb = Math.floor(first / 8);
  const lb = Math.floor(last / 8);
  const fo = first - fb * 8;
  const lo = last - lb * 8;
  if (fb === lb) return POP8[byteAt(src, fb) & byteMask(fo, lo)]!;
  return (
    POP8[byteAt(src, fb) & byteMask(fo, 7)]! +
    popcount(src, fb + 1, lb) +
    POP8[byteAt(src, lb) & byteMask(0, lo)]!
  );
}

/** Position of the first bit equal to `bit` among positions [first, last] (inclusive), or -1. */
export function findBit(src: ByteSource, bit: 0 | 1, first: number, last: number): number {
  const fb = Math.floor(first / 8);
  const lb = Math.floor(last / 8);
  // Search for set bits in x, where x is the byte itself (bit 1) or its complement (bit 0).
  const flip = bit === 1 ? 0 : 0xff;
  const fo = first - fb * 8;
  const lo = last - lb * 8;
  if (fb === lb) return bitIn(fb, (byteAt(src, fb) ^ flip) & byteMask(fo, lo));
  let x = (byteAt(src, fb) ^ flip) & byteMask(fo, 7);
  if (x !== 0) return bitIn(fb, x);
  const at = firstByteNot(src, flip, fb + 1, lb);
  if (at < lb) return bitIn(at, byteAt(src, at) ^ flip);
  x = (byteAt(src, lb) ^ flip) & byteMask(0, lo);
  return bitIn(lb, x);
}

function bitIn(byte: number, x: number): number {
  return x === 0 ? -1 : byte * 8 + Math.clz32(x) - 24;
}

/** First index in [from, to) whose byte differs from `b`; `to` when none does. */
function firstByteNot(src: ByteSource, b: number, from: number, to: number): number {
  let i = from;
  if (typeof src === "string") {
    while (i < to && src.charCodeAt(i) === b) i++;
    return i;
  }
  if (to - i >= 64) {
    while (((src.byteOffset + i) & 3) !== 0) {
      if (src[i] !== b) return i;
      i++;
    }
    const words = (to - i) >>> 2;
    const w = new Uint32Array(src.buffer, src.byteOffset + i, words);
    const word = b === 0 ? 0 : 0xffffffff;
    let k = 0;
    while (k < words && w[k] === word) k++;
    i += k * 4;
  }
  while (i < to && src[i] === b) i++;
  return i;
}

/** The BITOP operations. */
export type BitOp = "and" | "or" | "xor" | "not";

/**
 * BITOP over the sources into a fresh array as long as the longest source; a shorter source
 * reads as zero bytes past its end (so AND clears the tail, OR/XOR keep it).
 */
export function bitop(op: BitOp, sources: readonly ByteSource[], maxlen: number): Uint8Array {
  const r = new Uint8Array(maxlen);
  const s0 = sources[0]!;
  if (op === "not") {
    for (let i = 0; i < maxlen; i++) r[i] = ~byteAt(s0, i) & 0xff;
    return r;
  }
  copyInto(r, s0);
  for (let j = 1; j < sources.length; j++) {
    const s = sources[j]!;
    const n = s.length;
    if (op === "and") {
      if (typeof s === "string") for (let i = 0; i < n; i++) r[i]! &= s.charCodeAt(i);
      else for (let i = 0; i < n; i++) r[i]! &= s[i]!;
      r.fill(0, n);
    } else if (op === "or") {
      if (typeof s === "string") for (let i = 0; i < n; i++) r[i]! |= s.charCodeAt(i);
      else for (let i = 0; i < n; i++) r[i]! |= s[i]!;
    } else {
      if (typeof s === "string") for (let i = 0; i < n; i++) r[i]! ^= s.charCodeAt(i);
      else for (let i = 0; i < n; i++) r[i]! ^= s[i]!;
    }
  }
  return r;
}

function copyInto(r: Uint8Array, s: ByteSource): void {
  if (typeof s === "string") for (let i = 0; i < s.length; i++) r[i] = s.charCodeAt(i);
  else r.set(s);
}

// ---- BITFIELD integers -------------------------------------------------------------------

/** Overflow policies of BITFIELD's OVERFLOW. */
export const WRAP = 0;
export const SAT = 1;
export const FAIL = 2;
export type Overflow = typeof WRAP | typeof SAT | typeof FAIL;

const INT64_MAX = (1n << 63n) - 1n;

/** The unsigned `bits`-wide field at bit `off`, bits ≤ 53 (bits past the end read as 0). */
export function readFieldNum(src: ByteSource, off: number, bits: number): number {
  let v = 0;
  let pos = off;
  let left = bits;
  while (left > 0) {
    const byte = Math.floor(pos / 8);
    const avail = 8 - (pos - byte * 8);
    const take = avail < left ? avail : left;
    const chunk = (byteAt(src, byte) >> (avail - take)) & ((1 << take) - 1);
    v = v * (1 << take) + chunk;
    pos += take;
    left -= take;
  }
  return v;
}

/** The unsigned field as a bigint (any width up to 64). */
export function readFieldBig(src: ByteSource, off: number, bits: number): bigint {
  if (bits <= 32) return BigInt(readFieldNum(src, off, bits));
  const hi = readFieldNum(src, off, bits - 32);
  const lo = readFieldNum(src, off + bits - 32, 32);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Store the low `bits` bits of v (0 ≤ v < 2^bits, bits ≤ 53) at bit `off`; buf must reach. */
export function writeFieldNum(buf: Uint8Array, off: number, bits: number, v: number): void {
  let end = off + bits; // one past the last bit still to write
  let left = bits;
  while (left > 0) {
    const byte = Math.floor((end - 1) / 8);
    const lastBit = end - 1 - byte * 8;
    const take = lastBit + 1 < left ? lastBit + 1 : left;
    const unit = 2 ** take;
    const chunk = v % unit;
    v = (v - chunk) / unit;
    const shift = 7 - lastBit;
    const mask = ((1 << take) - 1) << shift;
    buf[byte] = (buf[byte]! & ~mask) | (chunk << shift);
    end -= take;
    left -= take;
  }
}

/** Store the low `bits` bits of v (0 ≤ v < 2^bits) at bit `off`. */
export function writeFieldBig(buf: Uint8Array, off: number, bits: number, v: bigint): void {
  if (bits <= 32) return writeFieldNum(buf, off, bits, Number(v));
  writeFieldNum(buf, off, bits - 32, Number(v >> 32n));
  writeFieldNum(buf, off + bits - 32, 32, Number(v & 0xffffffffn));
}

/** Read a field as its signed or unsigned value: a number up to 53 bits, else a bigint. */
export function readField(src: ByteSource, off: number, bits: number, signed: boolean): number | bigint {
  if (bits <= 53) {
    const u = readFieldNum(src, off, bits);
    return signed && u >= 2 ** (bits - 1) ? u - 2 ** bits : u;
  }
  const u = readFieldBig(src, off, bits);
  return signed ? BigInt.asIntN(bits, u) : u;
}

/** Write a signed or unsigned value (already within the field's range) into the field. */
export function writeField(buf: Uint8Array, off: number, bits: number, v: number | bigint): void {
  if (typeof v === "number" && bits <= 53) {
    writeFieldNum(buf, off, bits, v < 0 ? v + 2 ** bits : v);
  } else {
    writeFieldBig(buf, off, bits, BigInt.asUintN(bits, BigInt(v)));
  }
}

/**
 * The value a BITFIELD INCRBY leaves in the field: value + incr, kept within the field by the
 * overflow policy (WRAP: modulo 2^bits; SAT: clamped to the field's min or max), or null when
 * it overflows under FAIL.
 */
export function fieldIncr(
  value: number | bigint,
  incr: number | bigint,
  bits: number,
  signed: boolean,
  ow: Overflow,
): number | bigint | null {
  // Exact in doubles: |value| < 2^32 and |incr| ≤ 2^52 keep every sum below 2^53.
  if (bits <= 32 && typeof value === "number" && typeof incr === "number" && Math.abs(incr) <= 2 ** 52) {
    const sum = value + incr;
    const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
    const min = signed ? -(2 ** (bits - 1)) : 0;
    if (sum >= min && sum <= max) return sum;
    if (ow === FAIL) return null;
    if (ow === SAT) return sum > max ? max : min;
    return wrapNum(sum, bits, signed);
  }
  const sum = BigInt(value) + BigInt(incr);
  const b = BigInt(bits);
  const max = signed ? (1n << (b - 1n)) - 1n : (1n << b) - 1n;
  const min = signed ? -(1n << (b - 1n)) : 0n;
  if (sum >= min && sum <= max) return narrow(sum);
  if (ow === FAIL) return null;
  if (ow === SAT) return narrow(sum > max ? max : min);
  return narrow(signed ? BigInt.asIntN(bits, sum) : BigInt.asUintN(bits, sum));
}

/**
 * The value a BITFIELD SET stores, or null under FAIL. As in Redis, an unsigned field takes
 * the 64-bit two's complement of a negative value, so a negative value saturates to the max.
 */
export function fieldSet(v: number | bigint, bits: number, signed: boolean, ow: Overflow): number | bigint | null {
  if (signed) {
    // Matches Redis: its overflow test computes max - v in 64-bit arithmetic, which wraps when
    // v lies far below the field's minimum, and SAT then clamps such a value to the maximum.
    if (ow === SAT && typeof v === "bigint" && bits < 64 && (1n << BigInt(bits - 1)) - 1n - v > INT64_MAX) {
      return narrow((1n << BigInt(bits - 1)) - 1n);
    }
    return fieldIncr(v, 0, bits, true, ow);
  }
  const max = bits <= 53 ? 2 ** bits - 1 : (1n << BigInt(bits)) - 1n;
  if (v >= 0 && v <= max) return v;
  if (ow === FAIL) return null;
  if (ow === SAT) return max;
  if (typeof v === "number" && bits <= 32) return wrapNum(v, bits, false);
  return narrow(BigInt.asUintN(bits, BigInt(v)));
}

/** sum modulo 2^bits, as a signed or unsigned value (exact for safe integers). */
function wrapNum(sum: number, bits: number, signed: boolean): number {
  const m = 2 ** bits;
  let u = sum % m;
  if (u < 0) u += m;
  return signed && u >= m / 2 ? u - m : u;
}

/** A bigint as a number when exactly representable. */
function narrow(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}
