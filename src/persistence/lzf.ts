// LZF, the compression RDB strings use: literal runs (control byte < 32: that many + 1 bytes
// follow) and back-references (length in the top 3 bits, 13-bit distance). Our compressor is a
// greedy single-probe hash matcher; any valid LZF stream decodes the same. Owns the codec only.

const HASH_BITS = 14;
const HASH_SIZE = 1 << HASH_BITS;
const MAX_LITERAL = 32;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/** Last position (plus the call's base) at which each 3-byte hash was seen. */
const table = new Int32Array(HASH_SIZE);
/** Added to positions so entries from earlier calls read as stale without clearing the table. */
let base = 1;

function hash3(a: number, b: number, c: number): number {
  return (Math.imul((a << 16) | (b << 8) | c, 0x9e3779b1) >>> (32 - HASH_BITS)) & (HASH_SIZE - 1);
}

/**
 * Compress src[start, end) into dst[at, limit). Returns the end offset in dst, or -1 when the
 * output would not fit before limit (the caller then stores the bytes uncompressed).
 */
export function lzfCompress(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number, limit: number): number {
  const n = end - start;
  if (n === 0) return -1;
  if (base > 0x3fffffff - n) {
    table.fill(0);
    base = 1;
  }
  const b0 = base - start;
  base += n + 1;
  let ip = start;
  let op = at + 1; // a control byte is reserved for the literal run being built
  let lit = 0;
  if (op > limit) return -1;
  while (ip + 2 < end) {
    const h = hash3(src[ip]!, src[ip + 1]!, src[ip + 2]!);
    const ref = table[h]! - b0;
    table[h] = ip + b0;
    const off = ip - ref - 1;
    if (ref >= start && off < MAX_OFF && src[ref] === src[ip] && src[ref + 1] === src[ip + 1] && src[ref + 2] === src[ip + 2]) {
      const maxLen = Math.min(MAX_REF, end - ip);
      let len = 3;
      while (len < maxLen && src[ref + len] === src[ip + len]) len++;
      // Close the literal run (or take back its unused control byte).
      if (lit > 0) dst[op - lit - 1] = lit - 1;
      else op--;
      const l = len - 2;
      if (op + 4 > limit) return -1;
      if (l < 7) {
        dst[op++] = (l << 5) | (off >>> 8);
      } else {
        dst[op++] = (7 << 5) | (off >>> 8);
        dst[op++] = l - 7;
      }
      dst[op++] = off & 0xff;
      lit = 0;
      op++;
      ip += len;
      // Remember the position just before the next probe, which helps runs (cheap, one entry).
      if (ip + 2 < end) table[hash3(src[ip - 1]!, src[ip]!, src[ip + 1]!)] = ip - 1 + b0;
      continue;
    }
    if (op >= limit) return -1;
    dst[op++] = src[ip++]!;
    if (++lit === MAX_LITERAL) {
      dst[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  while (ip < end) {
    if (op >= limit) return -1;
    dst[op++] = src[ip++]!;
    if (++lit === MAX_LITERAL) {
      dst[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  if (lit > 0) dst[op - lit - 1] = lit - 1;
  else op--;
  return op > limit ? -1 : op;
}

/**
 * Decompress src[start, end) into dst[at, at + outLen). Returns true when the stream decodes to
 * exactly outLen bytes; false on any malformed or overlong input.
 */
export function lzfDecompress(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number, outLen: number): boolean {
  let ip = start;
  let op = at;
  const opEnd = at + outLen;
  while (ip < end) {
    const ctrl = src[ip++]!;
    if (ctrl < 32) {
      const n = ctrl + 1;
      if (op + n > opEnd || ip + n > end) return false;
      dst.set(src.subarray(ip, ip + n), op);
      ip += n;
      op += n;
      continue;
    }
    let len = ctrl >>> 5;
    if (len === 7) {
      if (ip >= end) return false;
      len += src[ip++]!;
    }
    if (ip >= end) return false;
    const ref = op - ((ctrl & 0x1f) << 8) - src[ip++]! - 1;
    len += 2;
    if (ref < at || op + len > opEnd) return false;
    if (op - ref >= len) {
      dst.copyWithin(op, ref, ref + len);
      op += len;
    } else {
      // Overlapping reference: a repeating pattern, copied byte by byte.
      for (let k = 0; k < len; k++) dst[op + k] = dst[ref + k]!;
      op += len;
    }
  }
  return op === opEnd;
}
