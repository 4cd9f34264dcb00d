// CRC-64 as RDB files and DUMP payloads carry it: the Jones polynomial, reflected, initial value
// 0, no final xor (crc64("123456789") = 0xe9c6d914c4b8d9ca). Table-driven, slicing-by-8, over
// 32-bit halves so no BigInt touches the hot loop. Owns the checksum only.

/** The Jones polynomial 0xad93d23594c935a9, bit-reversed: 0x95ac9329ac4bc9b5 as two halves. */
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

/** 8 tables × 256 entries, high and low 32 bits apart: T[k][b] is b's CRC shifted k more bytes. */
const HI = new Uint32Array(8 * 256);
const LO = new Uint32Array(8 * 256);

(function buildTables(): void {
  for (let b = 0; b < 256; b++) {
    let hi = 0;
    let lo = b;
    for (let bit = 0; bit < 8; bit++) {
      const odd = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi >>>= 1;
      if (odd) {
        hi = (hi ^ POLY_HI) >>> 0;
        lo = (lo ^ POLY_LO) >>> 0;
      }
    }
    HI[b] = hi;
    LO[b] = lo;
  }
  for (let k = 1; k < 8; k++) {
    for (let b = 0; b < 256; b++) {
      const phi = HI[(k - 1) * 256 + b]!;
      const plo = LO[(k - 1) * 256 + b]!;
      // One more zero byte through the register: index with the low byte, shift right by 8.
      const i = plo & 0xff;
      HI[k * 256 + b] = (HI[i]! ^ (phi >>> 8)) >>> 0;
      LO[k * 256 + b] = (LO[i]! ^ ((plo >>> 8) | (phi << 24))) >>> 0;
    }
  }
})();

/** A running CRC-64 as two unsigned 32-bit halves (no allocation per update). */
export class Crc64 {
  hi = 0;
  lo = 0;

  /** Fold bytes [start, end) of buf into the checksum. */
  update(buf: Uint8Array, start = 0, end = buf.length): this {
    let hi = this.hi;
    let lo = this.lo;
    let i = start;
    // Byte at a time until the rest is a multiple of 8.
    while (i < end && (end - i) & 7) {
      const t = (lo ^ buf[i++]!) & 0xff;
      lo = LO[t]! ^ ((lo >>> 8) | (hi << 24));
      hi = HI[t]! ^ (hi >>> 8);
    }
    for (; i < end; i += 8) {
      const a = lo ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
      const b = hi ^ (buf[i + 4]! | (buf[i + 5]! << 8) | (buf[i + 6]! << 16) | (buf[i + 7]! << 24));
      const i7 = 7 * 256 + (a & 0xff);
      const i6 = 6 * 256 + ((a >>> 8) & 0xff);
      const i5 = 5 * 256 + ((a >>> 16) & 0xff);
      const i4 = 4 * 256 + (a >>> 24);
      const i3 = 3 * 256 + (b & 0xff);
      const i2 = 2 * 256 + ((b >>> 8) & 0xff);
      const i1 = 256 + ((b >>> 16) & 0xff);
      const i0 = b >>> 24;
      lo = LO[i7]! ^ LO[i6]! ^ LO[i5]! ^ LO[i4]! ^ LO[i3]! ^ LO[i2]! ^ LO[i1]! ^ LO[i0]!;
      hi = HI[i7]! ^ HI[i6]! ^ HI[i5]! ^ HI[i4]! ^ HI[i3]! ^ HI[i2]! ^ HI[i1]! ^ HI[i0]!;
    }
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
    return this;
  }

  /** Write the checksum as 8 little-endian bytes at buf[at]. */
  writeLE(buf: Uint8Array, at: number): void {
    const lo = this.lo;
    const hi = this.hi;
    buf[at] = lo;
    buf[at + 1] = lo >>> 8;
    buf[at + 2] = lo >>> 16;
    buf[at + 3] = lo >>> 24;
    buf[at + 4] = hi;
    buf[at + 5] = hi >>> 8;
    buf[at + 6] = hi >>> 16;
    buf[at + 7] = hi >>> 24;
  }

  /** True when buf[at, at+8) holds this checksum little-endian. */
  equalsLE(buf: Uint8Array, at: number): boolean {
    const lo = (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0;
    const hi = (buf[at + 4]! | (buf[at + 5]! << 8) | (buf[at + 6]! << 16) | (buf[at + 7]! << 24)) >>> 0;
    return lo === this.lo && hi === this.hi;
  }

  get value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}

/** CRC-64 of bytes [start, end) of buf. */
export function crc64(buf: Uint8Array, start = 0, end = buf.length): bigint {
  return new Crc64().update(buf, start, end).value;
}
