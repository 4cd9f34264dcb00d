// The reply writer: one growing output buffer per client, RESP2 or RESP3.
// Owns the wire encoding of replies; never touches sockets (net/client flushes the buffer).
import { writeLatin1 } from "../util/bytes.ts";
import { formatG17 } from "../util/format.ts";

const CRLF = 0x0a0d; // "\r\n" as a little-endian uint16

function encodeAscii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

const OK = encodeAscii("+OK\r\n");
const NULL2 = encodeAscii("$-1\r\n");
const NULLARR2 = encodeAscii("*-1\r\n");
const NULL3 = encodeAscii("_\r\n");
const EMPTYARR = encodeAscii("*0\r\n");

export type Proto = 2 | 3;

export class Reply {
  buf: Buffer;
  pos = 0;
  proto: Proto = 2;

  constructor(initial = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** Ensure room for n more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = Math.max(64, this.buf.length * 2);
    while (cap < this.pos + n) cap *= 2;
    const nb = Buffer.allocUnsafe(cap);
    nb.set(this.buf.subarray(0, this.pos));
    this.buf = nb;
  }

  /** Drop everything written (after a flush) and shrink an oversized buffer. */
  reset(): void {
    this.pos = 0;
    if (this.buf.length > 1024 * 1024) this.buf = Buffer.allocUnsafe(16 * 1024);
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  #crlf(): void {
    this.buf.writeUInt16LE(CRLF, this.pos);
    this.pos += 2;
  }

  #ascii(s: string): void {
    this.pos += writeLatin1(this.buf, s, this.pos);
  }

  #digits(n: number): void {
    // Non-negative integers below 2^53 are written digit by digit: a native copy or String(n)
    // costs more than the loop for the lengths replies carry.
    if (n >= 0 && n <= Number.MAX_SAFE_INTEGER && Math.floor(n) === n) {
      const buf = this.buf;
      let w = 1;
      for (let t = n; t >= 10; t = Math.floor(t / 10)) w++;
      let p = this.pos + w;
      this.pos = p;
      let t = n;
      do {
        const q = Math.floor(t / 10);
        buf[--p] = 48 + (t - q * 10);
        t = q;
      } while (t !== 0);
    } else {
      this.#ascii(String(n));
    }
  }

  #header(prefix: number, n: number): void {
    this.ensure(24);
    this.buf[this.pos++] = prefix;
    this.#digits(n);
    this.#crlf();
  }

  ok(): void {
    this.raw(OK);
  }

  /** +status */
  simple(s: string): void {
    this.ensure(s.length + 3);
    this.buf[this.pos++] = 43;
    this.#ascii(s);
    this.#crlf();
  }

  /** -error; msg includes the code ("ERR ...", "WRONGTYPE ..."). CR/LF become spaces as in Redis. */
  error(msg: string): void {
    const clean = msg.includes("\r") || msg.includes("\n") ? msg.replace(/[\r\n]/g, " ") : msg;
    this.ensure(clean.length + 3);
    this.buf[this.pos++] = 45;
    this.#ascii(clean);
    this.#crlf();
  }

  /** :integer (number must be an integer; bigint for values beyond 2^53). */
  int(n: number | bigint): void {
    if (typeof n === "bigint") {
      this.ensure(24);
      this.buf[this.pos++] = 58;
      this.#ascii(n.toString());
      this.#crlf();
      return;
    }
    this.#header(58, n);
  }

  /** $bulk from a latin1 byte string. */
  bulk(s: string): void {
    const n = s.length;
    this.ensure(n + 24);
    this.buf[this.pos++] = 36;
    this.#digits(n);
    this.#crlf();
    if (n > 0) this.pos += writeLatin1(this.buf, s, this.pos);
    this.#crlf();
  }

  /** $bulk from bytes. */
  bulkBytes(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n + 24);
    this.buf[this.pos++] = 36;
    this.#digits(n);
    this.#crlf();
    this.buf.set(b, this.pos);
    this.pos += n;
    this.#crlf();
  }

  /** $bulk of src[start, start + n) (a value held in the keyspace arena), copied in place. */
  bulkSlice(src: Buffer, start: number, n: number): void {
    this.ensure(n + 24);
    const buf = this.buf;
    buf[this.pos++] = 36;
    this.#digits(n);
    this.#crlf();
    if (n <= 16) {
      let p = this.pos;
      for (let j = 0; j < n; j++) buf[p++] = src[start + j]!;
    } else {
      src.copy(buf, this.pos, start, start + n);
    }
    this.pos += n;
    this.#crlf();
  }

  /** An integer sent as a bulk string (GET of an int-encoded value). */
  bulkInt(n: number | bigint): void {
    this.bulk(typeof n === "bigint" ? n.toString() : String(n));
  }

  /** Null bulk: $-1 in RESP2, _ in RESP3. */
  nil(): void {
    this.raw(this.proto === 2 ? NULL2 : NULL3);
  }

  /** Null array: *-1 in RESP2, _ in RESP3. */
  nilArray(): void {
    this.raw(this.proto === 2 ? NULLARR2 : NULL3);
  }

  array(n: number): void {
    if (n === 0) this.raw(EMPTYARR);
    else this.#header(42, n);
  }

  /** A map of n pairs: %n in RESP3, a flat array of 2n in RESP2. */
  map(n: number): void {
    if (this.proto === 3) this.#header(37, n);
    else this.array(n * 2);
  }

  /** A set: ~n in RESP3, an array in RESP2. */
  set(n: number): void {
    if (this.proto === 3) this.#header(126, n);
    else this.array(n);
  }

  /** Out-of-band push (pub/sub messages): >n in RESP3, an array in RESP2. */
  push(n: number): void {
    if (this.proto === 3) this.#header(62, n);
    else this.array(n);
  }

  /** A double: ,d in RESP3, a bulk string in RESP2 (formatted like Redis 7.0's %.17g). */
  double(d: number): void {
    const s = formatG17(d);
    if (this.proto === 3) {
      this.ensure(s.length + 3);
      this.buf[this.pos++] = 44;
      this.#ascii(s);
      this.#crlf();
    } else {
      this.bulk(s);
    }
  }

  /** A boolean: #t/#f in RESP3, :1/:0 in RESP2. */
  bool(b: boolean): void {
    if (this.proto === 3) this.simpleRaw(b ? "#t" : "#f");
    else this.int(b ? 1 : 0);
  }

  /** Verbatim text (INFO, CLIENT LIST …): =len\r\ntxt:... in RESP3, bulk in RESP2. */
  verbatim(s: string, format = "txt"): void {
    if (this.proto === 3) {
      const n = s.length + 4;
      this.ensure(n + 24);
      this.buf[this.pos++] = 61;
      this.#digits(n);
      this.#crlf();
      this.#ascii(format);
      this.buf[this.pos++] = 58;
      this.pos += writeLatin1(this.buf, s, this.pos);
      this.#crlf();
    } else {
      this.bulk(s);
    }
  }

  /** A literal line followed by CRLF (e.g. "#t"). */
  simpleRaw(line: string): void {
    this.ensure(line.length + 2);
    this.#ascii(line);
    this.#crlf();
  }

  /** Bulk strings for each item of an array of latin1 strings. */
  bulkArray(items: readonly string[]): void {
    this.array(items.length);
    for (const s of items) this.bulk(s);
  }
}
