// argv → RESP bytes ("*N\r\n$len\r\narg\r\n…"), the form Redis writes to its AOF and sends to
// replicas. Encodes straight into one growing byte buffer: appending a command allocates nothing
// but room for its bytes. Owns the encoding only; never touches files or sockets.
import { writeLatin1 } from "../util/bytes.ts";
import type { Args } from "./args.ts";

/** One argument: a latin1 byte string (one char per byte), raw bytes, or an integer. */
export type EncodeArg = string | Uint8Array | number;

const CR = 13;
const LF = 10;
/** Below this length a latin1 string is copied char by char (cheaper than a native call). */
const SHORT = 32;

export class CommandEncoder {
  buf: Buffer;
  /** Bytes encoded so far: buf[0, len). */
  len = 0;

  constructor(initial = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** The encoded bytes (a view, valid until the next append or reset). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** Make room for n more bytes. */
  ensure(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let cap = Math.max(64, this.buf.length * 2);
    while (cap < need) cap *= 2;
    const nb = Buffer.allocUnsafe(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }

  /** Forget everything encoded; a buffer grown past `keep` bytes is given back (Redis frees an
   * oversized aof_buf the same way once it is written). */
  reset(keep = 1024 * 1024): void {
    this.len = 0;
    if (this.buf.length > keep) this.buf = Buffer.allocUnsafe(16 * 1024);
  }

  /** Drop the first n encoded bytes (they were written out), keeping the rest in order. */
  consume(n: number): void {
    if (n >= this.len) {
      this.len = 0;
      return;
    }
    this.buf.copyWithin(0, n, this.len);
    this.len -= n;
  }

  /** Append raw bytes as they are. */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** Append one command: an array header and one bulk string per argument. */
  command(argv: readonly EncodeArg[]): void {
    this.header(42, argv.length);
    for (let i = 0; i < argv.length; i++) this.bulk(argv[i]!);
  }

  /** Append a parsed request as it arrived: its argument bytes are copied straight from the
   * input buffer (no strings are built). */
  args(a: Args): void {
    const argc = a.argc;
    this.header(42, argc);
    const src = a.buf;
    const base = a.base;
    for (let i = 0; i < argc; i++) {
      const s = base + a.starts[i]!;
      const n = base + a.ends[i]! - s;
      this.header(36, n);
      this.ensure(n + 2);
      const b = this.buf;
      let p = this.len;
      if (n < SHORT) {
        for (let j = 0; j < n; j++) b[p + j] = src[s + j]!;
      } else {
        b.set(src.subarray(s, s + n), p);
      }
      p += n;
      b[p++] = CR;
      b[p++] = LF;
      this.len = p;
    }
  }

  /** "*N\r\n" (prefix 42) or "$N\r\n" (prefix 36). */
  header(prefix: number, n: number): void {
    this.ensure(24);
    const b = this.buf;
    b[this.len++] = prefix;
    this.#int(n);
    b[this.len++] = CR;
    b[this.len++] = LF;
  }

  /** One bulk string: "$len\r\n<bytes>\r\n". */
  bulk(arg: EncodeArg): void {
    if (typeof arg === "number") return this.bulkInt(arg);
    const n = arg.length;
    this.header(36, n);
    this.ensure(n + 2);
    const b = this.buf;
    let p = this.len;
    if (typeof arg !== "string") {
      b.set(arg, p);
      p += n;
    } else if (n < SHORT) {
      for (let i = 0; i < n; i++) b[p + i] = arg.charCodeAt(i);
      p += n;
    } else {
      p += writeLatin1(b, arg, p);
    }
    b[p++] = CR;
    b[p++] = LF;
    this.len = p;
  }

  /** An integer as a bulk string of its decimal digits (no string allocated when it is safe). */
  bulkInt(v: number): void {
    if (!Number.isSafeInteger(v)) return this.bulk(String(v));
    let digits = v < 0 ? 2 : 1;
    for (let x = Math.abs(v); x >= 10; x = Math.floor(x / 10)) digits++;
    this.header(36, digits);
    this.ensure(digits + 2);
    this.#int(v);
    this.buf[this.len++] = CR;
    this.buf[this.len++] = LF;
  }

  /** Decimal digits of a safe integer at len (room already ensured). */
  #int(v: number): void {
    const b = this.buf;
    if (v < 0) {
      b[this.len++] = 45;
      v = -v;
    }
    if (v < 10) {
      b[this.len++] = 48 + v;
      return;
    }
    let digits = 1;
    for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
    let p = this.len + digits;
    this.len = p;
    while (v >= 10) {
      const q = Math.floor(v / 10);
      b[--p] = 48 + (v - q * 10);
      v = q;
    }
    b[--p] = 48 + v;
  }
}

/** One command's RESP bytes (a fresh copy; for one-off use, not hot paths). */
export function encodeCommand(argv: readonly EncodeArg[]): Uint8Array {
  const e = new CommandEncoder(64);
  e.command(argv);
  return e.buf.slice(0, e.len);
}
