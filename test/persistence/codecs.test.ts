// The inner codecs on their own: LZF (round trips, Redis's "only when it saves 4 bytes" rule,
// malformed streams refused) and listpack (every integer and string encoding at its boundaries,
// back-lengths of every size, canonical-integer detection).
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { lzfCompress, lzfDecompress } from "../../src/persistence/lzf.ts";
import { ListpackBuilder, decodeListpack } from "../../src/persistence/listpack.ts";
import { decodeIntset, encodeIntset } from "../../src/persistence/intset.ts";
import { RdbFormatError } from "../../src/persistence/rdberror.ts";

function roundTrip(b: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(b.length + 64);
  const end = lzfCompress(b, 0, b.length, out, 0, out.length);
  if (end < 0) return null;
  const back = new Uint8Array(b.length);
  expect(lzfDecompress(out, 0, end, back, 0, b.length)).toBe(true);
  return back;
}

describe("LZF", () => {
  test("round trips any bytes (fast-check), repetitive or not", () => {
    const repetitive = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3000 }).map((a) => Uint8Array.from(a));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 2000 }), repetitive.filter((a) => a.length > 0)), (b) => {
        expect(Buffer.from(roundTrip(b)!)).toEqual(Buffer.from(b));
      }),
      { numRuns: 500 },
    );
  });

  test("compresses runs well and gives up when the output would not fit", () => {
    const run = Buffer.alloc(10000, 97);
    const out = Buffer.alloc(10000);
    expect(lzfCompress(run, 0, run.length, out, 0, run.length - 4)).toBeLessThan(150);
    const noise = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 151 + 7) % 256));
    expect(lzfCompress(noise, 0, noise.length, out, 0, noise.length - 4)).toBe(-1);
  });

  test("malformed streams are refused, never read or written out of bounds", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(200), (junk, n) => {
        const out = new Uint8Array(n);
        expect(typeof lzfDecompress(junk, 0, junk.length, out, 0, n)).toBe("boolean");
      }),
      { numRuns: 2000 },
    );
    // A back-reference before the start of the output.
    expect(lzfDecompress(Uint8Array.from([0x20, 0x05]), 0, 2, new Uint8Array(3), 0, 3)).toBe(false);
    // Output longer than announced.
    expect(lzfDecompress(Uint8Array.from([0x02, 1, 2, 3]), 0, 4, new Uint8Array(2), 0, 2)).toBe(false);
  });
});

function lp(items: string[]): string[] {
  const b = new ListpackBuilder();
  for (const s of items) b.addString(s);
  const bytes = b.finish();
  expect(bytes.length).toBe(b.bytes);
  const out: string[] = [];
  expect(decodeListpack(bytes, 0, bytes.length, out)).toBe(items.length);
  return out;
}

describe("listpack", () => {
  test("integers at every encoding boundary and strings of every length class", () => {
    const ints = [0n, 127n, 128n, -1n, -4096n, 4095n, 4096n, -4097n, -32768n, 32767n, 32768n, -8388608n, 8388607n, 8388608n, -2147483648n, 2147483647n, 2147483648n, -(1n << 63n), (1n << 63n) - 1n, 9007199254740993n, 9999999999999999n];
    const strs = ["", "a", "x".repeat(63), "x".repeat(64), "x".repeat(4095), "x".repeat(4096), "y".repeat(70000), "9223372036854775808", "-0", "01", "+1", " 1"];
    // Entries whose encoded size crosses each back-length size (127/128, 16383, …).
    const sizes = [125, 126, 127, 128, 16380, 16381, 16382, 16383, 16384].map((n) => "z".repeat(n));
    const all = [...ints.map(String), ...strs, ...sizes];
    expect(lp(all)).toEqual(all);
  });

  test("any strings round trip (fast-check)", () => {
    const s = fc.oneof(fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)) }), fc.bigInt({ min: -(1n << 64n), max: 1n << 64n }).map(String));
    fc.assert(fc.property(fc.array(s, { maxLength: 50 }), (items) => expect(lp(items)).toEqual(items)), { numRuns: 300 });
  });

  test("a count over 65535 is stored as unknown and still decodes", () => {
    const items = Array.from({ length: 70000 }, (_, i) => String(i % 100));
    expect(lp(items).length).toBe(70000);
  });

  test("corruption is a format error", () => {
    const b = new ListpackBuilder();
    b.addString("hello");
    const bytes = Buffer.from(b.finish());
    bytes[6] = 0xf5; // an invalid encoding byte
    expect(() => decodeListpack(bytes, 0, bytes.length, [])).toThrow(RdbFormatError);
    expect(() => decodeListpack(bytes, 0, bytes.length - 1, [])).toThrow(RdbFormatError);
  });
});

describe("intset", () => {
  test("widths 2, 4 and 8 round trip in order", () => {
    for (const vals of [["-3", "1", "300"], ["-70000", "5", "70000"], ["-9223372036854775808", "0", "9223372036854775807"]]) {
      const b = encodeIntset(vals);
      const out: string[] = [];
      decodeIntset(b, 0, b.length, out);
      expect(out).toEqual(vals);
    }
  });
});
