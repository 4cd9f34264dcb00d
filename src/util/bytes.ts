// Byte-string helpers. Keys and values are binary: a byte string is held as a
// latin1 JS string (one char per byte, 0-255), which round-trips every byte.
// Owns conversion between bytes and latin1 strings; knows nothing of RESP or clients.

interface Latin1Buffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  latin1Write(str: string, offset: number): number;
}

/** Decode bytes [start, end) of buf as a latin1 string (one char per byte). */
export function latin1(buf: Uint8Array, start: number, end: number): string {
  if (end - start === 0) return "";
  return (asBuffer(buf) as Latin1Buffer).latin1Slice(start, end);
}

/** Write a latin1 string into buf at offset; returns bytes written. buf must have room. */
export function writeLatin1(buf: Buffer, str: string, offset: number): number {
  return (buf as Latin1Buffer).latin1Write(str, offset);
}

/** A fresh Buffer holding the bytes of a latin1 string. */
export function bytesOf(str: string): Buffer {
  return Buffer.from(str, "latin1");
}

/** Convert UTF-8 text (e.g. a message we author) to the latin1 byte-string form. */
export function utf8ToBinary(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
}

/** Convert a byte string holding UTF-8 back to text (for logs and config). */
export function binaryToUtf8(bin: string): string {
  return Buffer.from(bin, "latin1").toString("utf8");
}

export function asBuffer(u8: Uint8Array): Buffer {
  return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

/** Case-insensitive compare of bytes [start,end) against a lowercase ASCII word. */
export function eqLowerAscii(buf: Uint8Array, start: number, end: number, lower: string): boolean {
  const n = lower.length;
  if (end - start !== n) return false;
  for (let i = 0; i < n; i++) {
    let c = buf[start + i]!;
    if (c >= 65 && c <= 90) c |= 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Lowercase an ASCII-ish latin1 string without touching bytes >= 0x80. */
export function asciiLower(s: string): string {
  return s.toLowerCase() === s ? s : s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}
