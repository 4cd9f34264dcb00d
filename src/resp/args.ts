// A request's argv: offsets into a byte buffer, filled by the parser with no copies.
// Owns access to arguments (as bytes, latin1 strings or numbers); knows nothing of commands.
import { eqLowerAscii, latin1 } from "../util/bytes.ts";

export class Args {
  buf: Uint8Array = new Uint8Array(0);
  /** Offsets in starts/ends are relative to base. */
  base = 0;
  argc = 0;
  starts: Int32Array = new Int32Array(16);
  ends: Int32Array = new Int32Array(16);

  /** Make room for n arguments (parser use). */
  reserve(n: number): void {
    if (n <= this.starts.length) return;
    let cap = this.starts.length;
    while (cap < n) cap *= 2;
    const s = new Int32Array(cap);
    s.set(this.starts);
    const e = new Int32Array(cap);
    e.set(this.ends);
    this.starts = s;
    this.ends = e;
  }

  len(i: number): number {
    return this.ends[i]! - this.starts[i]!;
  }

  /** Argument i as a latin1 byte string (allocates a JS string). */
  str(i: number): string {
    const b = this.base;
    return latin1(this.buf, b + this.starts[i]!, b + this.ends[i]!);
  }

  /** Argument i as a view into the request buffer; valid only during dispatch. */
  bytes(i: number): Uint8Array {
    const b = this.base;
    return this.buf.subarray(b + this.starts[i]!, b + this.ends[i]!);
  }

  /** Case-insensitive test against a lowercase ASCII word, without allocating. */
  is(i: number, lower: string): boolean {
    const b = this.base;
    return eqLowerAscii(this.buf, b + this.starts[i]!, b + this.ends[i]!, lower);
  }

  /** Byte at position k of argument i. */
  byteAt(i: number, k: number): number {
    return this.buf[this.base + this.starts[i]! + k]!;
  }

  /** All arguments as latin1 strings. */
  toStrings(from = 0): string[] {
    const out: string[] = new Array(this.argc - from);
    for (let i = from; i < this.argc; i++) out[i - from] = this.str(i);
    return out;
  }

  /** A copy that owns its bytes (for MULTI queues, blocked clients). */
  clone(): Args {
    const c = new Args();
    const n = this.argc;
    let total = 0;
    for (let i = 0; i < n; i++) total += this.len(i);
    const buf = new Uint8Array(total);
    c.reserve(n);
    let off = 0;
    for (let i = 0; i < n; i++) {
      const s = this.base + this.starts[i]!;
      const l = this.len(i);
      buf.set(this.buf.subarray(s, s + l), off);
      c.starts[i] = off;
      c.ends[i] = off + l;
      off += l;
    }
    c.buf = buf;
    c.argc = n;
    return c;
  }

  /** Build an Args from latin1 strings (tests, internal calls, inline requests). */
  static of(parts: readonly string[]): Args {
    const c = new Args();
    let total = 0;
    for (const p of parts) total += p.length;
    const buf = Buffer.allocUnsafe(total);
    c.reserve(parts.length);
    let off = 0;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      buf.write(p, off, "latin1");
      c.starts[i] = off;
      c.ends[i] = off + p.length;
      off += p.length;
    }
    c.buf = buf;
    c.argc = parts.length;
    return c;
  }
}
